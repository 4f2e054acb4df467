/**
 * An optional package Sluice needs for one feature only (pictures, the
 * embedded database) is not installed; the message names the feature and the
 * install command.
 *
 * @example
 * ```ts
 * new OptionalPackageMissingError(['mermaid'], 'drawing topology pictures').message;
 * // 'drawing topology pictures needs the optional package mermaid, which is not installed: npm install mermaid'
 * ```
 */
export class OptionalPackageMissingError extends Error {
  constructor(packages: readonly string[], feature: string, hint = '') {
    const names = packages.join(' and ');
    super(
      `${feature} needs the optional package${packages.length > 1 ? 's' : ''} ${names}, which ${packages.length > 1 ? 'are' : 'is'} not installed: ` +
        `npm install ${packages.join(' ')}${hint ? ` (${hint})` : ''}`,
    );
    this.name = 'OptionalPackageMissingError';
  }
}

/**
 * Imports an optional package, turning "module not found" for that package
 * (and only that one: a broken install of it still throws its own error) into
 * an {@link OptionalPackageMissingError}. The import is passed as a function
 * so TypeScript keeps the package's types.
 *
 * @example
 * ```ts
 * const { chromium } = await importOptional('playwright-core', () => import('playwright-core'), 'drawing svg/png pictures');
 * ```
 */
export async function importOptional<T>(name: string, load: () => Promise<T>, feature: string, hint?: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, name)) throw new OptionalPackageMissingError([name], feature, hint);
    throw error;
  }
}

/**
 * Where an optional package's file is, or an {@link OptionalPackageMissingError}.
 *
 * @example
 * ```ts
 * resolveOptional('mermaid', 'mermaid/dist/mermaid.min.js', 'drawing topology pictures', import.meta.url);
 * // '/app/node_modules/mermaid/dist/mermaid.min.js'
 * ```
 */
export function resolveOptional(name: string, specifier: string, feature: string, resolve: (specifier: string) => string): string {
  try {
    return resolve(specifier);
  } catch (error) {
    if (isMissing(error, name)) throw new OptionalPackageMissingError([name], feature);
    throw error;
  }
}

function isMissing(error: unknown, name: string): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND') return false;
  const message = String(e.message);
  return message.includes(`'${name}'`) || message.includes(`'${name}/`) || message.includes(`"${name}"`);
}

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { resolveOptional } from '../optional-package.js';

/**
 * Reads the browser build of mermaid (`mermaid/dist/mermaid.min.js`, an
 * optional package) for inlining into a page, so drawing needs no network.
 *
 * @example
 * ```ts
 * const html = topologyPage({ title, mermaid: chart, mermaidScript: await loadMermaidScript() });
 * ```
 */
export async function loadMermaidScript(): Promise<string> {
  const require = createRequire(import.meta.url);
  const file = resolveOptional('mermaid', 'mermaid/dist/mermaid.min.js', 'drawing topology pictures', (s) => require.resolve(s));
  return readFile(file, 'utf8');
}

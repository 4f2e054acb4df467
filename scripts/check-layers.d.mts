// Types for scripts/check-layers.mjs, so tests can call the check in their own process.

/** One import a layer may not make. */
export interface LayerViolation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: string;
}

/** A table entry: the layers one layer may import, and whether it is pure. */
export interface LayerRule {
  readonly may: readonly string[];
  readonly pure?: boolean;
  readonly shared?: boolean;
  readonly packages?: readonly string[];
  readonly what: string;
}

/** An import allowed until the issue that removes it lands. */
export interface KnownException {
  readonly file: string;
  readonly imports: string;
  readonly issue: number;
  readonly why: string;
}

/** What {@link checkLayers} found under `<root>/src`. */
export interface LayerCheckResult {
  readonly files: number;
  readonly violations: readonly LayerViolation[];
  readonly staleExceptions: readonly KnownException[];
  readonly fileCycles: readonly (readonly string[])[];
  readonly cyclesWithinLayers: readonly (readonly string[])[];
  readonly layerCycles: readonly (readonly string[])[];
}

export const LAYERS: Readonly<Record<string, LayerRule>>;
export const OWNED_PACKAGES: Readonly<Record<string, readonly string[]>>;
export const KNOWN_EXCEPTIONS: readonly KnownException[];

/**
 * Checks every import under `<root>/src` against the layer table.
 *
 * @example
 * ```ts
 * const { violations } = checkLayers(process.cwd()); // [] when the layers hold
 * ```
 */
export function checkLayers(root: string): LayerCheckResult;

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * Reads the browser build of mermaid (`mermaid/dist/mermaid.min.js`, a
 * dependency of Sluice) for inlining into a page, so drawing needs no network.
 *
 * @example
 * ```ts
 * const html = topologyPage({ title, mermaid: chart, mermaidScript: await loadMermaidScript() });
 * ```
 */
export async function loadMermaidScript(): Promise<string> {
  const file = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
  return readFile(file, 'utf8');
}

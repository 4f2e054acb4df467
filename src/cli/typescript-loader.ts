import { register } from 'tsx/esm/api';

let registered = false;

/**
 * Lets this thread import `.ts` files (a project's topologies) by registering
 * tsx's loader once. Running from Sluice's own sources the loader is already
 * in place (they are TypeScript too); the compiled package registers it only
 * when it first loads a user's file.
 *
 * @example
 * ```ts
 * useTypeScriptLoader();
 * const module = await import(pathToFileURL('topologies/orders.ts').href);
 * ```
 */
export function useTypeScriptLoader(): void {
  if (registered || import.meta.url.endsWith('.ts')) return;
  register();
  registered = true;
}

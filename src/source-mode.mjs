// Running Sluice from its own sources (a clone of the repository): TypeScript is loaded through
// tsx, and `import … from 'sluice'` (the examples and test projects use the public name, as users
// do) resolves to src/ through the package's "sluice-source" export condition instead of dist/,
// which a clone has not built. The published package never runs this file.
import { register as registerHooks } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const ADD_SOURCE_CONDITION = `export async function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...context.conditions, 'sluice-source'] });
}`;

/** Registers tsx and the source condition on this thread (workers register their own). */
export function useSourceMode() {
  registerHooks(`data:text/javascript,${encodeURIComponent(ADD_SOURCE_CONDITION)}`);
  registerTsx();
}

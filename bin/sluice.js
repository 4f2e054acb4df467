#!/usr/bin/env node
// In a clone of Sluice's repository (src/ beside bin/) the CLI runs from source through tsx, so
// working on Sluice needs no build step. An installed package has no src/ and runs the compiled
// dist/; tsx then only loads the user's topology files.
import { existsSync } from 'node:fs';

// `sluice consume … | head` closes stdout early: that ends the command, it is no error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { useSourceMode } = await import('../src/source-mode.mjs');
  useSourceMode();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv);

#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so a fresh clone needs no build step
// and topologies/<name>.ts load the same way the CLI itself does.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);

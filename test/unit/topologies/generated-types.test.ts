import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { generateTypes, loadSchemas } from '../../../src/serde/index.js';
import { SCHEMA_DIR } from './support/workload-driver.js';

const GENERATED = new URL('../../../topologies/types/schemas.ts', import.meta.url);
const STALE =
  'stale: regenerate with `sluice schemas codegen` (or: npx tsx -e \'import("./src/serde/index.ts").then(async (s) => process.stdout.write(s.generateTypes(await s.loadSchemas("schemas"))))\' > topologies/types/schemas.ts)';

describe('topologies/types/schemas.ts', () => {
  // The example schemas' part of the file: a user's schemas add their own types (codegen puts
  // them in the same file), and a project's `sluice schemas codegen --check` judges those.
  test('holds what codegen makes of the example schemas today (so a renamed field is a type error in the topologies)', async () => {
    const expected = generateTypes(await loadSchemas(SCHEMA_DIR));
    const file = await readFile(GENERATED, 'utf8');
    const blocks = expected.split('\n\n');
    const map = blocks.pop() ?? '';
    expect(map).toMatch(/^\/\*\* The decoded type of each schema/);
    const header = blocks.shift() ?? '';
    expect(file.startsWith(header), STALE).toBe(true);
    for (const block of blocks) expect(file, STALE).toContain(`\n\n${block.trim()}\n`);
    const fileMap = file.slice(file.lastIndexOf('export interface SchemaTypes {'));
    for (const line of map.split('\n').filter((l) => l.startsWith("  '"))) expect(fileMap, STALE).toContain(`\n${line}\n`);
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { generateTypes, loadSchemas } from '../../../src/serde/index.js';
import { SCHEMA_DIR } from './support/workload-driver.js';

const GENERATED = new URL('../../../topologies/types/schemas.ts', import.meta.url);

describe('topologies/types/schemas.ts', () => {
  test('is what codegen makes of schemas/*.avsc today (so a renamed field is a type error in the topologies)', async () => {
    const expected = generateTypes(await loadSchemas(SCHEMA_DIR));
    expect(
      await readFile(GENERATED, 'utf8'),
      'stale: regenerate with `sluice schemas codegen` (or: npx tsx -e \'import("./src/serde/index.ts").then(async (s) => process.stdout.write(s.generateTypes(await s.loadSchemas("schemas"))))\' > topologies/types/schemas.ts)',
    ).toBe(expected);
  });
});

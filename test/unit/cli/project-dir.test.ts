import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findProjectDir, ProjectDirError } from '../../../src/cli/project-dir.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-project-dir-'));
const app = join(root, 'app');
const other = join(root, 'other');
mkdirSync(join(app, 'topologies', 'types'), { recursive: true });
mkdirSync(join(app, 'sql'), { recursive: true });
mkdirSync(other, { recursive: true });
// A file called topologies is no project.
writeFileSync(join(other, 'topologies'), '');
const argv = (...args: string[]) => ['node', 'sluice', ...args];

describe('which project a command works on', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('--project and --project= win over SLUICE_PROJECT and the working directory, relative to it', () => {
    expect(findProjectDir(argv('run', 'x', '--project', 'app'), { SLUICE_PROJECT: other }, root)).toBe(app);
    expect(findProjectDir(argv('--project=../app', 'list'), {}, other)).toBe(app);
  });

  test('SLUICE_PROJECT wins over the working directory', () => {
    expect(findProjectDir(argv('list'), { SLUICE_PROJECT: app }, other)).toBe(app);
    expect(findProjectDir(argv('list'), { SLUICE_PROJECT: '../app' }, other)).toBe(app);
  });

  test('else the nearest folder at or above the working directory holding topologies/, else the working directory', () => {
    expect(findProjectDir(argv('list'), {}, join(app, 'topologies', 'types'))).toBe(app);
    expect(findProjectDir(argv('list'), {}, join(app, 'sql'))).toBe(app);
    expect(findProjectDir(argv('list'), {}, app)).toBe(app);
    expect(findProjectDir(argv('list'), {}, other)).toBe(other);
  });

  test('an argument after -- is not an option, and a folder that does not exist is an error naming it', () => {
    expect(findProjectDir(argv('produce', 't', '--', '--project', 'nowhere'), {}, app)).toBe(app);
    expect(() => findProjectDir(argv('list', '--project', 'nowhere'), {}, root)).toThrow(ProjectDirError);
    expect(() => findProjectDir(argv('list'), { SLUICE_PROJECT: join(root, 'gone') }, root)).toThrow(/gone \(from SLUICE_PROJECT\) does not exist/);
  });
});

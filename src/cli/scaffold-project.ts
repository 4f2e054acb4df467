import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: two levels above this file, in src/cli and in dist/cli alike. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STARTER = join(PACKAGE_ROOT, 'templates', 'starter');

/** What {@link scaffoldProject} is asked to make. */
export interface ScaffoldOptions {
  /** The folder to create (or fill, when empty). */
  readonly dir: string;
  /** The npm package name; default: the folder's name, made npm-safe. */
  readonly name?: string;
  /** How the new project depends on Sluice; default `^<this Sluice's version>`. A tarball: `file:/path/sluice-0.1.0.tgz`. */
  readonly sluiceSpec?: string;
  /** Fill a folder that already holds files (template files overwrite files of the same name). */
  readonly force?: boolean;
}

/** The folder is not empty and `force` was not given. */
export class ScaffoldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScaffoldError';
  }
}

/**
 * Writes a new Sluice project from the starter template: package.json, a
 * strict tsconfig, one topology with its Avro schema and generated types, its
 * SQL migration, a unit test on `TopologyTestDriver`, sample events and a
 * README. Returns the files written, relative to the project.
 *
 * @example
 * ```ts
 * await scaffoldProject({ dir: 'parking' });
 * // ['.gitignore', 'README.md', 'data/parking-events.jsonl', 'package.json', 'schemas/parking-event.avsc', 'sql/001_lot_activity.sql', …]
 * ```
 */
export async function scaffoldProject(options: ScaffoldOptions): Promise<string[]> {
  const dir = resolve(options.dir);
  if (existsSync(dir)) {
    const present = (await readdir(dir)).filter((f) => f !== '.git');
    if (present.length > 0 && !options.force) {
      throw new ScaffoldError(`${dir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}): choose a new folder, or pass --force to write the starter files into it`);
    }
  }
  await mkdir(dir, { recursive: true });
  await cp(STARTER, dir, { recursive: true, force: true });
  // npm drops .gitignore files from published packages, so the template keeps it as gitignore.
  await rename(join(dir, 'gitignore'), join(dir, '.gitignore'));
  const sluice = sluicePackage();
  const name = options.name ?? npmName(basename(dir));
  const replacements: Record<string, string> = {
    __NAME__: name,
    __SLUICE_SPEC__: options.sluiceSpec ?? `^${sluice.version}`,
    __TYPESCRIPT__: sluice.devDependencies.typescript ?? 'latest',
    __VITEST__: sluice.devDependencies.vitest ?? 'latest',
    __TYPES_NODE__: sluice.devDependencies['@types/node'] ?? 'latest',
  };
  const written = await listFiles(dir, dir);
  for (const file of ['package.json', 'README.md']) {
    const path = join(dir, file);
    let text = await readFile(path, 'utf8');
    for (const [placeholder, value] of Object.entries(replacements)) text = text.replaceAll(placeholder, value);
    await writeFile(path, text);
  }
  return written.filter((f) => existsSync(join(dir, f))).sort();
}

interface SluicePackageJson {
  readonly version: string;
  readonly devDependencies: Readonly<Record<string, string>>;
}

function sluicePackage(): SluicePackageJson {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as SluicePackageJson;
}

/** npm names are lower case, URL-safe and at most 214 characters. */
function npmName(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '').slice(0, 214);
  return name === '' ? 'sluice-project' : name;
}

async function listFiles(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '.git') files.push(...(await listFiles(root, path)));
    } else {
      files.push(relative(root, path));
    }
  }
  return files;
}

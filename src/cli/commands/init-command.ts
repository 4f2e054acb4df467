import { relative } from 'node:path';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { scaffoldProject } from '../scaffold-project.js';

/**
 * `sluice init <dir>`: a new project from the starter template — one
 * topology (parking-occupancy) with its schema, migration, unit test and
 * sample events — and the commands that take it to rows in PostgreSQL.
 *
 * @example
 * ```sh
 * $ npx sluice init parking
 * created parking/ (14 files): package.json, tsconfig.json, topologies/parking-occupancy.ts, …
 * ```
 */
export function initCommand(context: CliContext): Command {
  return new Command('init')
    .description('create a new Sluice project: one topology with its schema, SQL migration, unit test and sample events')
    .argument('<dir>', 'the folder to create (it must be empty or not exist)')
    .option('--name <name>', 'the package name (default: the folder name)')
    .option('--sluice <spec>', 'the dependency on Sluice written to package.json (default: ^<this version>; e.g. file:../sluice-0.1.0.tgz)')
    .option('--force', 'write the starter files into a folder that is not empty')
    .addHelpText('after', '\nExamples:\n  $ npx sluice init parking\n  $ npx sluice init . --force')
    .action(async (dir: string, options: { name?: string; sluice?: string; force?: boolean }) => {
      const files = await scaffoldProject({
        dir,
        ...(options.name ? { name: options.name } : {}),
        ...(options.sluice ? { sluiceSpec: options.sluice } : {}),
        ...(options.force ? { force: true } : {}),
      });
      const shown = relative(process.cwd(), dir) || '.';
      context.print(`created ${shown}/ (${files.length} files): ${files.join(', ')}`);
      context.info(
        [
          '',
          'Next:',
          ...(shown === '.' ? [] : [`  cd ${shown}`]),
          '  npm install',
          '  npm test                                   # the topology on the in-memory test driver',
          '  npx sluice stack up                        # Kafka, the schema registry and PostgreSQL',
          '  npx sluice topics create parking.events --partitions 3',
          '  npx sluice run parking-occupancy           # Ctrl-C stops it; in another terminal:',
          '  npx sluice produce parking.events --key lot_id --file data/parking-events.jsonl',
          '  psql "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" -c "select * from lot_activity"',
          '  npx sluice consume parking.events.dlq --from-beginning',
        ].join('\n'),
      );
    });
}

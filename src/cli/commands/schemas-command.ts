import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { TopologyPlan } from '../../plan/topology-plan.js';
import {
  checkSchemas, COMPATIBILITY_LEVELS, formatSchemaChecks, formatSchemaRegistrations, generateTypes, HttpSchemaRegistry,
  loadSchemaFiles, registerSchemas, type CompatibilityLevel, type LoadedSchemaFile, type SubjectNameStrategy,
} from '../../serde/index.js';
import type { CliContext } from '../cli-context.js';
import { usageErrors } from '../usage-errors.js';
import { resolveEndpoints } from '../endpoints.js';
import { reportFailure } from '../report-failure.js';
import { TopologyCatalog } from '../topology-catalog.js';
import { formatSubjectNotes, topologySubjects, type TopologySubjects } from '../topology-subjects.js';

interface CommonOptions {
  readonly registry?: string;
  readonly schemas: string;
  readonly subjectStrategy: SubjectNameStrategy;
}

const SUBJECTS_HELP = `
Subjects come from the topologies in topologies/: with the default TopicNameStrategy,
<topic>-value for every source and output topic whose schema is a file in schemas/
(schemas no topology uses are skipped, with a note); with --subject-strategy record,
every schema under its record's full name. The registry is --registry, else
SCHEMA_REGISTRY_URL, else the one \`sluice stack up\` started.

Schemas are Avro (<name>.avsc) or JSON Schema (<name>.schema.json, or a .json file
with "$schema"), registered with schemaType JSON.

Exit codes: 0 ok, 1 incompatible schema or failure (registry down, invalid schema file), 2 usage.`;

/**
 * `sluice schemas check | register | codegen` over `schemas/*.avsc` (and,
 * for check and register, JSON Schemas `schemas/*.schema.json`), with
 * subjects derived from the topologies (see {@link topologySubjects}).
 *
 * @example
 * ```sh
 * sluice schemas check                       # CI: exit 1 with "field 'x' changed type ..." on an incompatible change
 * sluice schemas register --compatibility BACKWARD
 * sluice schemas codegen                    # → topologies/types/schemas.ts
 * ```
 */
export function schemasCommand(context: CliContext): Command {
  const schemas = new Command('schemas').description('check and register the Avro and JSON Schemas in schemas/, and generate TypeScript types for the Avro ones');
  schemas
    .command('check')
    .description("test every schema against its subject's latest version under the subject's compatibility level (registers nothing)")
    .addOption(registryOption())
    .addOption(schemasDirOption())
    .addOption(strategyOption())
    .addHelpText('after', `${SUBJECTS_HELP}\n\nExamples:\n  $ sluice schemas check\n  $ sluice schemas check --registry http://registry:8081 --subject-strategy record`)
    .action(async (options: CommonOptions) => {
      await reportFailure(context, 'schemas check', async () => {
        const { loaded, derived, registry } = await prepare(context, options);
        const report = await checkSchemas(registry, loaded, { subjects: derived.subjects, unmapped: 'skip' });
        if (report.checks.length > 0) context.print(formatSchemaChecks(report));
        const failed = report.checks.filter((c) => !c.compatible).length;
        const ok = report.ok && derived.missing.length === 0;
        context.print(
          report.checks.length === 0
            ? `nothing to check: no schema in ${options.schemas}/ is used by a topology`
            : `${report.checks.length} subject(s) checked against ${registry.url}: ${failed === 0 ? 'all compatible' : `${failed} incompatible`}`,
        );
        if (!ok) context.setExitCode(1);
      });
    });
  schemas
    .command('register')
    .description('register each schema as a new version of its subjects (idempotent); optionally set the compatibility level')
    .addOption(registryOption())
    .addOption(schemasDirOption())
    .addOption(strategyOption())
    .addOption(new Option('--compatibility <level>', 'set this compatibility level on every subject').choices(COMPATIBILITY_LEVELS))
    .addHelpText('after', `${SUBJECTS_HELP}\n\nExamples:\n  $ sluice schemas register\n  $ sluice schemas register --compatibility FULL_TRANSITIVE`)
    .action(async (options: CommonOptions & { compatibility?: CompatibilityLevel }) => {
      await reportFailure(context, 'schemas register', async () => {
        const { loaded, derived, registry } = await prepare(context, options);
        if (derived.missing.length > 0) {
          context.setExitCode(1);
          return;
        }
        const report = await registerSchemas(registry, loaded, {
          subjects: derived.subjects, unmapped: 'skip', ...(options.compatibility ? { compatibility: options.compatibility } : {}),
        });
        if (report.registrations.length > 0) context.print(formatSchemaRegistrations(report));
        const refused = report.registrations.filter((r) => r.status === 'refused').length;
        context.print(
          report.registrations.length === 0
            ? `nothing to register: no schema in ${options.schemas}/ is used by a topology`
            : `${report.registrations.length} subject(s) at ${registry.url}: ${refused === 0 ? 'all registered' : `${refused} refused`}`,
        );
        if (!report.ok) context.setExitCode(1);
      });
    });
  schemas
    .command('codegen')
    .description('write TypeScript types for every schema, so a field renamed in an .avsc file is a type error in the topologies')
    .addOption(schemasDirOption())
    .option('--out <file>', 'the generated file (beside the topologies that import it)', 'topologies/types/schemas.ts')
    .option('--check', 'write nothing; exit 1 if the file is missing or out of date (for CI)')
    .addHelpText(
      'after',
      `
Maps Avro to the values Sluice decodes (long and timestamp-millis → number, decimal → string,
bytes → Buffer, union with null → T | null, enum → string literals). Each record becomes an
interface named after it, and SchemaTypes maps each schema file name to its type. A JSON Schema
(.schema.json) becomes an interface named after its title (properties optional unless required).

Examples:
  $ sluice schemas codegen
  $ sluice schemas codegen --out src/generated/schemas.ts
  $ sluice schemas codegen --check     # in CI: fails when someone forgot to regenerate`,
    )
    .action(async (options: { schemas: string; out: string; check?: boolean }) => {
      await reportFailure(context, 'schemas codegen', async () => {
        const loaded = await loadSchemaFiles(resolve(context.projectDir, options.schemas));
        const source = generateTypes(loaded.filter((s) => s.format !== 'json'), loaded.filter((s) => s.format === 'json'));
        const out = resolve(context.projectDir, options.out);
        if (options.check) {
          const current = await readFile(out, 'utf8').catch(() => undefined);
          if (current === source) {
            context.print(`${options.out} is up to date (${loaded.length} schema(s))`);
            return;
          }
          context.print(`${options.out} is ${current === undefined ? 'missing' : 'out of date'}: run \`sluice schemas codegen --out ${options.out}\``);
          context.setExitCode(1);
          return;
        }
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, source);
        context.print(`wrote ${options.out}: types for ${loaded.length} schema(s) (${loaded.map((s) => s.name).join(', ') || 'none'})`);
      });
    });
  return usageErrors(schemas);
}

async function prepare(
  context: CliContext,
  options: CommonOptions,
): Promise<{ loaded: LoadedSchemaFile[]; derived: TopologySubjects; registry: HttpSchemaRegistry }> {
  const loaded = await loadSchemaFiles(resolve(context.projectDir, options.schemas));
  const catalog = new TopologyCatalog(context.projectDir);
  const plans: TopologyPlan[] = [];
  for (const name of catalog.names()) plans.push(await catalog.plan(name));
  const derived = topologySubjects(plans, loaded, options.subjectStrategy);
  for (const line of formatSubjectNotes(derived, options.subjectStrategy, options.schemas)) context.info(line);
  const registry = new HttpSchemaRegistry({ url: options.registry ?? resolveEndpoints(context.projectDir).schemaRegistryUrl });
  return { loaded, derived, registry };
}

function registryOption(): Option {
  return new Option('--registry <url>', 'schema registry URL (default: SCHEMA_REGISTRY_URL or the local stack)');
}

function schemasDirOption(): Option {
  return new Option('--schemas <dir>', 'directory of schema files (.avsc, .schema.json)').default('schemas');
}

function strategyOption(): Option {
  return new Option('--subject-strategy <strategy>', 'topic: <topic>-value (TopicNameStrategy); record: the record full name (RecordNameStrategy)')
    .choices(['topic', 'record'])
    .default('topic');
}

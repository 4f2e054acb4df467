import type { PlanNode } from '../plan/plan-node.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import { subjectFor, type LoadedSchema, type SubjectNameStrategy } from '../serde/index.js';

/**
 * One topic a topology reads or writes with a schema named by file
 * (`schemas/<schema>.avsc`).
 *
 * @example
 * ```ts
 * const use: TopicSchemaUse = { topology: 'bus-telemetry', topic: 'bus.telemetry', role: 'source', schema: 'bus-telemetry' };
 * ```
 */
export interface TopicSchemaUse {
  readonly topology: string;
  readonly topic: string;
  readonly role: 'source' | 'output';
  readonly schema: string;
}

/**
 * Which subjects `sluice schemas check | register` work on, and why.
 *
 * @example
 * ```ts
 * // { subjects: { 'bus-telemetry': ['bus.telemetry-value'] }, uses: [...], unused: ['legacy'], missing: [] }
 * ```
 */
export interface TopologySubjects {
  /** Subjects per schema name, ready for `checkSchemas` / `registerSchemas` (`{ subjects, unmapped: 'skip' }`). */
  readonly subjects: Readonly<Record<string, readonly string[]>>;
  /** Every (topology, topic) that names a schema file, in topology order. */
  readonly uses: readonly TopicSchemaUse[];
  /** Schema files no topology names (skipped under the topic strategy: there is no topic to name a subject after). */
  readonly unused: readonly string[];
  /** Schema names topologies use but `schemas/` lacks: the topology could not start. */
  readonly missing: readonly TopicSchemaUse[];
}

/**
 * Derives registry subjects from the topologies' topics.
 *
 * - `topic` (Confluent's TopicNameStrategy, what the runtime itself reads and
 *   writes): `<topic>-value` for every source and output topic whose schema is
 *   a file in `schemas/`. Inline schemas and generated table schemas are
 *   registered by the runtime when it starts; internal repartition topics too.
 * - `record` (RecordNameStrategy): every schema file under its record's full
 *   name, whether or not a topology uses it (the subject does not depend on
 *   the topic).
 *
 * @example
 * ```ts
 * topologySubjects([plan(busTelemetry)], await loadSchemas('schemas'), 'topic').subjects;
 * // { 'bus-telemetry': ['bus.telemetry-value'] }
 * topologySubjects([plan(busTelemetry)], await loadSchemas('schemas'), 'record').subjects;
 * // { 'bus-telemetry': ['sluice.bus.BusTelemetry'] }
 * ```
 */
export function topologySubjects(
  plans: readonly TopologyPlan[],
  schemas: readonly Pick<LoadedSchema, 'name' | 'fullName'>[],
  strategy: SubjectNameStrategy = 'topic',
): TopologySubjects {
  const byName = new Map(schemas.map((s) => [s.name, s]));
  const uses = plans.flatMap(schemaUses);
  const subjects = new Map<string, Set<string>>();
  const add = (schema: string, subject: string): void => {
    const set = subjects.get(schema) ?? new Set<string>();
    set.add(subject);
    subjects.set(schema, set);
  };
  const missing: TopicSchemaUse[] = [];
  for (const use of uses) {
    const loaded = byName.get(use.schema);
    if (loaded === undefined) missing.push(use);
    else if (strategy === 'topic') add(use.schema, subjectFor(use.topic, 'value'));
  }
  if (strategy === 'record') {
    for (const s of schemas) {
      // A file without a named top-level type (e.g. a bare "string") has no record name: it needs a topic.
      if (s.fullName !== undefined) add(s.name, subjectFor(s.name, 'value', 'record', s.fullName));
    }
  }
  const used = new Set(uses.map((u) => u.schema));
  return {
    subjects: Object.fromEntries([...subjects].sort(([a], [b]) => a.localeCompare(b)).map(([name, set]) => [name, [...set].sort()])),
    uses,
    unused: schemas.map((s) => s.name).filter((name) => !used.has(name)),
    missing,
  };
}

/**
 * Notes for the user about a derivation: schemas left out and schema names
 * that have no file. Empty when there is nothing to say.
 *
 * @example
 * ```ts
 * formatSubjectNotes(derived, 'topic');
 * // note: schemas/legacy.avsc is used by no topology in topologies/: skipped (no topic to name its subject after; --subject-strategy record registers it by record name)
 * // error: topology 'orders' reads topic 'orders' with schema 'order', but schemas/order.avsc does not exist
 * ```
 */
export function formatSubjectNotes(derived: TopologySubjects, strategy: SubjectNameStrategy, schemasDir = 'schemas'): string[] {
  const lines: string[] = [];
  if (strategy === 'topic') {
    for (const name of derived.unused) {
      lines.push(
        `note: ${schemasDir}/${name}.avsc is used by no topology in topologies/: skipped ` +
          `(no topic to name its subject after; --subject-strategy record registers it by record name)`,
      );
    }
  }
  for (const m of derived.missing) {
    const verb = m.role === 'source' ? 'reads' : 'writes';
    lines.push(`error: topology '${m.topology}' ${verb} topic '${m.topic}' with schema '${m.schema}', but ${schemasDir}/${m.schema}.avsc does not exist`);
  }
  return lines;
}

function schemaUses(plan: TopologyPlan): TopicSchemaUse[] {
  const uses: TopicSchemaUse[] = [];
  const seen = new Set<string>();
  const visit = (node: PlanNode): void => {
    if ((node.kind === 'SourceNode' || node.kind === 'StreamSinkNode') && typeof node.schema === 'string') {
      const role = node.kind === 'SourceNode' ? 'source' : 'output';
      const id = `${role}\u0000${node.topic}\u0000${node.schema}`;
      if (!seen.has(id)) {
        seen.add(id);
        uses.push({ topology: plan.topology, topic: node.topic, role, schema: node.schema });
      }
    }
    for (const next of node.next) visit(next);
  };
  for (const source of plan.subTopologies.flatMap((s) => s.sources)) visit(source);
  return uses;
}

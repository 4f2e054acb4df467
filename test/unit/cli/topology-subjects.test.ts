import { describe, expect, it } from 'vitest';
import { count, plan, topology, tumbling } from 'sluice';
import { formatSubjectNotes, topologySubjects } from '../../../src/cli/topology-subjects.js';
import { parseAvroSchema, type AvroRecordSchema, type LoadedSchema } from '../../../src/serde/index.js';

function loaded(name: string, schema: AvroRecordSchema): LoadedSchema {
  const type = parseAvroSchema(schema);
  return { name, path: `schemas/${name}.avsc`, schema, fullName: type.name, type };
}

const ping = loaded('ping', { type: 'record', name: 'Ping', namespace: 'dev.test', fields: [{ name: 'id', type: 'string' }, { name: 'at', type: 'long' }] });
const pong = loaded('pong', { type: 'record', name: 'Pong', namespace: 'dev.test', fields: [{ name: 'id', type: 'string' }] });
const legacy = loaded('legacy', { type: 'record', name: 'Legacy', namespace: 'dev.test', fields: [{ name: 'x', type: 'int' }] });

interface Ping { id: string; at: number }

const echo = plan(
  topology('echo')
    .source<Ping>('pings', { schema: 'ping', eventTime: 'at' })
    .deadLetter('pings.dlq')
    .to('pongs', { schema: 'pong' }),
);
const stats = plan(
  topology('stats')
    .source<Ping>('pings', { schema: 'ping', eventTime: 'at' })
    .deadLetter('pings.dlq')
    .groupBy('by-id', 'id')
    .window('per-minute', tumbling('1m'))
    .aggregate('counts', { events: count() })
    .toTable('ping-counts'),
);
const inline = plan(
  topology('inline')
    .source<Ping>('inline-pings', { schema: ping.schema as AvroRecordSchema, eventTime: 'at' })
    .to('inline-copy'),
);

describe('topologySubjects', () => {
  it('derives <topic>-value for each source and output topic with a named schema, once per subject', () => {
    const derived = topologySubjects([echo, stats], [legacy, ping, pong], 'topic');
    expect(derived.subjects).toEqual({ ping: ['pings-value'], pong: ['pongs-value'] });
    expect(derived.uses).toEqual([
      { topology: 'echo', topic: 'pings', role: 'source', schema: 'ping' },
      { topology: 'echo', topic: 'pongs', role: 'output', schema: 'pong' },
      { topology: 'stats', topic: 'pings', role: 'source', schema: 'ping' },
    ]);
    expect(derived.unused).toEqual(['legacy']);
    expect(derived.missing).toEqual([]);
  });

  it('an output without its own schema is written with the source schema, so it is that schema\'s subject too', () => {
    const copy = plan(topology('copy').source<Ping>('pings', { schema: 'ping', eventTime: 'at' }).to('ping-copies'));
    expect(topologySubjects([copy], [ping], 'topic').subjects).toEqual({ ping: ['ping-copies-value', 'pings-value'] });
  });

  it('leaves out inline schemas, generated table schemas and internal repartition topics (the runtime registers those)', () => {
    const derived = topologySubjects([inline, stats], [ping], 'topic');
    expect(derived.subjects).toEqual({ ping: ['pings-value'] });
    expect(Object.values(derived.subjects).flat().some((s) => s.includes('repartition') || s.startsWith('ping-counts'))).toBe(false);
  });

  it('with RecordNameStrategy, every schema file has its record full name as its only subject', () => {
    const derived = topologySubjects([echo], [legacy, ping, pong], 'record');
    expect(derived.subjects).toEqual({ legacy: ['dev.test.Legacy'], ping: ['dev.test.Ping'], pong: ['dev.test.Pong'] });
  });

  it('reports schema names a topology uses without a file', () => {
    const derived = topologySubjects([echo], [ping], 'topic');
    expect(derived.missing).toEqual([{ topology: 'echo', topic: 'pongs', role: 'output', schema: 'pong' }]);
    expect(derived.subjects).toEqual({ ping: ['pings-value'] });
  });
});

describe('formatSubjectNotes', () => {
  it('says which schemas were skipped and which files are missing', () => {
    const derived = topologySubjects([echo], [legacy, ping], 'topic');
    expect(formatSubjectNotes(derived, 'topic')).toEqual([
      'note: schemas/legacy.avsc is used by no topology in topologies/: skipped (no topic to name its subject after; --subject-strategy record registers it by record name)',
      "error: topology 'echo' writes topic 'pongs' with schema 'pong', but schemas/pong.avsc does not exist",
    ]);
  });

  it('has no skip note under RecordNameStrategy (nothing is skipped) and nothing to say when all is well', () => {
    expect(formatSubjectNotes(topologySubjects([echo], [legacy, ping, pong], 'record'), 'record')).toEqual([]);
    expect(formatSubjectNotes(topologySubjects([echo], [ping, pong], 'topic'), 'topic')).toEqual([]);
  });
});

import { describe, expect, test } from 'vitest';
import { BASELINE_SCRIPT, baselineCommand, DEBIAN_PYTHON, parseBaselineResult, parseDrainResult } from '../../../bench/contenders/baseline.js';
import { parseCeilingResult } from '../../../bench/contenders/ceiling.js';

const BASELINE_LINE = '{"consumed": 5000, "invalid": 47, "positions": {"0": 842, "1": 4158}, "seconds": 1.9, "undecodable": 2, "late": 0, "control": 3}';
const CEILING_LINE = '{"consumed":5000,"invalid":47,"undecodable":2,"positions":{"0":842},"seconds":0.2}';

/** The line with one field replaced (or removed, with `undefined`). */
function withField(line: string, name: string, value: unknown): string {
  const fields = JSON.parse(line) as Record<string, unknown>;
  if (value === undefined) delete fields[name];
  else fields[name] = value;
  return JSON.stringify(fields);
}

describe('bench result lines: the baseline', () => {
  test('parses its counters and positions', () => {
    expect(parseBaselineResult(BASELINE_LINE)).toEqual({ consumed: 5000, invalid: 47, positions: { '0': 842, '1': 4158 }, seconds: 1.9, undecodable: 2, late: 0, control: 3 });
  });

  test.each([
    ['undecodable', undefined],
    ['late', -1],
    ['control', 1.5],
    ['consumed', '5000'],
    ['invalid', null],
  ])('refuses a line whose "%s" is %j', (name, value) => {
    expect(() => parseBaselineResult(withField(BASELINE_LINE, name, value))).toThrow(new RegExp(`^baseline: .*${name}`));
  });

  test('refuses anything but one JSON object', () => {
    expect(() => parseBaselineResult('consumed 5000')).toThrow('baseline: result line is not JSON');
    expect(() => parseBaselineResult('[1, 2]')).toThrow('baseline: result line is not a JSON object');
    expect(() => parseBaselineResult('null')).toThrow('baseline: result line is not a JSON object');
  });
});

describe('bench result lines: the shared drain result', () => {
  test('keeps every field in raw, extras included', () => {
    const { result, raw } = parseDrainResult(withField(CEILING_LINE, 'extra', 'kept'), 'ceiling');
    expect(result).toEqual({ consumed: 5000, invalid: 47, positions: { '0': 842 }, seconds: 0.2 });
    expect(raw.extra).toBe('kept');
  });

  test.each([
    ['positions', { p0: 1 }],
    ['positions', { '0': -1 }],
    ['positions', [842]],
    ['positions', undefined],
    ['seconds', -0.1],
    ['seconds', '0.2'],
    ['consumed', 2 ** 53],
  ])('refuses "%s" = %j, naming the contender', (name, value) => {
    expect(() => parseDrainResult(withField(CEILING_LINE, name, value), 'ceiling')).toThrow(new RegExp(`^ceiling: .*"${name}"`));
  });
});

describe('bench result lines: the ceiling', () => {
  test('parses the drain result and undecodable, nothing else', () => {
    expect(parseCeilingResult(withField(CEILING_LINE, 'extra', 1))).toEqual({ consumed: 5000, invalid: 47, undecodable: 2, positions: { '0': 842 }, seconds: 0.2 });
  });

  test('refuses a line without a count of undecodable records', () => {
    expect(() => parseCeilingResult(withField(CEILING_LINE, 'undecodable', undefined))).toThrow('ceiling: result field "undecodable" is not a count');
    expect(() => parseCeilingResult(withField(CEILING_LINE, 'undecodable', -2))).toThrow('ceiling: result field "undecodable" is not a count');
  });
});

describe('bench baseline command', () => {
  test("runs Debian's python on the script with explicit endpoints, falling back to the given environment", () => {
    const command = baselineCommand({ input: 'in', dlq: 'in.dlq', table: 't', group: 'g', maxSeconds: 60, env: { KAFKA_BOOTSTRAP_SERVERS: 'b:1' } });
    expect(command.command).toBe(DEBIAN_PYTHON);
    expect(command.args).toEqual([
      BASELINE_SCRIPT,
      '--bootstrap', 'b:1',
      '--registry', 'http://127.0.0.1:8081/apis/ccompat/v7',
      '--database-url', 'postgres://postgres@127.0.0.1:5432/postgres',
      '--input', 'in',
      '--dlq', 'in.dlq',
      '--table', 't',
      '--group', 'g',
      '--max-seconds', '60',
    ]);
    // The pyenv interpreter's paths must not leak into Debian's python.
    expect(command.env).toMatchObject({ PYTHONPATH: '', PYTHONHOME: '', PYTHONNOUSERSITE: '1', KAFKA_BOOTSTRAP_SERVERS: 'b:1' });
  });

  test('without maxSeconds it runs to the end', () => {
    expect(baselineCommand({ input: 'in', dlq: 'd', table: 't', group: 'g', env: {} }).args).not.toContain('--max-seconds');
  });
});

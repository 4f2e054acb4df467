import { describe, expect, it } from 'vitest';
import { parseJavaMajor } from '../../../src/stack/java-toolchain.js';
import { kafkaNodes, nativePorts, stackBrokers, stackLayout } from '../../../src/stack/stack-layout.js';
import { redactUrl } from '../../../src/stack/stack-endpoints.js';
import { stackPreference } from '../../../src/stack/stack.js';
import { StackError } from '../../../src/stack/stack-error.js';

describe('parseJavaMajor', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "25.0.3" 2026-04-21 LTS', 25],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ['no java here', 0],
  ])('%s → %i', (output, major) => expect(parseJavaMajor(output)).toBe(major));
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });
  it('leaves URLs without a password alone', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });
  it('redacts even what URL cannot parse', () => {
    expect(redactUrl('weird://u:p@@host')).not.toContain(':p@');
  });
});

describe('nativePorts', () => {
  it('defaults to the usual ports', () => {
    expect(nativePorts({})).toEqual({ kafka: 9092, controller: 9093, registry: 8081 });
  });
  it('reads overrides', () => {
    expect(nativePorts({ SLUICE_STACK_KAFKA_PORT: '19092', SLUICE_STACK_REGISTRY_PORT: '18081' })).toMatchObject({ kafka: 19092, registry: 18081 });
  });
  it('names the key of a bad port', () => {
    expect(() => nativePorts({ SLUICE_STACK_KAFKA_PORT: 'ninety' })).toThrow(/SLUICE_STACK_KAFKA_PORT must be a TCP port.*'ninety'/);
    expect(() => nativePorts({ SLUICE_STACK_REGISTRY_PORT: '70000' })).toThrow(/SLUICE_STACK_REGISTRY_PORT/);
  });
});

describe('stackLayout', () => {
  it('keeps run state in the project and artifacts in the cache', () => {
    const layout = stackLayout({ projectDir: '/p', env: { SLUICE_CACHE_DIR: '/cache' } });
    expect(layout.kafka.logFile).toBe('/p/.sluice/kafka/kafka.log');
    expect(layout.registry.pidFile).toBe('/p/.sluice/registry/registry.pid');
    expect(layout.kafka.libsDir.startsWith('/cache/kafka-')).toBe(true);
  });
});

describe('stackPreference', () => {
  it('accepts auto, docker and native in any case', () => {
    expect(stackPreference({})).toBe('auto');
    expect(stackPreference({ SLUICE_STACK: 'Native' })).toBe('native');
  });
  it('refuses anything else, naming the variable', () => {
    expect(() => stackPreference({ SLUICE_STACK: 'podman' })).toThrow(/SLUICE_STACK must be auto, docker or native, got 'podman'/);
  });
});

describe('StackError', () => {
  it('names the problem, the log and the alternatives', () => {
    const error = new StackError({ problem: 'Kafka did not start', logFile: '/x/kafka.log', logTail: 'boom', alternatives: ['use Docker'] });
    expect(error.message).toBe('Kafka did not start\n  log:  /x/kafka.log\n  last log lines:\n    boom\n  or:   use Docker');
  });
});

describe('kafkaNodes', () => {
  const layout = stackLayout({ projectDir: '/p', env: { SLUICE_CACHE_DIR: '/cache' } });
  it('one broker is the one-broker stack, files in .sluice/kafka/', () => {
    const [node, ...rest] = kafkaNodes(layout, nativePorts({}), 1);
    expect(rest).toEqual([]);
    expect(node).toMatchObject({ id: 1, port: 9092, controllerPort: 9093, pidFile: '/p/.sluice/kafka/kafka.pid', dataDir: '/p/.sluice/kafka/data' });
  });
  it('a cluster of 3: ports step by 2, each node with its own files under .sluice/kafka-cluster-3/', () => {
    const nodes = kafkaNodes(layout, nativePorts({ SLUICE_STACK_KAFKA_PORT: '29092', SLUICE_STACK_CONTROLLER_PORT: '29093' }), 3);
    expect(nodes.map((n) => [n.id, n.port, n.controllerPort])).toEqual([
      [1, 29092, 29093],
      [2, 29094, 29095],
      [3, 29096, 29097],
    ]);
    expect(nodes[1]).toMatchObject({
      logFile: '/p/.sluice/kafka-cluster-3/broker-2/kafka.log',
      pidFile: '/p/.sluice/kafka-cluster-3/broker-2/kafka.pid',
      dataDir: '/p/.sluice/kafka-cluster-3/broker-2/data',
      configFile: '/p/.sluice/kafka-cluster-3/broker-2/server.properties',
    });
  });
});

describe('stackBrokers', () => {
  it('reads SLUICE_STACK_BROKERS, unset by default', () => {
    expect(stackBrokers({})).toBeUndefined();
    expect(stackBrokers({ SLUICE_STACK_BROKERS: '3' })).toBe(3);
  });
  it('refuses what is not 1 to 5, naming the variable', () => {
    expect(() => stackBrokers({ SLUICE_STACK_BROKERS: '0' })).toThrow(/SLUICE_STACK_BROKERS must be a whole number from 1 to 5, got '0'/);
    expect(() => stackBrokers({ SLUICE_STACK_BROKERS: 'six' })).toThrow(/SLUICE_STACK_BROKERS/);
  });
});

import { describe, expect, it } from 'vitest';
import { bootstrapBrokers, describeTopicConfigs } from '../../../src/kafka/describe-topic-configs.js';

describe('describeTopicConfigs', () => {
  it('reads bootstrap.servers lists with protocol prefixes, IPv6 brackets and default ports', () => {
    expect(bootstrapBrokers('PLAINTEXT://b1:9093, [::1]:9094,b3')).toEqual([
      { host: 'b1', port: 9093 },
      { host: '::1', port: 9094 },
      { host: 'b3', port: 9092 },
    ]);
  });

  it('does not guess at a handshake it does not speak: unknown on a secured connection', async () => {
    expect(await describeTopicConfigs({ 'bootstrap.servers': 'b:9092', 'security.protocol': 'SASL_SSL' }, ['t'])).toBeUndefined();
  });

  it('rejects, naming the brokers, when none answers', async () => {
    await expect(describeTopicConfigs({ 'bootstrap.servers': '127.0.0.1:1' }, ['t'], undefined, 2_000)).rejects.toThrow(/no bootstrap broker answered \(127\.0\.0\.1:1/);
  });
});

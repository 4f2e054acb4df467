/**
 * `sluice/testing`: run topologies with no broker.
 *
 * @example
 * ```ts
 * import { TopologyTestDriver } from 'sluice/testing';
 * const driver = new TopologyTestDriver(myTopology, { partitions: 2 });
 * ```
 * @module
 */
export { TopologyTestDriver, type TopologyTestDriverOptions } from './topology-test-driver.js';
export {
  TestDeadLetterTopic,
  TestInputTopic,
  TestOutputTopic,
  TestTable,
  type DeadLetter,
  type SendOptions,
  type TestRecord,
} from './test-topics.js';
export { TestSink } from './test-sink.js';
export { InMemoryTopics } from './in-memory-topics.js';
export { schemaResolver, type NamedSchema } from '../runtime/schema-resolver.js';
export { InMemorySchemaRegistry } from '../serde/index.js';

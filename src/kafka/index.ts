export { BatchConsumer, type CommittedOffset, type RebalanceListener } from './batch-consumer.js';
export { KafkaAdmin, type TopicRequirement } from './kafka-admin.js';
export { kafkaPropertiesFromEnv, redactKafkaProperties, type KafkaProperties } from './kafka-config.js';
export { KafkaClientError } from './kafka-error.js';
export { probeKafka } from './probe-kafka.js';
export { RecordProducer, type OutgoingRecord } from './record-producer.js';
export type { Message as KafkaMessage } from './rdkafka.js';
export { TransactionalProducer, transactionFault, type TransactionFault } from './transactional-producer.js';
export type { TopicPartition, TopicPartitionOffset } from './rdkafka.js';

// The single import of the librdkafka binding: every other file in src/kafka goes through here,
// and nothing outside src/kafka imports it at all.
import rdkafka from '@confluentinc/kafka-javascript';

export const { AdminClient, KafkaConsumer, Producer, CODES } = rdkafka;
export type {
  Assignment,
  GlobalConfig,
  IAdminClient,
  KafkaConsumer as KafkaConsumerClient,
  LibrdKafkaError,
  Message,
  MessageHeader,
  Producer as ProducerClient,
  TopicDescription,
  TopicPartition,
  TopicPartitionOffset,
  TopicPartitionOffsetAndMetadata,
} from '@confluentinc/kafka-javascript';

/** Consumer methods the binding has at run time but its type declarations leave out. */
export interface CooperativeRebalancing {
  rebalanceProtocol(): 'NONE' | 'COOPERATIVE' | 'EAGER';
  incrementalAssign(partitions: import('@confluentinc/kafka-javascript').TopicPartition[]): void;
  incrementalUnassign(partitions: import('@confluentinc/kafka-javascript').TopicPartition[]): void;
}

/** The binding's asynchronous commit (on libuv's thread pool), which its type declarations leave out. */
export interface CommitWithCallback {
  commitCb(offsets: import('@confluentinc/kafka-javascript').TopicPartitionOffset[], callback: (error: import('@confluentinc/kafka-javascript').LibrdKafkaError | null) => void): void;
}

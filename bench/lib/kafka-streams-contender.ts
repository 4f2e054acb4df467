import { join } from 'node:path';
import { ensureKafkaStreamsBuilt, kafkaStreamsCommand } from '../contenders/kafka-streams.js';
import { ContenderProcess } from './contender-process.js';
import type { Contender } from './contender.js';
import { runForeverContender } from './sluice-contender.js';

/**
 * The same topology in Kafka Streams (bench/kafka-streams, built with Maven):
 * one stream thread, exactly-once v2, commit interval 100 ms. Its changelog
 * topics (`<application id>-…`) are deleted after each round.
 *
 * @example
 * ```ts
 * const outcome = await kafkaStreamsContender().runRound(ctx);
 * ```
 */
export function kafkaStreamsContender(): Contender {
  return {
    name: 'kafka-streams',
    prepare: async (log) => {
      await ensureKafkaStreamsBuilt(log);
    },
    runRound: (context) =>
      runForeverContender(
        context,
        'kafka-streams',
        async (names) =>
          ContenderProcess.start(
            kafkaStreamsCommand({
              input: context.workload.topic,
              output: names.table,
              dlq: names.dlq,
              applicationId: names.group,
              bootstrap: context.endpoints.bootstrap,
              registryUrl: context.endpoints.registryUrl,
            }),
            join(context.logDir, `${names.group}.log`),
          ),
        (group) => `${group}-`,
      ),
  };
}

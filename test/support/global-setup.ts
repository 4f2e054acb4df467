import type { TestProject } from 'vitest/node';
import { serviceProbes } from '../../src/cli/service-probes.js';
import { ENDPOINT_ENV, stackDown, stackUp, type StackEndpoints } from '../../src/stack/index.js';
import { startTestcontainersStack } from './testcontainers-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
  }
}

const projectDir = new URL('../..', import.meta.url).pathname;

/**
 * Decides once where the integration tests' Kafka, registry and PostgreSQL
 * come from: endpoints in the environment; else testcontainers where a Docker
 * engine answers; else the native JVM stack. Tests read them with
 * `inject('stack')`. Whatever this run started, it stops at the end — a stack
 * that was already running (e.g. `sluice stack up`) is reused and left running.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = process.env;
  const allFromEnv = Object.values(ENDPOINT_ENV).every((name) => Boolean(env[name]));
  const log = (line: string): void => void process.stderr.write(`[stack] ${line}\n`);

  if (!allFromEnv && env.SLUICE_STACK !== 'native') {
    const containers = await startTestcontainersStack(log);
    if (containers) {
      announce(containers.endpoints);
      project.provide('stack', containers.endpoints);
      return containers.stop;
    }
  }

  let endpoints;
  try {
    endpoints = await stackUp({ projectDir, probes: serviceProbes, log });
  } catch (error) {
    throw new Error(
      `integration tests need Kafka, a schema registry and PostgreSQL, and none could be had:\n${error instanceof Error ? error.message : String(error)}`,
    );
  }
  announce(endpoints);
  project.provide('stack', {
    mode: endpoints.mode,
    kafkaBootstrapServers: endpoints.kafkaBootstrapServers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    databaseUrl: endpoints.databaseUrl,
    sources: endpoints.sources,
  });
  const startedNow = endpoints.startedNow;
  return async () => {
    if (startedNow.length === 0 || env.SLUICE_KEEP_STACK === '1') return;
    const stopped = await stackDown({ projectDir });
    log(`stopped what this test run started: ${stopped.join(', ')}`);
  };
}

function announce(endpoints: StackEndpoints): void {
  process.stderr.write(
    `[stack] integration tests run on stack mode "${endpoints.mode}" ` +
      `(kafka ${endpoints.sources.kafka} ${endpoints.kafkaBootstrapServers}, registry ${endpoints.sources.registry} ${endpoints.schemaRegistryUrl}, ` +
      `postgres ${endpoints.sources.postgres})\n`,
  );
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JavaToolchain } from './java-toolchain.js';
import { ManagedProcess } from './managed-process.js';
import { apicurioRunnerJar, ensureApicurioApp } from './maven-artifacts.js';
import { portInUse } from './port-check.js';
import { GENERAL_ALTERNATIVES, StackError } from './stack-error.js';
import type { NativePorts, StackLayout } from './stack-layout.js';
import { waitUntilReady } from './wait-until-ready.js';

const START_TIMEOUT_MS = 120_000;

/** The path under which Apicurio serves the Confluent Schema Registry API. */
export const APICURIO_CONFLUENT_PATH = '/apis/ccompat/v7';

/** The background Apicurio Registry of the native stack. */
export function registryProcess(layout: StackLayout): ManagedProcess {
  return new ManagedProcess({
    name: 'registry',
    pidFile: layout.registry.pidFile,
    logFile: layout.registry.logFile,
    marker: apicurioRunnerJar(layout.registry.appDir),
  });
}

/**
 * Resolves once a Confluent-compatible registry answers `GET /subjects`.
 *
 * @example
 * ```ts
 * await probeRegistry('http://127.0.0.1:8081/apis/ccompat/v7', 5_000);
 * ```
 */
export async function probeRegistry(url: string, timeoutMs: number): Promise<void> {
  const response = await fetch(`${url.replace(/\/$/, '')}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`GET ${url}/subjects answered ${response.status}`);
  await response.arrayBuffer();
}

/**
 * Starts (or finds running) Apicurio Registry with its schemas in an H2 file
 * under `.sluice/registry/` (so a registry restart keeps ids), and sets the
 * global compatibility rule to BACKWARD — Confluent's default, which Apicurio
 * does not apply on its own.
 *
 * @example
 * ```ts
 * const { url } = await startNativeRegistry({ layout, ports, toolchain, log: console.log });
 * // 'http://127.0.0.1:8081/apis/ccompat/v7'
 * ```
 */
export async function startNativeRegistry(options: {
  layout: StackLayout;
  ports: NativePorts;
  toolchain: JavaToolchain;
  log: (line: string) => void;
}): Promise<{ url: string; reused: boolean }> {
  const { layout, ports, toolchain, log } = options;
  const url = `http://127.0.0.1:${ports.registry}${APICURIO_CONFLUENT_PATH}`;
  const registry = registryProcess(layout);
  if (registry.running()) {
    await waitFor(registry, url, layout, 30_000);
    return { url, reused: true };
  }
  if (await portInUse(ports.registry)) {
    throw new StackError({
      problem: `port ${ports.registry} is already taken by a process the native stack did not start, so the schema registry cannot listen on it`,
      alternatives: [
        `if that is a Confluent-compatible registry, use it: SCHEMA_REGISTRY_URL=http://127.0.0.1:${ports.registry}`,
        'or move ours: SLUICE_STACK_REGISTRY_PORT=18081',
        ...GENERAL_ALTERNATIVES,
      ],
    });
  }
  await ensureApicurioApp(toolchain, layout.registry.appDir, log);
  const dataDir = join(layout.registry.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  log(`starting Apicurio Registry on ${url} (log: ${layout.registry.logFile})`);
  registry.start(toolchain.java, [
    '-Xms128m',
    '-Xmx512m',
    '-Djava.util.logging.manager=org.jboss.logmanager.LogManager',
    `-Dquarkus.http.port=${ports.registry}`,
    '-Dquarkus.http.host=127.0.0.1',
    '-Dapicurio.storage.sql.kind=h2',
    `-Dapicurio.datasource.url=jdbc:h2:file:${join(dataDir, 'registry')};DB_CLOSE_ON_EXIT=FALSE`,
    '-Dquarkus.log.level=WARN',
    '-Dquarkus.log.category."io.apicurio".level=INFO',
    '-jar',
    apicurioRunnerJar(layout.registry.appDir),
  ]);
  await waitFor(registry, url, layout, START_TIMEOUT_MS);
  await setGlobalCompatibility(url, 'BACKWARD');
  return { url, reused: false };
}

async function setGlobalCompatibility(url: string, level: string): Promise<void> {
  const response = await fetch(`${url}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: level }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new StackError({ problem: `setting the registry's global compatibility to ${level} failed: HTTP ${response.status}` });
  await response.arrayBuffer();
}

async function waitFor(registry: ManagedProcess, url: string, layout: StackLayout, timeoutMs: number): Promise<void> {
  const failure = await waitUntilReady({
    timeoutMs,
    check: (remaining) => probeRegistry(url, remaining),
    gaveUp: () => (registry.running() ? undefined : 'the registry process exited'),
  });
  if (failure) {
    throw new StackError({
      problem: `the schema registry did not answer at ${url}: ${failure}`,
      logFile: layout.registry.logFile,
      logTail: registry.logTail(),
      alternatives: GENERAL_ALTERNATIVES,
    });
  }
}

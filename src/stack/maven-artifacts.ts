import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JavaToolchain } from './java-toolchain.js';
import { runCommand } from './run-command.js';
import { GENERAL_ALTERNATIVES, StackError } from './stack-error.js';
import { NATIVE_VERSIONS } from './stack-layout.js';

const RESOLVE_TIMEOUT_MS = 15 * 60_000;
const COMPLETE = '.complete';

/**
 * Puts the Kafka broker's runtime classpath (plus the Log4j 2 binding the
 * Kafka POMs leave out) into `libsDir`, resolving it from Maven Central once.
 *
 * @example
 * ```ts
 * await ensureKafkaLibs(toolchain, layout.kafka.libsDir, console.log);
 * // java -cp '<libsDir>/*' kafka.Kafka server.properties
 * ```
 */
export async function ensureKafkaLibs(toolchain: JavaToolchain, libsDir: string, log: (line: string) => void): Promise<void> {
  const { kafka, log4j } = NATIVE_VERSIONS;
  const pom = pomWith([
    ['org.apache.kafka', 'kafka_2.13', kafka],
    ['org.apache.logging.log4j', 'log4j-slf4j-impl', log4j],
  ]);
  await resolveOnce(toolchain, libsDir, `Kafka ${kafka}`, log, async (tmpDir) => {
    writeFileSync(join(tmpDir, 'pom.xml'), pom);
    return ['-f', join(tmpDir, 'pom.xml'), 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${join(tmpDir, 'out')}`];
  });
}

/**
 * Unpacks the Apicurio Registry Quarkus app into `appDir`, resolving it from Maven Central once.
 *
 * @example
 * ```ts
 * await ensureApicurioApp(toolchain, layout.registry.appDir, console.log);
 * // java -jar '<appDir>/apicurio-registry-app-3.0.9-runner.jar'
 * ```
 */
export async function ensureApicurioApp(toolchain: JavaToolchain, appDir: string, log: (line: string) => void): Promise<void> {
  const version = NATIVE_VERSIONS.apicurio;
  await resolveOnce(toolchain, appDir, `Apicurio Registry ${version}`, log, async (tmpDir) => [
    'dependency:unpack',
    `-Dartifact=io.apicurio:apicurio-registry-app:${version}:tar.gz:all`,
    `-DoutputDirectory=${join(tmpDir, 'out')}`,
    // Without a project the plugin writes its markers under ${project.basedir} in the working directory.
    `-DmarkersDirectory=${join(tmpDir, 'markers')}`,
  ]);
}

/** The jar that starts Apicurio Registry inside its app directory. */
export function apicurioRunnerJar(appDir: string): string {
  return join(appDir, `apicurio-registry-app-${NATIVE_VERSIONS.apicurio}-runner.jar`);
}

async function resolveOnce(
  toolchain: JavaToolchain,
  targetDir: string,
  what: string,
  log: (line: string) => void,
  mavenArgs: (tmpDir: string) => Promise<string[]>,
): Promise<void> {
  if (existsSync(join(targetDir, COMPLETE))) return;
  // Resolve beside the target and rename at the end, so an interrupted download never looks complete.
  const tmpDir = `${targetDir}.partial-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  log(`resolving ${what} from Maven Central into ${targetDir} (first run only)…`);
  const started = Date.now();
  const args = ['-B', '-q', ...(await mavenArgs(tmpDir))];
  const result = await runCommand(toolchain.mvn, args, { timeoutMs: RESOLVE_TIMEOUT_MS, cwd: tmpDir });
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-12).join('\n');
    rmSync(tmpDir, { recursive: true, force: true });
    throw new StackError({
      problem: `Maven could not resolve ${what} (mvn ${args.join(' ')} exited ${result.code})`,
      logTail: output,
      alternatives: ['check that Maven Central is reachable (mvn settings, proxy)', ...GENERAL_ALTERNATIVES],
    });
  }
  writeFileSync(join(tmpDir, 'out', COMPLETE), new Date().toISOString());
  rmSync(targetDir, { recursive: true, force: true });
  mkdirSync(dirname(targetDir), { recursive: true });
  renameSync(join(tmpDir, 'out'), targetDir);
  rmSync(tmpDir, { recursive: true, force: true });
  log(`resolved ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function pomWith(dependencies: ReadonlyArray<readonly [string, string, string]>): string {
  const deps = dependencies
    .map(([g, a, v]) => `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`)
    .join('\n');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.sluice.stack</groupId>
  <artifactId>native-stack</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
</project>
`;
}

import { join } from 'node:path';
import { runCommand } from './run-command.js';
import { GENERAL_ALTERNATIVES, StackError } from './stack-error.js';

/** The Java and Maven commands the native stack will use. */
export interface JavaToolchain {
  readonly java: string;
  readonly javaMajor: number;
  readonly mvn: string;
}

/**
 * Finds Java 17+ (from `JAVA_HOME`, else `PATH`) and Maven, or explains what is missing.
 *
 * @example
 * ```ts
 * const { java, mvn } = await findJavaToolchain();
 * ```
 */
export async function findJavaToolchain(env: NodeJS.ProcessEnv = process.env): Promise<JavaToolchain> {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const version = await runCommand(java, ['-version'], { timeoutMs: 20_000 });
  if (version.code !== 0) {
    throw new StackError({
      problem: `Java was not found (${java}: ${version.stderr.trim().split('\n')[0] ?? 'no output'}); the native stack runs Kafka and the schema registry on Java 17+`,
      alternatives: ['install it: apt-get install -y openjdk-17-jre-headless maven', ...GENERAL_ALTERNATIVES],
    });
  }
  const javaMajor = parseJavaMajor(version.stderr + version.stdout);
  if (javaMajor < 17) {
    throw new StackError({
      problem: `Java ${javaMajor} found at ${java}, but Kafka 4 needs Java 17 or newer`,
      alternatives: ['point JAVA_HOME at a JDK 17+', ...GENERAL_ALTERNATIVES],
    });
  }
  const mvn = env.SLUICE_MVN ?? 'mvn';
  const maven = await runCommand(mvn, ['-v'], { timeoutMs: 30_000, env: { ...env, JAVA_HOME: env.JAVA_HOME ?? '' } });
  if (maven.code !== 0) {
    throw new StackError({
      problem: `Maven was not found (${mvn}); the native stack fetches Kafka and Apicurio Registry from Maven Central with it`,
      alternatives: ['install it: apt-get install -y maven', ...GENERAL_ALTERNATIVES],
    });
  }
  return { java, javaMajor, mvn };
}

/**
 * Reads the major version from `java -version` output.
 *
 * @example
 * ```ts
 * parseJavaMajor('openjdk version "17.0.15" 2025-04-15'); // 17
 * parseJavaMajor('java version "1.8.0_392"');             // 8
 * ```
 */
export function parseJavaMajor(versionOutput: string): number {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return 0;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2] ?? 0) : first;
}

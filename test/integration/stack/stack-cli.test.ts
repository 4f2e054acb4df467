import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const sluice = new URL('../../../bin/sluice.js', import.meta.url).pathname;

// A second native stack of its own, in its own project directory and on its own
// ports, so `down` can be tested without touching the stack the other tests use.
const projectDir = mkdtempSync(join(tmpdir(), 'sluice-stack-cli-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  SLUICE_STACK: 'native',
  SLUICE_STACK_KAFKA_PORT: '29092',
  SLUICE_STACK_CONTROLLER_PORT: '29093',
  SLUICE_STACK_REGISTRY_PORT: '28081',
  KAFKA_BOOTSTRAP_SERVERS: '',
  SCHEMA_REGISTRY_URL: '',
};

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [sluice, ...args], { cwd: projectDir, env, timeout: 240_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function pidOf(service: 'kafka' | 'registry'): number {
  return Number(readFileSync(join(projectDir, '.sluice', service, `${service}.pid`), 'utf8'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

afterAll(async () => {
  await cli('stack', 'down');
  rmSync(projectDir, { recursive: true, force: true });
});

describe('sluice stack (native, real JVMs)', () => {
  it('up starts Kafka and the registry, a second up reuses them, status reports them, down stops them', async () => {
    const first = await cli('stack', 'up');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('# stack mode: native');
    expect(first.stdout).toContain('KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092');
    expect(first.stdout).toContain('SCHEMA_REGISTRY_URL=http://127.0.0.1:28081/apis/ccompat/v7');
    const kafkaPid = pidOf('kafka');
    const registryPid = pidOf('registry');
    expect(alive(kafkaPid) && alive(registryPid)).toBe(true);

    const second = await cli('stack', 'up');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('kafka: reusing the running broker');
    expect(second.stderr).toContain('registry: reusing the running registry');
    expect([pidOf('kafka'), pidOf('registry')]).toEqual([kafkaPid, registryPid]);

    const status = await cli('stack', 'status');
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`kafka +up +native +127\\.0\\.0\\.1:29092 +pid ${kafkaPid}`));
    expect(status.stdout).toMatch(new RegExp(`registry +up +native +http://127\\.0\\.0\\.1:28081/apis/ccompat/v7 +pid ${registryPid}`));
    expect(status.stdout).toMatch(/postgres +up /);

    const down = await cli('stack', 'down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('stopped: registry, kafka');
    expect(alive(kafkaPid)).toBe(false);
    expect(alive(registryPid)).toBe(false);

    const after = await cli('stack', 'status');
    expect(after.code).toBe(3);
    expect(after.stdout).toMatch(/kafka +DOWN/);
  });

  it('a taken port is a clear error naming the port and the ways out, not a hang', async () => {
    const { createServer } = await import('node:net');
    const squatter = createServer().listen(29092, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const result = await cli('stack', 'up');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('port 29092 is already taken');
      expect(result.stderr).toContain('KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092');
      expect(result.stderr).toContain('docker compose');
    } finally {
      squatter.close();
    }
  });

  it('a missing Java is a clear error with alternatives', async () => {
    const result = await run(process.execPath, [sluice, 'stack', 'up'], {
      cwd: projectDir,
      env: { ...env, JAVA_HOME: '/nonexistent-jdk' },
      timeout: 60_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Java was not found');
    expect(result.stderr).toContain('KAFKA_BOOTSTRAP_SERVERS');
  });
});

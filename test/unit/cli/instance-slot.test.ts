import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimInstanceSlot } from '../../../src/cli/instance-slot.js';

const dirs: string[] = [];
const project = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-slot-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('claimInstanceSlot (the instance id of sluice run without --instance-id)', () => {
  it('a process restarted after a crash gets its predecessor’s id back; a live peer keeps its own', () => {
    const dir = project();
    const alive = new Set<number>();
    const isAlive = (pid: number): boolean => alive.has(pid);
    const first = claimInstanceSlot(dir, { pid: 101, host: 'h', isAlive });
    alive.add(101);
    const peer = claimInstanceSlot(dir, { pid: 102, host: 'h', isAlive });
    alive.add(102);
    expect([first.slot, peer.slot]).toEqual([0, 1]);
    expect(first.id).not.toBe(peer.id);
    expect(first.id).toMatch(/^h-[0-9a-f]{6}-0$/);

    alive.delete(101); // kill -9: the slot file stays, its pid is dead
    const restarted = claimInstanceSlot(dir, { pid: 103, host: 'h', isAlive });
    expect(restarted.id).toBe(first.id);
    expect(readFileSync(join(dir, '.sluice', 'instances', 'slot-0.pid'), 'utf8').trim()).toBe('103');
  });

  it('a released slot is free again; another project directory gets another id', () => {
    const dir = project();
    const a = claimInstanceSlot(dir, { pid: 201, host: 'h', isAlive: () => true });
    a.release();
    const b = claimInstanceSlot(dir, { pid: 202, host: 'h', isAlive: () => true });
    expect(b.id).toBe(a.id);
    const other = claimInstanceSlot(project(), { pid: 203, host: 'h', isAlive: () => true });
    expect(other.slot).toBe(0);
    expect(other.id).not.toBe(a.id);
  });

  it('an unreadable slot file counts as free', () => {
    const dir = project();
    claimInstanceSlot(dir, { pid: 301, host: 'h', isAlive: () => true }).release();
    writeFileSync(join(dir, '.sluice', 'instances', 'slot-0.pid'), 'garbage');
    expect(claimInstanceSlot(dir, { pid: 302, host: 'h', isAlive: () => true }).slot).toBe(0);
  });
});

describe('claimInstanceSlot across processes started at once', () => {
  it('no two live processes get the same slot (the scale-out test once started two on slot 0)', async () => {
    const { spawn } = await import('node:child_process');
    const module = new URL('../../../src/cli/instance-slot.ts', import.meta.url).pathname;
    // Each claimer holds its slot until every claimer has reported one (its stdin closes then): on a busy
    // machine a claimer that released on a timer let a late starter take its slot, legitimately.
    const script = `import { claimInstanceSlot } from ${JSON.stringify(module)}; const s = claimInstanceSlot(process.argv[1]); console.log(s.slot); process.stdin.resume(); process.stdin.on('end', () => s.release());`;
    for (let round = 0; round < 2; round++) {
      const dir = project();
      const children = Array.from({ length: 6 }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { stdio: ['pipe', 'pipe', 'inherit'] }));
      const reported = children.map(
        (child) =>
          new Promise<string>((resolve, reject) => {
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              if (out.endsWith('\n')) resolve(out.trim());
            });
            child.on('error', reject);
            child.on('exit', (code) => reject(new Error(`claimer exited ${code} before reporting a slot`)));
          }),
      );
      let slots: string[];
      try {
        slots = await Promise.all(reported);
      } finally {
        for (const child of children) child.stdin.end();
      }
      await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)))));
      expect([...slots].sort(), `round ${round}`).toEqual(['0', '1', '2', '3', '4', '5']);
    }
  }, 60_000);
});

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

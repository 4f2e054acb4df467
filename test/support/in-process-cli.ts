import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Runs `sluice …` in-process on the project `dir` and returns the exit code and what went to stderr. */
export async function sluiceInProcess(dir: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    return { code: await main(['node', 'sluice', ...args], dir), stderr: lines.join('') };
  } finally {
    spy.mockRestore();
  }
}

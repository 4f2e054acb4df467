import { describe, expect, test } from 'vitest';
import { importOptional, OptionalPackageMissingError, resolveOptional } from '../../../src/optional-package.js';

describe('optional packages', () => {
  test('a package that is not installed says which feature needs it and how to install it', async () => {
    const missing = importOptional('sluice-no-such-package', () => import('sluice-no-such-package' as string), 'drawing topology pictures');
    await expect(missing).rejects.toBeInstanceOf(OptionalPackageMissingError);
    await expect(missing).rejects.toThrow(
      'drawing topology pictures needs the optional package sluice-no-such-package, which is not installed: npm install sluice-no-such-package',
    );
    expect(() => resolveOptional('sluice-no-such-package', 'sluice-no-such-package/dist/x.js', 'pictures', (s) => require.resolve(s))).toThrow(
      OptionalPackageMissingError,
    );
  });

  test('an installed package loads; any other failure, and a missing module of another name, is not blamed on the package', async () => {
    expect(typeof (await importOptional('avsc', () => import('avsc'), 'x')).Type).toBe('function');
    const broken = new Error('boom');
    await expect(importOptional('mermaid', () => Promise.reject(broken), 'x')).rejects.toBe(broken);
    const other = Object.assign(new Error("Cannot find package 'left-pad' imported from /x/mermaid/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(importOptional('mermaid', () => Promise.reject(other), 'x')).rejects.toBe(other);
  });
});

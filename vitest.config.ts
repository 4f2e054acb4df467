import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// Tests import the package by its public name, exactly as users do.
const alias = {
  'sluice/testing': fromRoot('./src/testing/index.ts'),
  sluice: fromRoot('./src/index.ts'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    // One broker, one registry and two cores: test files run one after another.
    fileParallelism: false,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          // Unit tests first: their verdict comes in seconds, before the slower integration suite.
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts', 'test/conformance/driver.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});

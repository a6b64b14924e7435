import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Test configuration shared by every package: coverage of `src/**` with v8,
 * a JSON report that `.ci/run` sums into its closing line, and a 90% line floor.
 */
export function packageTestConfig(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      coverage: {
        provider: 'v8',
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.test.ts', 'src/index.ts', 'src/**/*.generated.ts'],
        reporter: ['text-summary', 'json-summary'],
        thresholds: { lines: 90 },
      },
      ...overrides,
    },
  });
}

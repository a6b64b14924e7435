import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  globalSetup: ['test/setup/global-redis.ts', 'test/setup/build.ts'],
  // The process tests spawn node and wait for Redis timeouts of their own.
  testTimeout: 30_000,
  hookTimeout: 60_000,
  coverage: {
    provider: 'v8',
    include: ['src/**/*.ts'],
    // bin.ts only wires process streams to runCli: test/bin.integration.test.ts
    // runs it as a process, which v8 coverage of this process cannot see.
    exclude: ['src/**/*.test.ts', 'src/index.ts', 'src/bin.ts'],
    reporter: ['text-summary', 'json-summary'],
    thresholds: { lines: 90 },
  },
});

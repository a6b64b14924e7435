import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  // The property tests run thousands of validations; under a loaded CI machine
  // (every package tests at once) they need more than vitest's 5 s default.
  testTimeout: 60_000,
  coverage: {
    provider: 'v8',
    include: ['src/**/*.ts'],
    // cli.ts is the 5-line bin wrapper around runExportCli, which is tested.
    exclude: ['src/**/*.test.ts', 'src/index.ts', 'src/cli.ts'],
    reporter: ['text-summary', 'json-summary'],
    thresholds: { lines: 90 },
  },
});

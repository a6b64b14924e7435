import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  coverage: {
    provider: 'v8',
    include: ['src/**/*.ts'],
    // cli.ts is the 5-line bin wrapper around runExportCli, which is tested.
    exclude: ['src/**/*.test.ts', 'src/index.ts', 'src/cli.ts'],
    reporter: ['text-summary', 'json-summary'],
    thresholds: { lines: 90 },
  },
});

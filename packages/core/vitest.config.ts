import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  coverage: {
    provider: 'v8',
    include: ['src/**/*.ts'],
    // index.ts and backend.ts only re-export the two entry points.
    exclude: ['src/**/*.test.ts', 'src/index.ts', 'src/backend.ts'],
    reporter: ['text-summary', 'json-summary'],
    thresholds: { lines: 90 },
  },
});

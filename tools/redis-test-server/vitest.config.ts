import { packageTestConfig } from '../../vitest.shared.ts';

// The helper's own tests: provisioning (with injected runners), start, stop.
export default packageTestConfig({
  testTimeout: 20_000,
  coverage: {
    provider: 'v8',
    include: ['src/redis-server.ts'],
    reporter: ['text-summary', 'json-summary'],
    thresholds: { lines: 90 },
  },
});

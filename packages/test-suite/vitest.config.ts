import { packageTestConfig } from '../../vitest.shared.ts';

// The groups are exercised by every backend's conformance run; this package's
// own tests cover the redis-server helper (provisioning, start, stop).
export default packageTestConfig({
  testTimeout: 20_000,
  coverage: {
    provider: 'v8',
    include: ['src/redis-server.ts'],
    reporter: ['text-summary', 'json-summary'],
    thresholds: { lines: 90 },
  },
});

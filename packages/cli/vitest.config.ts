import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  globalSetup: ['test/setup/global-redis.ts', 'test/setup/build.ts'],
  // The process tests spawn node and wait for Redis timeouts of their own.
  testTimeout: 30_000,
  hookTimeout: 60_000,
});

import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  globalSetup: ['test/setup/global-redis.ts', 'test/setup/build.ts'],
  // The process tests spawn node (several per test) and wait for Redis
  // timeouts of their own; on a loaded 2-core machine running every package's
  // tests at once one spawn has taken over 10 s. No assertion depends on time.
  testTimeout: 120_000,
  hookTimeout: 60_000,
});

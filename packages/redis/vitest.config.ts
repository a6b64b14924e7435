import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  globalSetup: ['test/setup/global-redis.ts'],
  // Redis expiry runs on the real clock; the TTL tests wait real seconds.
  testTimeout: 20_000,
  hookTimeout: 30_000,
});

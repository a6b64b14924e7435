import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  globalSetup: ['test/setup/global-redis.ts', 'test/setup/global-redis-cluster.ts'],
  testTimeout: 20_000,
  hookTimeout: 30_000,
});

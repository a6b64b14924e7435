import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({
  globalSetup: ['test/setup/global-redis.ts'],
  testTimeout: 20_000,
  hookTimeout: 30_000,
});

import { packageTestConfig } from '../../vitest.shared.ts';

// Packing, attw and the npm install smoke test spawn processes that take seconds.
export default packageTestConfig({ testTimeout: 120_000, hookTimeout: 180_000 });

export { expectDeeplyFrozen, expectSessionError, expectStored } from './assertions.js';
export { describeSessionStore, describeSessionStoreFuzz } from './describe-session-store.js';
export { edit, sampleSession, uniqueKey, uniqueTenant, withoutStamp } from './fixtures.js';
export {
  DEFAULT_FUZZ_RUNS,
  DEFAULT_FUZZ_SEED,
  fuzzRunsFromEnv,
  fuzzTests,
} from './groups/fuzz.js';
export { hostileInputTests } from './groups/hostile-input.js';
export type {
  DescribeSessionStoreOptions,
  SessionStoreCapabilities,
  SuiteContext,
} from './options.js';

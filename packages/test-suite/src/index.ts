export { expectDeeplyFrozen, expectSessionError, expectStored } from './assertions.js';
export { describeSessionStore, describeSessionStoreFuzz } from './describe-session-store.js';
export { edit, sampleSession, uniqueKey, uniqueTenant, withoutStamp } from './fixtures.js';
export { adminTests } from './groups/admin.js';
export { badInputTests } from './groups/bad-input.js';
export { basicTests } from './groups/basic.js';
export { casTests } from './groups/cas.js';
export { concurrencyTests } from './groups/concurrency.js';
export { dataTests } from './groups/data.js';
export {
  DEFAULT_FUZZ_RUNS,
  DEFAULT_FUZZ_SEED,
  fuzzRunsFromEnv,
  fuzzTests,
} from './groups/fuzz.js';
export { hostileInputTests } from './groups/hostile-input.js';
export { outboxTests } from './groups/outbox.js';
export { tenantTests } from './groups/tenant.js';
export { ttlTests } from './groups/ttl.js';
export type {
  DescribeSessionStoreOptions,
  SessionStoreCapabilities,
  SuiteContext,
  SuiteGroup,
} from './options.js';

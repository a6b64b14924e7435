export { expectDeeplyFrozen, expectSessionError } from './assertions.js';
export { describeSessionStore } from './describe-session-store.js';
export { edit, sampleSession, uniqueKey, uniqueTenant, withoutStamp } from './fixtures.js';
export type {
  DescribeSessionStoreOptions,
  SessionStoreCapabilities,
  SuiteContext,
} from './options.js';

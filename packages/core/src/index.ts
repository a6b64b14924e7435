export {
  describeValue,
  invalidInput,
  type OpContext,
  readInput,
  sessionError,
} from './context.js';
export {
  type CreateSessionStoreOptions,
  createSessionStore,
  SESSION_STORE_SCHEMES,
  type SessionStoreBackendModule,
} from './factory.js';
export { frozenJsonCopy } from './json.js';
export { type MutateOptions, type MutateResult, mutate, type SessionMutation } from './mutate.js';
export {
  appendOutbox,
  type CreateSessionInput,
  createOutboxEntry,
  createSession,
  expiresAtMs,
  sha256Hex,
} from './session-helpers.js';
export type {
  SessionInput,
  SessionStore,
  TenantSessionStore,
  UpdateCasConflictReason,
  UpdateCasResult,
} from './session-store.js';
export { createTenantView } from './tenant-view.js';
export {
  assertTenantFence,
  isIsoUtcTimestamp,
  isValidSession,
  type PreviousSnapshotLookup,
  parseSession,
  prepareSessionWrite,
  readOptions,
  resolveSessionLimits,
  type TenantOptions,
  validateCas,
  validateCount,
  validateSessionKey,
  validateTenantId,
  validateTenantOptions,
  validateTouchTtl,
  validateTtlSecs,
} from './validate.js';

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
  registeredSessionStoreSchemes,
  registerSessionStoreBackend,
  type SessionStoreBackend,
} from './factory.js';
export { frozenJsonCopy } from './json.js';
export {
  CAS_INITIAL,
  CAS_NONE,
  type Cas,
  type DeepReadonly,
  type JsonValue,
  type OutboxEntry,
  RESERVED_TENANT_IDS,
  SESSION_LIMITS,
  SESSION_PATTERNS,
  type Session,
  type SessionCursor,
  SessionError,
  SessionErrorCode,
  type SessionErrorOptions,
  type SessionKey,
  type SessionMeta,
  type SessionSnapshot,
  type StoredSession,
} from './model.js';
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

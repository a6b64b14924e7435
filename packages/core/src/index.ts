export { describeValue, invalidInput, type OpContext, sessionError } from './context.js';
export {
  type CreateSessionStoreOptions,
  createSessionStore,
  SESSION_STORE_SCHEMES,
  type SessionStoreBackendModule,
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
  isIsoUtcTimestamp,
  isValidSession,
  parseSession,
  prepareSessionWrite,
  type TenantOptions,
  validateCas,
  validateCount,
  validateSessionKey,
  validateTenantId,
  validateTenantOptions,
  validateTouchTtl,
  validateTtlSecs,
} from './validate.js';

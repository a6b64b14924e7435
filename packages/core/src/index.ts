// The application API. Plumbing for backend authors (validation steps,
// error builders, the tenant view, backend registration) is in
// `@greentic/session-core/backend` (src/backend.ts).
export {
  type CreateSessionStoreOptions,
  createSessionStore,
  registeredSessionStoreSchemes,
} from './factory.js';
export {
  CAS_INITIAL,
  CAS_NONE,
  type Cas,
  DEFAULT_SESSION_LIMITS,
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
  SessionErrorReason,
  type SessionKey,
  type SessionLimits,
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
  sha256Hex,
} from './session-helpers.js';
export type {
  SessionInput,
  SessionStore,
  TenantSessionStore,
  UpdateCasConflictReason,
  UpdateCasResult,
} from './session-store.js';
export { isValidSession, parseSession, type TenantOptions } from './validate.js';

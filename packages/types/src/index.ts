export { CAS_INITIAL, CAS_NONE } from './cas.js';
export { RESERVED_TENANT_IDS, SESSION_LIMITS, SESSION_PATTERNS } from './limits.js';
export type {
  Cas,
  DeepReadonly,
  JsonValue,
  OutboxEntry,
  Session,
  SessionCursor,
  SessionKey,
  SessionMeta,
  SessionSnapshot,
  StoredSession,
} from './model.js';
export {
  SessionError,
  SessionErrorCode,
  type SessionErrorOptions,
  SessionErrorReason,
} from './session-error.js';

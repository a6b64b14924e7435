/**
 * The model, CAS constants, limits and `SessionError` of
 * `@greentic/session-types`, re-exported so that an application installing
 * core and one backend can name everything it uses.
 */
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
} from '@greentic/session-types';

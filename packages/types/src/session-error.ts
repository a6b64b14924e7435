/** Every code a {@link SessionError} can carry. */
export const SessionErrorCode = {
  /** The caller passed something invalid; nothing was written. */
  InvalidInput: 'invalid_input',
  /** The key belongs to another tenant; nothing was written. */
  TenantMismatch: 'tenant_mismatch',
  /** `mutate` gave up after its retry bound; nothing more was written. */
  Conflict: 'conflict',
  /** The backend cannot be reached, is closed, or its package is not installed. */
  Unavailable: 'unavailable',
  /** The backend did not answer within the command timeout. */
  Timeout: 'timeout',
  /** A bug or an unexpected backend reply. */
  Internal: 'internal',
} as const;

/** Union of the values of {@link SessionErrorCode}. */
export type SessionErrorCode = (typeof SessionErrorCode)[keyof typeof SessionErrorCode];

/**
 * Why a backend is `unavailable`, where it can tell, so startup checks and
 * operators can tell a misconfiguration from a transient outage.
 */
export const SessionErrorReason = {
  /** The server cannot be reached (refused, unknown host, no route, no answer in time). */
  Unreachable: 'unreachable',
  /** The server rejected the credentials (wrong password, unknown user, no permission). */
  Auth: 'auth',
  /** The TLS handshake failed (untrusted or expired certificate, wrong host name). */
  Tls: 'tls',
  /** The database named in the URL does not exist on the server. */
  Database: 'database',
  /** The server is up but refused to run the command (loading, read-only replica, cluster down, busy). */
  Refused: 'refused',
  /** The server reached its memory limit and refused a write. */
  OutOfMemory: 'out_of_memory',
  /** The store was closed. */
  Closed: 'closed',
  /** The backend package (or its driver) is not installed. */
  MissingPackage: 'missing_package',
} as const;

/** Union of the values of {@link SessionErrorReason}. */
export type SessionErrorReason = (typeof SessionErrorReason)[keyof typeof SessionErrorReason];

const marker = Symbol.for('greentic.session.error');

/** Options of the {@link SessionError} constructor. */
export interface SessionErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Why, for `unavailable` errors whose backend can tell (see {@link SessionErrorReason}). */
  reason?: SessionErrorReason;
}

/**
 * The one error type of greentic-session. Bad input, tenant violations and
 * infrastructure failures throw it; a CAS conflict is a result, not an error.
 *
 * @example
 * ```ts
 * try { await store.put(session); }
 * catch (err) { if (SessionError.isInstance(err) && err.code === 'tenant_mismatch') { ... } }
 * ```
 */
export class SessionError extends Error {
  override readonly name = 'SessionError' as const;
  /** What kind of failure this is. */
  readonly code: SessionErrorCode;
  /** Why, when the backend can tell (set on some `unavailable` errors). */
  readonly reason?: SessionErrorReason;

  /**
   * @param code - what kind of failure this is
   * @param message - where and what, e.g. `[@greentic/session-memory] put: session.ttlSecs must be ...`
   * @param options - `cause`: the underlying error; `reason`: why, when known
   */
  constructor(code: SessionErrorCode, message: string, options: SessionErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    if (options.reason !== undefined) this.reason = options.reason;
    // A global symbol rather than `instanceof`, so two installed copies agree.
    Object.defineProperty(this, marker, { value: true });
  }

  /**
   * True for any `SessionError`, even one thrown by another installed copy of
   * this package (where `instanceof` would fail).
   */
  static isInstance(value: unknown): value is SessionError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as { [marker]?: unknown })[marker] === true
    );
  }
}

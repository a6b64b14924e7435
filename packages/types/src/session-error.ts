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

const marker = Symbol.for('greentic.session.error');

/** Options of the {@link SessionError} constructor. */
export interface SessionErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
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

  /**
   * @param code - what kind of failure this is
   * @param message - where and what, e.g. `[@greentic/session-memory] put: session.ttlSecs must be ...`
   * @param options - `cause`: the underlying error
   */
  constructor(code: SessionErrorCode, message: string, options: SessionErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
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

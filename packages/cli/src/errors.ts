import { SessionError } from '@greentic/session-types';

/**
 * Exit codes of `greentic-session` (the README lists them with examples).
 * `failed` is an infrastructure failure: retrying later may help; `usage`
 * means the command line itself is wrong and retrying the same one never will.
 */
export const EXIT_CODES = Object.freeze({
  /** The command did what it was asked. */
  ok: 0,
  /** The store failed: `unavailable`, `timeout`, `internal`. */
  failed: 1,
  /** Bad arguments, bad URL, invalid input (a tenant id, a key, a limit). */
  usage: 2,
  /** `get` or `rm` of a key that holds no live session (for that tenant). */
  notFound: 3,
  /** A purge nobody confirmed: no `--yes` and stdin is not a terminal, or the prompt was answered no. */
  refused: 4,
  /** The store's backend cannot list, count or purge sessions. */
  unsupported: 5,
  /** Interrupted (Ctrl-C); what a purge deleted before that stays deleted. */
  interrupted: 130,
} as const);

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The `error.code` of a failure the CLI itself detects (as opposed to a `SessionError` code). */
export type CliErrorCode = 'usage' | 'not_found' | 'refused' | 'unsupported' | 'interrupted';

const EXIT_OF: Readonly<Record<CliErrorCode, ExitCode>> = Object.freeze({
  usage: EXIT_CODES.usage,
  not_found: EXIT_CODES.notFound,
  refused: EXIT_CODES.refused,
  unsupported: EXIT_CODES.unsupported,
  interrupted: EXIT_CODES.interrupted,
});

/** A failure the CLI detects itself; its exit code follows from its code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  /** What kind of failure, printed as `error.code` with `--json`. */
  readonly code: CliErrorCode;
  /** The process exit code this failure ends with. */
  readonly exitCode: ExitCode;

  /**
   * @param code - the kind of failure
   * @param message - one line for the operator
   */
  constructor(code: CliErrorCode, message: string) {
    super(message);
    this.code = code;
    this.exitCode = EXIT_OF[code];
  }
}

/** How a failure is reported: one line of text, or the `error` object of the JSON document. */
export interface FailureReport {
  /** `CliError` code, `SessionError` code, or `error` for anything else. */
  readonly code: string;
  /** `SessionError.reason`, when the backend gave one (`unreachable`, `auth`, ...). */
  readonly reason?: string;
  /** The process exit code. */
  readonly exitCode: ExitCode;
  /** One line, without credentials. */
  readonly message: string;
}

/**
 * Maps anything a command threw to its report and exit code: `invalid_input`
 * and a URL no backend serves are usage errors (2); other `SessionError`s
 * (`unavailable`, `timeout`, `internal`, ...) are failures (1).
 *
 * @param err - what was thrown
 */
export function describeFailure(err: unknown): FailureReport {
  if (err instanceof CliError) {
    return { code: err.code, exitCode: err.exitCode, message: oneLine(err.message) };
  }
  if (SessionError.isInstance(err)) {
    const usage = err.code === 'invalid_input' || err.reason === 'missing_package';
    return {
      code: err.code,
      ...(err.reason === undefined ? {} : { reason: err.reason }),
      exitCode: usage ? EXIT_CODES.usage : EXIT_CODES.failed,
      message: oneLine(err.message),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'error', exitCode: EXIT_CODES.failed, message: oneLine(message) };
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

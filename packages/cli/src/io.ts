/** The environment variable the store URL is read from when `--url` is absent. */
export const URL_ENV = 'GREENTIC_SESSION_URL';

/** Where the CLI writes: `process.stdout`/`process.stderr`, or a test's collector. */
export interface CliOutput {
  /** Writes text as given (no newline added). */
  write(text: string): unknown;
  /** True on a terminal: progress bars are drawn only there. */
  readonly isTTY?: boolean | undefined;
  /** Terminal width, when known. */
  readonly columns?: number | undefined;
}

/** What the CLI reads from: `process.stdin`, or a test's stream. */
export type CliInput = NodeJS.ReadableStream & { readonly isTTY?: boolean | undefined };

/**
 * Everything the CLI touches outside itself, so a test can run any command
 * in-process: the three streams, the environment, the clock and an interrupt.
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly stdin: CliInput;
  /** Read for `GREENTIC_SESSION_URL`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: a count or purge stops between two batches. */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds from an arbitrary origin, for the progress rate. @default performance.now */
  readonly now?: (() => number) | undefined;
}

/**
 * Wraps an output so that none of the given secrets can be printed, whatever
 * a message quotes: each is replaced by `***`. Secrets shorter than 4
 * characters are not scrubbed (they would mangle ordinary text); the CLI
 * never prints a URL's credentials in the first place (see `redactUrl`).
 *
 * @param output - the stream to protect
 * @param secrets - the strings that must never appear
 */
export function scrubbed(output: CliOutput, secrets: readonly string[]): CliOutput {
  const hidden = [...new Set(secrets.filter((s) => s.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  if (hidden.length === 0) return output;
  return {
    write: (text: string) => output.write(hidden.reduce((t, s) => t.split(s).join('***'), text)),
    isTTY: output.isTTY,
    columns: output.columns,
  };
}

/**
 * The password a URL carries, as written and percent-decoded: what must never
 * be printed. Without a colon the whole user part is the password (as Redis
 * URLs read `redis://secret@host`). The user name is hidden in a shown URL
 * but not scrubbed from other text: `default` or `admin` would mangle it.
 *
 * @param url - any URL, well-formed or not
 */
export function urlSecrets(url: string): string[] {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1];
  if (userinfo === undefined) return [];
  const colon = userinfo.indexOf(':');
  const raw = colon === -1 ? userinfo : userinfo.slice(colon + 1);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: the raw form is all there is to hide.
  }
  return [...new Set([raw, decoded])].filter((p) => p !== '');
}

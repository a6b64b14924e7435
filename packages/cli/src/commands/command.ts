import {
  hasSessionAdmin,
  type SessionAdmin,
  type SessionFilter,
  type SessionStore,
} from '@greentic/session-core';
import { CliError } from '../errors.js';
import type { CliOutput } from '../io.js';
import { terminalSafe } from '../terminal-text.js';

/** What a command produced: the `--json` document and the human text, both for stdout. */
export interface CommandOutput {
  /** Printed as one JSON document with `--json` (the runner adds `"ok": true`). */
  readonly json: Readonly<Record<string, unknown>>;
  /** Printed otherwise; may be empty. */
  readonly text: string;
  /** A hint for a person, printed on stderr after `text` (never with `--json`). */
  readonly note?: string;
}

/** Where a long command reports progress, and what interrupts it. */
export interface ProgressOptions {
  /** stderr: the progress line is drawn only when it is a terminal. */
  readonly progress: CliOutput;
  /** Millisecond clock for the rate. @default performance.now */
  readonly now?: (() => number) | undefined;
  /** Aborts between two batches (Ctrl-C). */
  readonly signal?: AbortSignal | undefined;
}

/** `--tenant`, `--user`, `--team` as given on the command line. */
export interface FilterOptions {
  readonly tenant: string;
  readonly user?: string | undefined;
  readonly team?: string | undefined;
}

/**
 * The store's operator capability, or a `CliError('unsupported')` naming
 * what is missing.
 *
 * @param store - an open store
 */
export function requireAdmin(store: SessionStore): SessionStore & SessionAdmin {
  if (!hasSessionAdmin(store)) {
    throw new CliError(
      'unsupported',
      `this store (${store.constructor.name}) cannot list, count or purge sessions: its backend does not implement listSessions/countSessions/purgeSessions`,
    );
  }
  return store;
}

/** The store's filter from the command line's, leaving out what was not given. */
export function toFilter(options: FilterOptions): SessionFilter {
  return {
    tenantId: options.tenant,
    ...(options.user === undefined ? {} : { userId: options.user }),
    ...(options.team === undefined ? {} : { teamId: options.team }),
  };
}

/** `tenant acme, user u1`: what a filter covers, for messages (safe for a terminal). */
export function describeFilter(filter: SessionFilter): string {
  return terminalSafe(
    [
      `tenant ${filter.tenantId}`,
      ...(filter.userId === undefined ? [] : [`user ${filter.userId}`]),
      ...(filter.teamId === undefined ? [] : [`team ${filter.teamId}`]),
    ].join(', '),
  );
}

import type { SessionScanProgress, SessionStore } from '@greentic/session-core';
import { CliError } from '../errors.js';
import { createProgress, formatCount } from '../progress.js';
import {
  type CommandOutput,
  describeFilter,
  type FilterOptions,
  type ProgressOptions,
  requireAdmin,
  toFilter,
} from './command.js';

/** Options of {@link purgeCommand}. */
export interface PurgeOptions extends FilterOptions, ProgressOptions {
  /** Count what would be deleted and delete nothing. */
  readonly dryRun: boolean;
  /**
   * Asks the operator to confirm; resolves true for yes. Absent means
   * `--yes`: no question. The caller refuses before this point when nobody
   * can answer (stdin not a terminal).
   */
  readonly confirm?: ((question: string) => Promise<boolean>) | undefined;
}

function sessions(n: number): string {
  return `${formatCount(n)} session${n === 1 ? '' : 's'}`;
}

/**
 * `purge --tenant T [--user U] [--team M] [--dry-run] [--yes]`: deletes every
 * live session that matches, through the store's atomic fenced delete.
 * Unless confirmed in advance (`confirm` absent), it first counts what
 * matches and asks; a dry run only counts. Progress goes to a terminal's stderr.
 *
 * @param store - an open store with the operator capability
 * @param options - filter, dry run, confirmation, progress, interrupt
 * @returns `scanned`, `matched`, `deleted` (0 on a dry run)
 * @throws CliError `refused` when the question is answered no (nothing
 *   deleted), `interrupted` on an abort (saying how many were deleted),
 *   `unsupported`; SessionError `invalid_input` | `unavailable` | `timeout`
 */
export async function purgeCommand(
  store: SessionStore,
  options: PurgeOptions,
): Promise<CommandOutput> {
  const admin = requireAdmin(store);
  const filter = toFilter(options);
  const what = describeFilter(filter);
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  let total: number | undefined;
  if (!options.dryRun && options.confirm !== undefined) {
    let scanned = 0;
    const counting = createProgress(options.progress, `count ${what}`, { now: options.now });
    try {
      total = await admin.countSessions({
        ...filter,
        ...signal,
        onProgress: (p) => {
          scanned = p.scanned;
          counting.update(p);
        },
      });
    } finally {
      counting.done();
    }
    if (total === 0) {
      return {
        json: { ...filter, dryRun: false, scanned, matched: 0, deleted: 0 },
        text: `nothing to purge: no session of ${what}\n`,
      };
    }
    // Sessions written meanwhile match too: the purge deletes what matches when it runs.
    if (!(await options.confirm(`Delete ${sessions(total)} of ${what}?`))) {
      throw new CliError('refused', 'purge cancelled: nothing was deleted');
    }
  }
  let last: SessionScanProgress = { scanned: 0, matched: 0, deleted: 0 };
  const progress = createProgress(
    options.progress,
    `${options.dryRun ? 'dry run' : 'purge'} ${what}`,
    { total, now: options.now },
  );
  try {
    const result = await admin.purgeSessions({
      ...filter,
      ...signal,
      dryRun: options.dryRun,
      onProgress: (p) => {
        last = p;
        progress.update(p);
      },
    });
    progress.done();
    const text = options.dryRun
      ? `dry run: would delete ${sessions(result.matched)} of ${what} (${formatCount(result.scanned)} keys scanned); nothing was deleted\n`
      : `deleted ${sessions(result.deleted)} of ${what} (${formatCount(result.matched)} matched, ${formatCount(result.scanned)} keys scanned)\n`;
    return { json: { ...filter, dryRun: options.dryRun, ...result }, text };
  } catch (err) {
    progress.done();
    if (options.signal?.aborted === true && !options.dryRun) {
      throw new CliError(
        'interrupted',
        `interrupted: at least ${sessions(last.deleted)} of ${what} deleted before the interrupt (the last progress report); the others are untouched`,
      );
    }
    throw err;
  }
}

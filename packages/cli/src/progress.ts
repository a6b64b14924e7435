import type { SessionScanProgress } from '@greentic/session-core';
import type { CliOutput } from './io.js';

/** Receives a count's or a purge's progress; {@link ProgressReporter.done} clears it. */
export interface ProgressReporter {
  /** Records the latest figures (redrawn at most every {@link PROGRESS_REDRAW_MS}). */
  update(progress: SessionScanProgress): void;
  /** Erases the progress line, leaving the terminal as it was. */
  done(): void;
}

/** Shortest interval between two redraws, in milliseconds. @default 100 */
export const PROGRESS_REDRAW_MS = 100;

const BAR_WIDTH = 24;
const nf = new Intl.NumberFormat('en-US');

/** Formats an integer with thousands separators (`12,345`). */
export function formatCount(n: number): string {
  return nf.format(n);
}

/**
 * A one-line progress display on `output` when it is a terminal, nothing
 * otherwise (a pipe or a log file gets no control characters). With `total`
 * (what a count found before a purge) it draws a bar of what was deleted;
 * without, the figures and a rate.
 *
 * @param output - where to draw (stderr, so stdout stays clean for `--json`)
 * @param label - what is running, e.g. `purge acme`
 * @param options - `total` sessions expected; `now`, a millisecond clock
 */
export function createProgress(
  output: CliOutput,
  label: string,
  options: { total?: number | undefined; now?: (() => number) | undefined } = {},
): ProgressReporter {
  if (output.isTTY !== true) return { update: () => {}, done: () => {} };
  const now = options.now ?? (() => performance.now());
  const total = options.total;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  // A pseudo-terminal may report 0 columns: then assume the classic 80.
  const width = Math.max(40, (output.columns || 80) - 1);
  return {
    update(progress) {
      const t = now();
      if (t - lastDraw < PROGRESS_REDRAW_MS) return;
      lastDraw = t;
      const seconds = (t - started) / 1000;
      const rate = seconds > 0 ? Math.round(progress.scanned / seconds) : 0;
      let line: string;
      if (total !== undefined && total > 0) {
        const ratio = Math.min(1, progress.deleted / total);
        const filled = Math.round(ratio * BAR_WIDTH);
        line = `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${formatCount(progress.deleted)}/${formatCount(total)} deleted, ${formatCount(progress.scanned)} keys scanned`;
      } else {
        line = `${label}: ${formatCount(progress.scanned)} keys scanned, ${formatCount(progress.matched)} matched${progress.deleted > 0 ? `, ${formatCount(progress.deleted)} deleted` : ''}, ${formatCount(rate)} keys/s`;
      }
      // \r returns to the line start, ESC[K erases what a longer line left.
      output.write(`\r${line.slice(0, width)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) output.write('\r\x1b[K');
      drawn = false;
    },
  };
}

import type { SessionStore } from '@greentic/session-core';
import { createProgress } from '../progress.js';
import {
  type CommandOutput,
  describeFilter,
  type FilterOptions,
  type ProgressOptions,
  requireAdmin,
  toFilter,
} from './command.js';

/**
 * `count --tenant T [--user U] [--team M]`: how many live sessions match,
 * with a progress line on a terminal's stderr while the store scans.
 *
 * @param store - an open store with the operator capability
 * @param options - filter, progress output, interrupt
 * @throws CliError `unsupported`; SessionError `invalid_input` | `unavailable` | `timeout`
 */
export async function countCommand(
  store: SessionStore,
  options: FilterOptions & ProgressOptions,
): Promise<CommandOutput> {
  const admin = requireAdmin(store);
  const filter = toFilter(options);
  const progress = createProgress(options.progress, `count ${describeFilter(filter)}`, {
    now: options.now,
  });
  try {
    const count = await admin.countSessions({
      ...filter,
      onProgress: (p) => progress.update(p),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    // The bare number, so `$(greentic-session count ...)` works without --json.
    return { json: { ...filter, count }, text: `${count}\n` };
  } finally {
    progress.done();
  }
}

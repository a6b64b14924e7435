import type { SessionStore, SessionSummary } from '@greentic/session-core';
import { type CommandOutput, type FilterOptions, requireAdmin, toFilter } from './command.js';

/** Largest page the CLI asks a store for (the contract's bound). */
const PAGE_LIMIT = 1000;

/** Options of {@link listCommand}. */
export interface ListOptions extends FilterOptions {
  /** Most sessions to print. */
  readonly limit: number;
  /** Where a previous `ls` stopped (its `cursor`). */
  readonly cursor?: string | undefined;
  /** Checked between pages. */
  readonly signal?: AbortSignal | undefined;
}

const COLUMNS = ['KEY', 'USER', 'TEAM', 'CAS', 'UPDATED', 'TTL'] as const;

function row(s: SessionSummary): string[] {
  return [
    s.key,
    s.userId ?? '-',
    s.teamId ?? '-',
    String(s.cas),
    s.updatedAt,
    s.ttlSecs === 0 ? 'never' : `${s.ttlSecs}s`,
  ];
}

/** Left-aligned columns separated by two spaces. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `ls --tenant T [--user U] [--team M] [--limit N] [--cursor C]`: up to
 * `limit` of the tenant's sessions (headers only, never contents), page by
 * page. The result's `cursor` resumes the listing where it stopped; null when
 * it is complete.
 *
 * @param store - an open store with the operator capability
 * @param options - filter, limit, cursor
 * @throws CliError `unsupported` for a store without it; SessionError
 *   `invalid_input` for a bad tenant, user, team or cursor
 */
export async function listCommand(
  store: SessionStore,
  options: ListOptions,
): Promise<CommandOutput> {
  const admin = requireAdmin(store);
  const filter = toFilter(options);
  const sessions: SessionSummary[] = [];
  let cursor: string | null = options.cursor ?? null;
  do {
    options.signal?.throwIfAborted();
    const page = await admin.listSessions({
      ...filter,
      cursor,
      limit: Math.min(PAGE_LIMIT, options.limit - sessions.length),
    });
    sessions.push(...page.sessions);
    cursor = page.cursor;
  } while (cursor !== null && sessions.length < options.limit);
  const lines = sessions.length === 0 ? '' : `${table([COLUMNS, ...sessions.map(row)])}\n`;
  return {
    json: { ...filter, sessions, cursor },
    text: lines,
    ...(cursor === null ? {} : { note: `more sessions: continue with --cursor ${cursor}\n` }),
  };
}

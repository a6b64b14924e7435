import { createHash } from 'node:crypto';
import type { StoredSession } from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext } from './context.js';
import type { SessionScanProgress, SessionSummary } from './session-admin.js';
import { readOptions, validateTenantId, validateText } from './validate.js';

/** Bounds of `limit` in `listSessions`. */
export const SESSION_PAGE_LIMITS = Object.freeze({
  /** Page size when `limit` is omitted. */
  default: 100,
  /** Largest page a caller may ask for. */
  max: 1000,
});

/** Longest cursor a store hands out (and accepts back), in characters. */
export const MAX_SESSION_CURSOR_LENGTH = 2048;

/** A validated `SessionFilter`: every field read once and checked. */
export interface ValidatedSessionFilter {
  /** The tenant, a valid tenant id. */
  readonly tenantId: string;
  /** Only this `meta.userId`, or undefined for any. */
  readonly userId: string | undefined;
  /** Only this `meta.teamId`, or undefined for any. */
  readonly teamId: string | undefined;
}

/** Validated options of `listSessions`. */
export interface ValidatedListOptions {
  /** Which sessions. */
  readonly filter: ValidatedSessionFilter;
  /** The caller's cursor string (not decoded yet: its format is the backend's), or null. */
  readonly cursor: string | null;
  /** Most sessions in the page, 1..1000. */
  readonly limit: number;
}

/** Validated options of `countSessions` and `purgeSessions`. */
export interface ValidatedScanOptions {
  /** Which sessions. */
  readonly filter: ValidatedSessionFilter;
  /** The caller's progress callback, if any. */
  readonly onProgress: ((progress: SessionScanProgress) => void) | undefined;
  /** The caller's abort signal, if any. */
  readonly signal: AbortSignal | undefined;
  /** Delete nothing (purge only; false for a count). */
  readonly dryRun: boolean;
}

const FILTER_OPTIONS = ['tenantId', 'userId', 'teamId'] as const;
const LIST_OPTIONS = [...FILTER_OPTIONS, 'cursor', 'limit'] as const;
const COUNT_OPTIONS = [...FILTER_OPTIONS, 'onProgress', 'signal'] as const;
const PURGE_OPTIONS = [...COUNT_OPTIONS, 'dryRun'] as const;

function filterOf(o: Readonly<Record<string, unknown>>, ctx: OpContext): ValidatedSessionFilter {
  return Object.freeze({
    tenantId: validateTenantId(o.tenantId, ctx, 'opts.tenantId'),
    userId: o.userId === undefined ? undefined : filterText(o.userId, ctx, 'opts.userId'),
    teamId: o.teamId === undefined ? undefined : filterText(o.teamId, ctx, 'opts.teamId'),
  });
}

function filterText(value: unknown, ctx: OpContext, field: string): string {
  return validateText(value, ctx, field, false);
}

/** The summary an operator listing shows of a stored session (frozen). */
export function sessionSummaryOf({ session, cas }: StoredSession): SessionSummary {
  const { tenantId, userId, teamId } = session.meta;
  return Object.freeze({
    key: session.key,
    id: session.id,
    tenantId,
    teamId,
    userId,
    cas,
    updatedAt: session.updatedAt,
    ttlSecs: session.ttlSecs,
  });
}

/**
 * Validates the options of `listSessions`: a plain object read once, the
 * filter, `limit` an integer 1..1000 (default 100) and `cursor` a string of
 * at most {@link MAX_SESSION_CURSOR_LENGTH} characters, or null/omitted.
 * The cursor's contents are checked by the backend (see {@link decodeSessionCursor}).
 *
 * @throws SessionError `invalid_input`
 */
export function validateListSessionsOptions(opts: unknown, ctx: OpContext): ValidatedListOptions {
  const o = readOptions(opts, LIST_OPTIONS, ctx);
  const filter = filterOf(o, ctx);
  const limit = o.limit ?? SESSION_PAGE_LIMITS.default;
  if (
    !Number.isInteger(limit) ||
    (limit as number) < 1 ||
    (limit as number) > SESSION_PAGE_LIMITS.max
  ) {
    throw invalidInput(
      ctx,
      `opts.limit must be an integer 1..${SESSION_PAGE_LIMITS.max}, got ${describeValue(limit)}`,
    );
  }
  const cursor = o.cursor ?? null;
  if (
    cursor !== null &&
    (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_SESSION_CURSOR_LENGTH)
  ) {
    throw invalidInput(
      ctx,
      `opts.cursor must be null or a cursor returned by listSessions, got ${describeValue(cursor)}`,
    );
  }
  return Object.freeze({ filter, cursor: cursor as string | null, limit: limit as number });
}

function scanOptions(
  o: Readonly<Record<string, unknown>>,
  ctx: OpContext,
  dryRun: unknown,
): ValidatedScanOptions {
  const filter = filterOf(o, ctx);
  const { onProgress, signal } = o;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalidInput(ctx, `opts.onProgress must be a function, got ${describeValue(onProgress)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidInput(ctx, `opts.signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  if (dryRun !== undefined && typeof dryRun !== 'boolean') {
    throw invalidInput(ctx, `opts.dryRun must be a boolean, got ${describeValue(dryRun)}`);
  }
  return Object.freeze({
    filter,
    onProgress: onProgress as ValidatedScanOptions['onProgress'],
    signal,
    dryRun: dryRun === true,
  });
}

/**
 * Validates the options of `countSessions`: the filter, `onProgress` a
 * function and `signal` an `AbortSignal` (each optional).
 *
 * @throws SessionError `invalid_input`
 */
export function validateCountSessionsOptions(opts: unknown, ctx: OpContext): ValidatedScanOptions {
  return scanOptions(readOptions(opts, COUNT_OPTIONS, ctx), ctx, undefined);
}

/**
 * Validates the options of `purgeSessions`: those of `countSessions` and
 * `dryRun` a boolean.
 *
 * @throws SessionError `invalid_input`
 */
export function validatePurgeSessionsOptions(opts: unknown, ctx: OpContext): ValidatedScanOptions {
  const o = readOptions(opts, PURGE_OPTIONS, ctx);
  return scanOptions(o, ctx, o.dryRun);
}

/**
 * Whether a session's owner, user and team match a validated filter
 * (exact comparison; a filter field left out matches anything).
 */
export function matchesSessionFilter(
  filter: ValidatedSessionFilter,
  tenantId: string,
  userId: string | null,
  teamId: string | null,
): boolean {
  return (
    tenantId === filter.tenantId &&
    (filter.userId === undefined || userId === filter.userId) &&
    (filter.teamId === undefined || teamId === filter.teamId)
  );
}

// A cursor is `<base64url of a JSON array of strings>.<check>`. The check binds
// it to the listing that produced it (backend scope and filter), so a damaged
// cursor, or one of another listing, is refused with `invalid_input` instead
// of resuming somewhere else. It is not a secret: a cursor only says where a
// scan stands, and every page is filtered by the caller's tenant again, so a
// forged cursor can at worst skip or repeat sessions of the caller's own tenant.
const CURSOR_PATTERN = /^[A-Za-z0-9_-]+\.[0-9a-f]{16}$/;

function cursorCheck(scope: string, filter: ValidatedSessionFilter, body: string): string {
  return createHash('sha256')
    .update(JSON.stringify([scope, filter.tenantId, filter.userId ?? null, filter.teamId ?? null]))
    .update('\n')
    .update(body)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Encodes a backend's position in a listing as an opaque cursor string.
 *
 * @param scope - what the position is relative to (e.g. the Redis namespace)
 * @param filter - the listing's filter; the cursor is only valid for it
 * @param parts - the backend's position, as strings
 */
export function encodeSessionCursor(
  scope: string,
  filter: ValidatedSessionFilter,
  parts: readonly string[],
): string {
  const body = Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
  return `${body}.${cursorCheck(scope, filter, body)}`;
}

/**
 * Decodes a cursor made by {@link encodeSessionCursor} for the same scope and
 * filter, and checks it holds `count` strings.
 *
 * @throws SessionError `invalid_input` for anything else (damaged, truncated,
 *   made for another listing)
 */
export function decodeSessionCursor(
  cursor: string,
  scope: string,
  filter: ValidatedSessionFilter,
  count: number,
  ctx: OpContext,
): string[] {
  const bad = () =>
    invalidInput(
      ctx,
      'opts.cursor is not a cursor of this listing (damaged, or returned for another filter or store); start again without a cursor',
    );
  if (!CURSOR_PATTERN.test(cursor)) throw bad();
  const dot = cursor.indexOf('.');
  const body = cursor.slice(0, dot);
  if (cursor.slice(dot + 1) !== cursorCheck(scope, filter, body)) throw bad();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(parts) ||
    parts.length !== count ||
    !parts.every((p) => typeof p === 'string')
  ) {
    throw bad();
  }
  return parts as string[];
}

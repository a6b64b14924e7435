import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';
import type { JsonValue, SessionSnapshot } from '@greentic/session-types';

/**
 * The label under which the turn runner keeps its bookkeeping in
 * `session.meta.labels`: `{ "v": 3, "events": "<token> <token> …" }`, the
 * ids of the most recent committed events, oldest first, in one string (see
 * {@link TurnLabel}). `session.data` stays exactly the bot's own state, so a
 * framework storage adapter and the turn middleware can read the same session.
 *
 * Versions 1 (`{ "v": 1, "events": ["<id>", …] }`) and 2 (`{ "v": 2,
 * "events": "<id> <id> …" }`, each id escaped as version 3 does but for `~`)
 * are still read; the next commit rewrites them as version 3.
 */
export const TURN_LABEL = 'greentic.turn';

/** Longest accepted event id, in characters. */
export const MAX_EVENT_ID_LENGTH = 256;

/** The runner's bookkeeping as stored under {@link TURN_LABEL}. */
export interface TurnState {
  /** Ids of the most recent committed events, oldest first. */
  readonly events: readonly string[];
}

/**
 * The label value the runner writes (version 3). `events` holds one token per
 * id, oldest first, separated by single spaces:
 *
 * - a **numeric** id (canonical decimal, at most `Number.MAX_SAFE_INTEGER`:
 *   every Telegram `update_id`) is either its decimal digits or, when a
 *   larger numeric id follows it, `~` and the difference to the next numeric
 *   id to its right in base 36. Chat platforms number updates in increasing
 *   order, so a Telegram session stores 64 ids of 10 digits (a few thousand
 *   apart) in less than half the bytes, and the newest id is written out whole;
 * - any other id is {@link encodeEventId}: itself, with `%` written `%25`, a
 *   space `%20` and `~` `%7E`, so it can never be taken for a difference, a
 *   separator or another id.
 */
export type TurnLabel = {
  readonly v: 3;
  /** One token per remembered id, oldest first, separated by one space. */
  readonly events: string;
};

/**
 * Checks an inbound event id (a Telegram `update_id`, an activity id, a
 * webhook delivery id) and returns its canonical string form.
 *
 * @throws SessionError `invalid_input`
 */
export function normalizeEventId(eventId: unknown, ctx: OpContext): string {
  if (typeof eventId === 'number') {
    if (!Number.isSafeInteger(eventId)) {
      throw invalidInput(ctx, `eventId must be a safe integer or a string, got ${eventId}`);
    }
    return String(eventId);
  }
  if (typeof eventId !== 'string' || eventId.length === 0) {
    throw invalidInput(
      ctx,
      `eventId must be a non-empty string or a safe integer, got ${describeValue(eventId)}`,
    );
  }
  if (eventId.length > MAX_EVENT_ID_LENGTH) {
    throw invalidInput(
      ctx,
      `eventId must be at most ${MAX_EVENT_ID_LENGTH} characters, got ${eventId.length}`,
    );
  }
  return eventId;
}

const NEEDS_ESCAPE = /[ %~]/;
const ESCAPE: Readonly<Record<string, string>> = { '%': '%25', ' ': '%20', '~': '%7E' };
const UNESCAPE: Readonly<Record<string, string>> = { '%25': '%', '%20': ' ', '%7E': '~' };
/** Canonical decimal of a safe integer: no sign, no leading zero. */
const NUMERIC = /^(?:0|[1-9]\d{0,15})$/;
const TILDE = 126;
/** The first token that starts with a digit (at a space, or at the start). */
const FIRST_DIGIT_TOKEN = /(?:^| )[0-9]/;

/**
 * A non-numeric event id as it appears in the `events` string: `%` becomes
 * `%25`, a space `%20` and `~` `%7E`, so the single spaces between ids and
 * the `~` of a difference are unambiguous. Ids without those characters (most
 * activity and webhook ids) are unchanged.
 */
export function encodeEventId(eventId: string): string {
  return NEEDS_ESCAPE.test(eventId)
    ? eventId.replace(/[ %~]/g, (c) => ESCAPE[c] as string)
    : eventId;
}

function decodeEventId(token: string): string {
  return token.includes('%')
    ? token.replace(/%(?:25|20|7E)/g, (e) => UNESCAPE[e] as string)
    : token;
}

/** The value of a numeric id or token (canonical decimal, safe), else undefined. */
function numericValue(text: string): number | undefined {
  if (!NUMERIC.test(text)) return undefined;
  const n = Number(text);
  return n <= Number.MAX_SAFE_INTEGER ? n : undefined;
}

/** Appends one id to a version 3 `events` string (no bound). */
function appendEvent(events: string, eventId: string): string {
  const n = numericValue(eventId);
  if (events === '') return n === undefined ? encodeEventId(eventId) : eventId;
  if (n === undefined) return `${events} ${encodeEventId(eventId)}`;
  // The rightmost numeric token is written out whole: when it is smaller than
  // the new id it becomes the difference to it.
  let end = events.length;
  while (end > 0) {
    const start = events.lastIndexOf(' ', end - 1) + 1;
    const c = events.charCodeAt(start);
    if (c === TILDE) break; // damaged: no whole number to its right
    const last = c >= 48 && c <= 57 ? numericValue(events.slice(start, end)) : undefined;
    if (last !== undefined) {
      if (last >= n) break;
      return `${events.slice(0, start)}~${(n - last).toString(36)}${events.slice(end)} ${eventId}`;
    }
    end = start - 1;
  }
  return `${events} ${eventId}`;
}

/**
 * The remembered ids of a session as the `events` string of a version 3
 * label, whatever version is stored. A missing or foreign-shaped label reads
 * as "no events seen": the runner never fails a turn because of it.
 */
export function storedEvents(session: SessionSnapshot): string {
  const label = session.meta.labels[TURN_LABEL] as JsonValue | undefined;
  if (typeof label !== 'object' || label === null || Array.isArray(label)) return '';
  const { v, events } = label as { readonly v?: JsonValue; readonly events?: JsonValue };
  if (typeof events === 'string') {
    if (v === 3) return events;
    // Version 2: escaped ids, no differences.
    let out = '';
    for (const token of events.split(' ')) {
      if (token !== '') out = appendEvent(out, token.includes('%') ? decodeEventId(token) : token);
    }
    return out;
  }
  if (!Array.isArray(events)) return '';
  // Version 1: an array of ids.
  let out = '';
  for (const e of events) if (typeof e === 'string' && e.length > 0) out = appendEvent(out, e);
  return out;
}

/**
 * True when the `events` string of a version 3 label ({@link storedEvents})
 * holds the id `eventId` (as {@link normalizeEventId} returns it).
 */
export function hasEvent(events: string, eventId: string): boolean {
  const n = numericValue(eventId);
  if (n === undefined) return hasToken(events, encodeEventId(eventId));
  // The common case, a new update: the newest token is a whole number below
  // `n` and the only token that starts with a digit, so every other numeric
  // id is a difference in its chain, smaller still.
  const lastStart = events.lastIndexOf(' ') + 1;
  const newest = decimalAt(events, lastStart, events.length);
  if (newest === n) return true;
  if (newest >= 0 && newest < n) {
    const first = events.search(FIRST_DIGIT_TOKEN);
    if ((events.charCodeAt(first) === 32 ? first + 1 : first) === lastStart) return false;
  }
  // From the newest, one character at a time (no substring, no regex): `next`
  // is the value of the nearest numeric token to the right, -1 when unknown.
  // Differences are positive, so once a chain falls below `n` nothing more of
  // it can equal `n`; only a whole number further left starts a new chain.
  let next = -1;
  let end = events.length;
  for (let i = end - 1; i >= -1; i--) {
    if (i >= 0 && events.charCodeAt(i) !== 32) continue;
    const start = i + 1;
    if (start < end) {
      const c = events.charCodeAt(start);
      if (c === TILDE) {
        if (next > n) {
          const d = base36At(events, start + 1, end);
          next = d < 0 ? -1 : next - d;
          if (next === n) return true;
        } else next = -1;
      } else if (c >= 48 && c <= 57) {
        // Other tokens (`007`, `abc`) are not numeric and leave the chain as it is.
        const value = decimalAt(events, start, end);
        if (value === n) return true;
        if (value >= 0) next = value;
      }
    }
    end = i;
  }
  return false;
}

/** The canonical decimal at `start..end` of `text` (at most a safe integer), or -1. */
function decimalAt(text: string, start: number, end: number): number {
  const length = end - start;
  if (length > 16 || (length > 1 && text.charCodeAt(start) === 48)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    value = value * 10 + (c - 48);
  }
  return value <= Number.MAX_SAFE_INTEGER ? value : -1;
}

/** The canonical base 36 difference (positive) at `start..end` of `text`, or -1. */
function base36At(text: string, start: number, end: number): number {
  const length = end - start;
  if (length < 1 || length > 11 || text.charCodeAt(start) === 48) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
    if (digit < 0) return -1;
    value = value * 36 + digit;
  }
  return value;
}

/** True when `events` holds the token `token` between separators. */
function hasToken(events: string, token: string): boolean {
  let from = 0;
  for (;;) {
    const at = events.indexOf(token, from);
    if (at < 0) return false;
    const end = at + token.length;
    if (
      (at === 0 || events.charCodeAt(at - 1) === 32) &&
      (end === events.length || events.charCodeAt(end) === 32)
    ) {
      return true;
    }
    from = at + 1;
  }
}

/** The ids of a version 3 `events` string, oldest first (damaged tokens left out). */
function decodeEvents(events: string): string[] {
  if (events === '') return [];
  const tokens = events.split(' ');
  const ids: (string | undefined)[] = new Array(tokens.length);
  let next = -1;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as string;
    if (token.charCodeAt(0) === TILDE) {
      const d = next < 0 ? -1 : base36At(token, 1, token.length);
      next = d < 0 || next - d < 0 ? -1 : next - d;
      ids[i] = next < 0 ? undefined : String(next);
    } else {
      const value = numericValue(token);
      if (value !== undefined) next = value;
      ids[i] = token === '' ? undefined : decodeEventId(token);
    }
  }
  return ids.filter((id): id is string => id !== undefined);
}

/**
 * Reads the runner's bookkeeping from a session (any label version). A
 * missing or foreign-shaped label reads as "no events seen".
 */
export function readTurnState(session: SessionSnapshot): TurnState {
  return { events: decodeEvents(storedEvents(session)) };
}

/**
 * The label value recording `eventId` after the `previous` ids, keeping the
 * newest `remember` ids.
 *
 * @param previous - the `events` string of a version 3 label (as the runner reads it from a session) or the decoded state
 * @param eventId - the committed event's id (as {@link normalizeEventId} returns it)
 * @param remember - how many ids to keep, at least 1
 */
export function nextTurnLabel(
  previous: string | TurnState,
  eventId: string,
  remember: number,
): TurnLabel {
  let before = '';
  if (typeof previous === 'string') before = previous;
  else for (const id of previous.events) before = appendEvent(before, id);
  if (before === '' || remember <= 1) return { v: 3, events: appendEvent('', eventId) };
  // Ids kept from before: the newest `remember - 1`, found by counting the
  // separators of the (flat) previous string, never of a new concatenation.
  let ids = 1;
  for (let i = before.indexOf(' '); i >= 0; i = before.indexOf(' ', i + 1)) ids++;
  let from = 0;
  for (let drop = ids - (remember - 1); drop > 0; drop--) from = before.indexOf(' ', from) + 1;
  return { v: 3, events: appendEvent(from === 0 ? before : before.slice(from), eventId) };
}

import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';
import type { JsonValue, SessionSnapshot } from '@greentic/session-types';

/**
 * The label under which the turn runner keeps its bookkeeping in
 * `session.meta.labels`: `{ "v": 2, "events": "<id> <id> …" }`, the ids of
 * the most recent committed events, oldest first, in one string (see
 * {@link encodeEventId}). `session.data` stays exactly the bot's own state, so
 * a framework storage adapter and the turn middleware can read the same session.
 *
 * Version 1 (`{ "v": 1, "events": ["<id>", …] }`, written by earlier releases)
 * is still read; the next commit rewrites it as version 2.
 */
export const TURN_LABEL = 'greentic.turn';

/** Longest accepted event id, in characters. */
export const MAX_EVENT_ID_LENGTH = 256;

/** The runner's bookkeeping as stored under {@link TURN_LABEL}. */
export interface TurnState {
  /** Ids of the most recent committed events, oldest first. */
  readonly events: readonly string[];
}

/** The label value the runner writes (version 2). */
export type TurnLabel = {
  readonly v: 2;
  /** Encoded ids ({@link encodeEventId}), oldest first, separated by one space. */
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

const NEEDS_ESCAPE = /[ %]/;

/**
 * An event id as it appears in the `events` string: `%` becomes `%25` and a
 * space `%20`, so the single spaces between ids are unambiguous. Ids without
 * either character (every Telegram `update_id`, most activity ids) are unchanged.
 */
export function encodeEventId(eventId: string): string {
  return NEEDS_ESCAPE.test(eventId) ? eventId.replace(/%/g, '%25').replace(/ /g, '%20') : eventId;
}

function decodeEventId(encoded: string): string {
  return encoded.includes('%') ? encoded.replace(/%20/g, ' ').replace(/%25/g, '%') : encoded;
}

/**
 * The remembered ids of a session as the encoded `events` string (version 2
 * form), whatever version is stored. A missing or foreign-shaped label reads
 * as "no events seen": the runner never fails a turn because of it.
 */
export function storedEvents(session: SessionSnapshot): string {
  const label = session.meta.labels[TURN_LABEL] as JsonValue | undefined;
  if (typeof label !== 'object' || label === null || Array.isArray(label)) return '';
  const events = (label as { readonly events?: JsonValue }).events;
  if (typeof events === 'string') return events;
  if (!Array.isArray(events)) return '';
  // Version 1: an array of ids.
  let out = '';
  for (const e of events) {
    if (typeof e === 'string' && e.length > 0)
      out = out === '' ? encodeEventId(e) : `${out} ${encodeEventId(e)}`;
  }
  return out;
}

/** True when the encoded `events` string holds the encoded id `encoded`. */
export function hasEncodedEvent(events: string, encoded: string): boolean {
  let from = 0;
  for (;;) {
    const at = events.indexOf(encoded, from);
    if (at < 0) return false;
    const end = at + encoded.length;
    if (
      (at === 0 || events.charCodeAt(at - 1) === 32) &&
      (end === events.length || events.charCodeAt(end) === 32)
    ) {
      return true;
    }
    from = at + 1;
  }
}

/**
 * Reads the runner's bookkeeping from a session (either label version). A
 * missing or foreign-shaped label reads as "no events seen".
 */
export function readTurnState(session: SessionSnapshot): TurnState {
  const events = storedEvents(session);
  return { events: events === '' ? [] : events.split(' ').map(decodeEventId) };
}

/**
 * The label value recording `eventId` after the encoded `previous` ids,
 * keeping the newest `remember` ids.
 *
 * @param previous - the encoded ids (the `events` string of a version 2 label) or the decoded state
 * @param eventId - the committed event's id (not encoded)
 * @param remember - how many ids to keep, at least 1
 */
export function nextTurnLabel(
  previous: string | TurnState,
  eventId: string,
  remember: number,
): TurnLabel {
  const before =
    typeof previous === 'string' ? previous : previous.events.map(encodeEventId).join(' ');
  const encoded = encodeEventId(eventId);
  if (before === '') return { v: 2, events: encoded };
  // Ids kept from before: the newest `remember - 1`, found by counting the
  // separators of the (flat) previous string, never of a new concatenation.
  let ids = 1;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 32) ids++;
  let from = 0;
  for (let drop = ids - (remember - 1); drop > 0 && from >= 0; drop--) {
    const space = before.indexOf(' ', from);
    from = space < 0 ? -1 : space + 1;
  }
  const events = from < 0 ? encoded : `${from === 0 ? before : before.slice(from)} ${encoded}`;
  return { v: 2, events };
}

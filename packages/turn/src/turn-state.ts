import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';
import type { JsonValue, SessionSnapshot } from '@greentic/session-types';

/**
 * The label under which the turn runner keeps its bookkeeping in
 * `session.meta.labels`: `{ "v": 1, "events": ["<id>", ...] }`, the ids of the
 * most recent committed events, oldest first. `session.data` stays exactly the
 * bot's own state, so a framework storage adapter and the turn middleware can
 * read the same session.
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

/**
 * Reads the runner's bookkeeping from a session. A missing or foreign-shaped
 * label reads as "no events seen": the runner never fails a turn because of it.
 */
export function readTurnState(session: SessionSnapshot): TurnState {
  const label = session.meta.labels[TURN_LABEL] as JsonValue | undefined;
  if (typeof label !== 'object' || label === null || Array.isArray(label)) return { events: [] };
  const events = (label as { readonly events?: JsonValue }).events;
  if (!Array.isArray(events)) return { events: [] };
  // The runner writes strings only; copy just when something else crept in.
  for (const e of events) {
    if (typeof e !== 'string') return { events: events.filter((x) => typeof x === 'string') };
  }
  return { events: events as string[] };
}

/**
 * The label value recording `eventId` after `previous`, keeping the newest
 * `remember` ids.
 */
export function nextTurnLabel(
  previous: TurnState,
  eventId: string,
  remember: number,
): { v: 1; events: string[] } {
  const events = [...previous.events, eventId];
  return { v: 1, events: events.slice(Math.max(0, events.length - remember)) };
}

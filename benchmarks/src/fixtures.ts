/**
 * The sessions every suite reads and writes: the quickstart's shape (a
 * Telegram conversation waiting for a reply, three labels, three outbox
 * entries, about 800 bytes of JSON) and a large case with 200 outbox entries.
 *
 * @packageDocumentation
 */
import { createOutboxEntry, createSession, parseSession, sha256Hex } from '@greentic/session-core';
import type { Session, SessionSnapshot } from '@greentic/session-types';

/** One payload case of the benchmarks. */
export interface SessionCase {
  /** Short name used in bench names and result rows: `typical` or `large`. */
  readonly name: string;
  /** Outbox entries per session. */
  readonly outboxEntries: number;
  /** Frozen sessions, one per distinct key, visited round-robin. */
  readonly sessions: readonly SessionSnapshot[];
  /** The same sessions as plain mutable JSON objects, for peers that store any object. */
  readonly plain: readonly Session[];
  /** The same sessions serialized, for raw baselines that store strings. */
  readonly json: readonly string[];
  /** Mean JSON size of one session, in bytes (UTF-8). */
  readonly jsonBytes: number;
}

/** Tenant that owns every benchmark session. */
export const BENCH_TENANT = 'acme';

/** Fixed epoch ms so payload sizes do not change from run to run. */
const CREATED_AT_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

/** The 64-hex session key of benchmark session `i` (what the mapping helpers produce). */
export function benchKey(i: number): string {
  return sha256Hex(`tg:bench-bot:chat-${i}:user-${i}`);
}

/**
 * Builds session `i` of a case: the quickstart's flow waiting on a user
 * reply, with `outboxEntries` entries made by core's `createOutboxEntry`.
 */
export function buildSession(i: number, outboxEntries: number): SessionSnapshot {
  const base = createSession({
    key: benchKey(i),
    tenantId: BENCH_TENANT,
    teamId: 'support-emea',
    userId: `telegram-user-${100_000 + i}`,
    flowId: 'onboarding.collect-contact-details',
    nodeId: 'ask-email-address',
    waitReason: 'awaiting_user_reply',
    ttlSecs: 3600,
    labels: {
      locale: 'en-GB',
      channel: 'telegram',
      plan: { tier: 'pro', seats: 5, trial: false },
    },
    nowMs: CREATED_AT_MS,
  });
  // What appendOutbox does once per message, built in one pass: appending
  // 200 entries one by one re-validates the growing outbox every time.
  const outbox = [];
  for (let seq = 1; seq <= outboxEntries; seq++) {
    outbox.push(
      createOutboxEntry(
        seq,
        `{"chatId":${i},"text":"message ${seq} of the onboarding flow"}`,
        CREATED_AT_MS + seq,
      ),
    );
  }
  return parseSession({
    ...base,
    cursor: { ...base.cursor, outboxSeq: outboxEntries },
    outbox,
  });
}

/**
 * Builds a case of `keys` distinct sessions.
 *
 * @param name - `typical` or `large`
 * @param keys - distinct keys (10,000 in a full run)
 * @param outboxEntries - outbox entries per session
 */
export function buildCase(name: string, keys: number, outboxEntries: number): SessionCase {
  const sessions: SessionSnapshot[] = [];
  const plain: Session[] = [];
  const json: string[] = [];
  let bytes = 0;
  for (let i = 0; i < keys; i++) {
    const s = buildSession(i, outboxEntries);
    const text = JSON.stringify(s);
    sessions.push(s);
    json.push(text);
    plain.push(JSON.parse(text) as Session);
    bytes += Buffer.byteLength(text);
  }
  return { name, outboxEntries, sessions, plain, json, jsonBytes: bytes / keys };
}

/** A round-robin cursor over `n` keys: each call returns the next index. */
export function roundRobin(n: number): () => number {
  let i = -1;
  return () => {
    i = i + 1 === n ? 0 : i + 1;
    return i;
  };
}

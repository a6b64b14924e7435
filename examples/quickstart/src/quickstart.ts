import {
  appendOutbox,
  createSession,
  createSessionStore,
  mutate,
  type SessionStore,
} from '@greentic/session-core';
import { telegramUpdateToSessionKey } from '@greentic/session-mapping';
import { memoryBackend } from '@greentic/session-memory';
import { redisBackend } from '@greentic/session-redis';

/** Where each step's line goes; the test captures it. */
export type Print = (line: string) => void;

/**
 * The quickstart flow against any store: the TypeScript twin of the crate's
 * example. Returns the final cas history so the test can check it.
 */
export async function runQuickstart(store: SessionStore, print: Print): Promise<number[]> {
  const history: number[] = [];

  // 1. A Telegram update arrives: derive a stable key without storing raw ids.
  const key = telegramUpdateToSessionKey('bot-9001', 'chat-42', 'user-1');
  print(`1. key for telegram bot-9001/chat-42/user-1: ${key}`);

  // 2. Start a flow and persist it.
  const session = createSession({
    key,
    tenantId: 'acme',
    flowId: 'onboarding',
    nodeId: 'ask-name',
    waitReason: 'user_reply',
    userId: 'user-1',
    ttlSecs: 3600,
    labels: { locale: 'en' },
  });
  const created = await store.put(session);
  history.push(created);
  print(`2. put new session ${session.id} -> cas ${created}`);

  // 3. The next event resumes it: read the session and its cas.
  const read = await store.get(key, { tenantId: 'acme' });
  if (read === null) throw new Error('quickstart: the session just written is missing');
  print(
    `3. get -> cas ${read.cas}, waiting at ${read.session.cursor.nodeId} (${read.session.cursor.waitReason})`,
  );

  // 4. Advance the flow and hand off a message, only if nobody wrote in between.
  const next = appendOutbox(
    { ...read.session, cursor: { ...read.session.cursor, nodeId: 'greet', waitReason: null } },
    JSON.stringify({ chatId: 'chat-42', text: 'Nice to meet you!' }),
  );
  const updated = await store.updateCas(next, read.cas);
  if (!updated.ok) throw new Error(`quickstart: unexpected conflict ${updated.reason}`);
  history.push(updated.cas);
  print(
    `4. updateCas(expected ${read.cas}) -> cas ${updated.cas}, outbox seq ${updated.session.outbox[0]?.seq} sha256 ${updated.session.outbox[0]?.payloadSha256.slice(0, 12)}…`,
  );

  // 5. A slow worker still holding the old cas loses, and writes nothing.
  const stale = await store.updateCas(
    { ...read.session, cursor: { ...read.session.cursor, nodeId: 'oops' } },
    read.cas,
  );
  print(
    `5. stale writer updateCas(expected ${read.cas}) -> ${stale.ok ? 'written (bug!)' : `conflict: ${stale.reason}, current cas ${stale.current}`}`,
  );

  // 6. mutate() does get -> change -> updateCas and retries conflicts for you.
  const mutated = await mutate(
    store,
    key,
    (s) => ({ ...s, meta: { ...s.meta, labels: { ...s.meta.labels, step: 6 } } }),
    {
      tenantId: 'acme',
    },
  );
  if (mutated === null) throw new Error('quickstart: mutate found no session');
  history.push(mutated.cas);
  print(
    `6. mutate -> cas ${mutated.cas} after ${mutated.attempts} attempt(s), labels ${JSON.stringify(mutated.session.meta.labels)}`,
  );

  // 7. Keep the conversation alive for another 2 hours.
  const touched = await store.touch(key, 7200, { tenantId: 'acme' });
  const afterTouch = await store.get(key);
  print(
    `7. touch(ttl 7200) -> ${touched}, ttlSecs now ${afterTouch?.session.ttlSecs}, cas still ${afterTouch?.cas}`,
  );

  // 8. Another tenant cannot see it.
  const intruder = await store.forTenant('globex').get(key);
  print(`8. tenant globex get -> ${intruder === null ? 'null (fenced)' : 'visible (bug!)'}`);

  // 9. The flow ends.
  const deleted = await store.delete(key, { tenantId: 'acme' });
  print(`9. delete -> ${deleted}; get -> ${JSON.stringify(await store.get(key))}`);
  return history;
}

/** Runs the quickstart on `REDIS_URL` when set, else in memory. */
export async function main(print: Print = console.log): Promise<void> {
  const url = process.env.REDIS_URL ?? 'memory://';
  // The backends this app may use; importing a backend package also registers it.
  const store = await createSessionStore(url, { backends: [memoryBackend, redisBackend] });
  print(`greentic-session quickstart on ${url.startsWith('memory:') ? 'memory://' : 'Redis'}`);
  try {
    await runQuickstart(store, print);
  } finally {
    await store.close();
  }
  print('done');
}

if (
  process.argv[1] !== undefined &&
  import.meta.url === new URL(`file://${process.argv[1]}`).href
) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

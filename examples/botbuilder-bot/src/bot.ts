import { createBotTurnHandler } from '@greentic/session-botbuilder';
import { createSessionStore, type SessionStore } from '@greentic/session-core';
import { memoryBackend } from '@greentic/session-memory';
import { redisBackend } from '@greentic/session-redis';
import { TestAdapter, type TurnContext } from 'botbuilder-core';

/** What the bot remembers per conversation. */
export interface ConversationData {
  count: number;
}

/** The bot's turn handler: every message increments the conversation's counter and replies. */
export function createOnTurn(store: SessionStore): (context: TurnContext) => Promise<unknown> {
  return createBotTurnHandler<ConversationData>(
    { store, tenantId: 'example', initial: () => ({ count: 0 }), ttlSecs: 7 * 24 * 3600 },
    async (context, turn) => {
      const data = turn.data as ConversationData;
      const before = data.count;
      await new Promise((resolve) => setTimeout(resolve, 10)); // some async work
      data.count = before + 1;
      await context.sendActivity(`message #${data.count} in this conversation`);
    },
  );
}

/**
 * Offline demo with botbuilder's TestAdapter: 5 concurrent activities for one
 * conversation, then a redelivery of the first one.
 *
 * @returns the conversation's final counter and the replies sent
 */
export async function runOffline(
  store: SessionStore,
  print: (line: string) => void,
): Promise<{ count: number; replies: string[] }> {
  const onTurn = createOnTurn(store);
  const adapter = new TestAdapter(async (context) => {
    await onTurn(context);
  });
  await Promise.all(
    ['1', '2', '3', '4', '5'].map((id) =>
      adapter.processActivity({ type: 'message', id, text: `hello ${id}` }),
    ),
  );
  print('redelivering activity 1 (skipped: nothing is sent)');
  await adapter.processActivity({ type: 'message', id: '1', text: 'hello 1' });
  const replies = adapter.activeQueue.map((a) => String(a.text));
  for (const r of replies) print(`-> ${r}`);
  const got = await store.get('botbuilder:test:Convo1', { tenantId: 'example' });
  const count = (got?.session.data as ConversationData | undefined)?.count ?? 0;
  print(`conversation counter: ${count} (5 messages, none lost)`);
  return { count, replies };
}

/** Runs offline on memory, or on Redis with REDIS_URL. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const url = process.env.REDIS_URL ?? 'memory://';
  const store = await createSessionStore(url, { backends: [memoryBackend, redisBackend] });
  print(`botbuilder turn handler on ${url.startsWith('memory:') ? 'memory://' : 'Redis'}`);
  try {
    await runOffline(store, print);
  } finally {
    await store.close();
  }
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

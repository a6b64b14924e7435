import { createSessionStore, type SessionStore } from '@greentic/session-core';
import { turnSession } from '@greentic/session-grammy';
import { memoryBackend } from '@greentic/session-memory';
import { redisBackend } from '@greentic/session-redis';
import { Bot, type Context, type SessionFlavor } from 'grammy';

/** What the bot remembers per chat. */
export interface ChatState {
  count: number;
}

/** The bot's context type. */
export type BotContext = Context & SessionFlavor<ChatState>;

/** Builds the counting bot on a store: every message increments the chat's counter. */
export function createBot(store: SessionStore, token: string, offline: boolean): Bot<BotContext> {
  const bot = new Bot<BotContext>(token, offline ? { botInfo: OFFLINE_BOT_INFO } : {});
  const turns = turnSession<ChatState, BotContext>({
    store,
    tenantId: 'example',
    initial: () => ({ count: 0 }),
    ttlSecs: 7 * 24 * 3600,
  });
  turns.on('message:text', async (ctx) => {
    const before = ctx.session.count;
    await new Promise((resolve) => setTimeout(resolve, 10)); // some async work
    ctx.session.count = before + 1;
    await ctx.reply(`message #${ctx.session.count} in this chat`);
  });
  bot.use(turns);
  return bot;
}

const OFFLINE_BOT_INFO = {
  id: 1,
  is_bot: true,
  first_name: 'Example',
  username: 'example_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as Bot['botInfo'];

/** A text message update from user `chatId` in their private chat. */
export function textUpdate(updateId: number, chatId: number, text: string) {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private' as const, first_name: 'Ada' },
      from: { id: chatId, is_bot: false, first_name: 'Ada' },
      text,
    },
  };
}

/**
 * Offline demo: 5 concurrent messages for one chat, then a redelivery of the
 * first one. Bot API calls are printed instead of sent.
 *
 * @returns the chat's final counter and the replies sent
 */
export async function runOffline(
  store: SessionStore,
  print: (line: string) => void,
): Promise<{ count: number; replies: string[] }> {
  const bot = createBot(store, '1:offline', true);
  const replies: string[] = [];
  bot.api.config.use(async (_prev, method, payload) => {
    const text = String((payload as { text?: unknown }).text ?? '');
    if (method === 'sendMessage') replies.push(text);
    print(`-> ${method} ${text}`);
    return {
      ok: true,
      result: { message_id: replies.length, date: 0, chat: { id: 0, type: 'private' } },
    } as never;
  });
  await Promise.all(
    [1, 2, 3, 4, 5].map((id) => bot.handleUpdate(textUpdate(id, 42, `hello ${id}`))),
  );
  print('redelivering update 1 (skipped: nothing is sent)');
  await bot.handleUpdate(textUpdate(1, 42, 'hello 1'));
  const got = await store.get('grammy:1:42', { tenantId: 'example' });
  const count = (got?.session.data as ChatState | undefined)?.count ?? 0;
  print(`chat 42 counter: ${count} (5 messages, none lost)`);
  return { count, replies };
}

/** Runs offline on memory (or Redis with REDIS_URL), or on Telegram with BOT_TOKEN. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const url = process.env.REDIS_URL ?? 'memory://';
  const store = await createSessionStore(url, { backends: [memoryBackend, redisBackend] });
  print(`grammY turn middleware on ${url.startsWith('memory:') ? 'memory://' : 'Redis'}`);
  const token = process.env.BOT_TOKEN;
  if (token !== undefined && token !== '') {
    const bot = createBot(store, token, false);
    process.once('SIGINT', () => void bot.stop());
    await bot.start();
    await store.close();
    return;
  }
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

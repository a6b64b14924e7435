import { Bot, type Context, type SessionFlavor } from 'grammy';

/** Session data of the test bots. */
export interface Counter {
  count: number;
  updates: number[];
}

/** The test bots' context. */
export type CounterContext = Context & SessionFlavor<Counter>;

/** A Bot API call the recording transformer saw. */
export interface RecordedCall {
  readonly bot: string;
  readonly method: string;
  readonly payload: Record<string, unknown>;
}

export const BOT_ID = 4242;

/**
 * A real grammY bot that never talks to Telegram: `botInfo` is set, and an API
 * transformer on `bot.api` records every call into `calls` and answers like
 * Telegram would (or with an error when `fail` says so).
 */
export function offlineBot(
  name: string,
  calls: RecordedCall[],
  fail: (method: string, payload: Record<string, unknown>) => boolean = () => false,
): Bot<CounterContext> {
  const bot = new Bot<CounterContext>('4242:offline-token', {
    botInfo: {
      id: BOT_ID,
      is_bot: true,
      first_name: 'Test',
      username: 'test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
    } as Bot['botInfo'],
  });
  let nextMessageId = 1;
  bot.api.config.use(async (_prev, method, payload) => {
    const p = payload as Record<string, unknown>;
    calls.push({ bot: name, method, payload: p });
    if (fail(method, p)) {
      return { ok: false, error_code: 500, description: 'Internal Server Error' } as never;
    }
    if (method === 'sendMessage') {
      return {
        ok: true,
        result: {
          message_id: nextMessageId++,
          date: 0,
          chat: { id: p.chat_id, type: 'private' },
          text: p.text,
        },
      } as never;
    }
    return { ok: true, result: true } as never;
  });
  return bot;
}

/** A text message update in a private chat. */
export function textUpdate(updateId: number, chatId: number, text = 'hi') {
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: 0,
      chat: { id: chatId, type: 'private' as const, first_name: 'U' },
      from: { id: chatId, is_bot: false, first_name: 'U' },
      text,
      ...(text.startsWith('/')
        ? {
            entities: [
              { type: 'bot_command' as const, offset: 0, length: text.split(' ')[0]?.length ?? 1 },
            ],
          }
        : {}),
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The counting handler: reads, waits, writes, replies with the update id. */
export async function countingHandler(ctx: CounterContext): Promise<void> {
  const before = ctx.session.count;
  await sleep(1 + Math.floor(Math.random() * 8));
  ctx.session.count = before + 1;
  ctx.session.updates.push(ctx.update.update_id);
  await ctx.reply(`update ${ctx.update.update_id} count ${before + 1}`);
}

/** Texts of the sendMessage calls recorded. */
export function replies(calls: readonly RecordedCall[]): string[] {
  return calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.payload.text));
}

/** The update ids of the replies, sorted. */
export function repliedUpdates(calls: readonly RecordedCall[]): number[] {
  return replies(calls)
    .map((t) => Number(/^update (\d+)/.exec(t)?.[1]))
    .sort((a, b) => a - b);
}

export const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

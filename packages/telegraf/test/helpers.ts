import { type Context, Telegraf, Telegram } from 'telegraf';

/** Session data of the test bots. */
export interface Counter {
  count: number;
  updates: number[];
}

/** The test bots' context. */
export type CounterContext = Context & { session: Counter };

/** A Bot API call the stubbed client saw. */
export interface RecordedCall {
  readonly bot: string;
  readonly method: string;
  readonly payload: Record<string, unknown>;
}

export const BOT_ID = 4343;

/**
 * A real Telegraf bot that never talks to Telegram: `botInfo` is set, and the
 * context's Telegram client is a stub whose `callApi` records each call (or
 * fails when `fail` says so). Errors are rethrown from `handleUpdate` instead of
 * Telegraf's default handler (which sets `process.exitCode`).
 */
export function offlineBot(
  name: string,
  calls: RecordedCall[],
  fail: (method: string) => boolean = () => false,
): Telegraf<CounterContext> {
  const bot = new Telegraf<CounterContext>('4343:offline-token');
  bot.botInfo = {
    id: BOT_ID,
    is_bot: true,
    first_name: 'Test',
    username: 'test_bot',
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  } as Telegraf['botInfo'] & object;
  const telegram = new Telegram('4343:offline-token');
  let nextMessageId = 1;
  telegram.callApi = (async (method: string, payload: Record<string, unknown>) => {
    calls.push({ bot: name, method, payload });
    if (fail(method)) throw new Error(`500: Internal Server Error (${method})`);
    if (method === 'sendMessage') {
      return {
        message_id: nextMessageId++,
        date: 0,
        chat: { id: payload.chat_id },
        text: payload.text,
      };
    }
    return true;
  }) as unknown as Telegram['callApi'];
  (bot.context as { telegram?: Telegram }).telegram = telegram;
  bot.catch((err) => {
    throw err;
  });
  return bot;
}

/** A text message update in a private chat. */
export function textUpdate(
  updateId: number,
  chatId: number,
  text = 'hi',
): Parameters<Telegraf['handleUpdate']>[0] {
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
  } as Parameters<Telegraf['handleUpdate']>[0];
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

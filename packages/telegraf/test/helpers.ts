import type { Counter, RecordedCall } from '@greentic/session-test-suite/telegram';
import { type Context, Telegraf, Telegram } from 'telegraf';

/** The test bots' context. */
export type CounterContext = Context & { session: Counter };

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

import type { Counter, RecordedCall } from '@greentic/session-test-suite/telegram';
import { Bot, type Context, type SessionFlavor } from 'grammy';

/** The test bots' context. */
export type CounterContext = Context & SessionFlavor<Counter>;

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

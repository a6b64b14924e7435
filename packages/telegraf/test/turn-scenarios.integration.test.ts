import { InMemorySessionStore } from '@greentic/session-memory';
import { RedisSessionStore } from '@greentic/session-redis';
import {
  boomHandler,
  type Counter,
  countingHandler,
  describeTelegramTurns,
} from '@greentic/session-test-suite/telegram';
import { session } from 'telegraf';
import { inject } from 'vitest';
import { telegrafSessionStore, turnSession } from '../src/index.js';
import { BOT_ID, type CounterContext, offlineBot } from './helpers.js';

const initial = (): Counter => ({ count: 0, updates: [] });

describeTelegramTurns({
  name: 'telegraf',
  flowId: 'telegraf',
  turnBot(store, calls, { bot: name, fail, ...options }) {
    const bot = offlineBot(name, calls, fail);
    const turns = turnSession<Counter, CounterContext>({
      store,
      tenantId: 'acme',
      initial,
      ...options,
    });
    turns.command('boom', boomHandler);
    turns.on('text', countingHandler);
    bot.use(turns);
    return bot;
  },
  turnKey: (chatId) => `telegraf:${BOT_ID}:${chatId}`,
  plainBot(store, calls, name) {
    const bot = offlineBot(name, calls);
    bot.use(
      session({
        defaultSession: initial,
        store: telegrafSessionStore<Counter>({ store, tenantId: 'acme', prefix: '' }),
      }),
    );
    bot.on('text', countingHandler);
    return bot;
  },
  // Telegraf's default session key is `<from.id>:<chat.id>`.
  plainKey: (chatId) => `${chatId}:${chatId}`,
  stores: {
    memory: () => new InMemorySessionStore(),
    redis: [
      ['standalone', inject('redisUrl')],
      ['cluster', inject('redisClusterUrl')],
    ],
    async openRedis(url, namespace) {
      // A loaded test machine may stall for seconds; production keeps the default timeout.
      const store = new RedisSessionStore({ url, namespace, commandTimeoutMs: 15_000 });
      // A warm process, as in production: connected to every master before the burst.
      await store.ready();
      return store;
    },
  },
});

import { InMemorySessionStore } from '@greentic/session-memory';
import { RedisSessionStore } from '@greentic/session-redis';
import {
  boomHandler,
  type Counter,
  countingHandler,
  describeTelegramTurns,
} from '@greentic/session-test-suite/telegram';
import { session } from 'grammy';
import { inject } from 'vitest';
import { sessionStorage, turnSession } from '../src/index.js';
import { BOT_ID, type CounterContext, offlineBot } from './helpers.js';

const initial = (): Counter => ({ count: 0, updates: [] });

describeTelegramTurns({
  name: 'grammy',
  flowId: 'grammy',
  turnBot(store, calls, { bot: name, fail, ...options }) {
    const bot = offlineBot(name, calls, fail);
    const turns = turnSession<Counter, CounterContext>({
      store,
      tenantId: 'acme',
      initial,
      ...options,
    });
    turns.command('boom', boomHandler);
    turns.on('message:text', countingHandler);
    bot.use(turns);
    return bot;
  },
  turnKey: (chatId) => `grammy:${BOT_ID}:${chatId}`,
  plainBot(store, calls, name) {
    const bot = offlineBot(name, calls);
    bot.use(session({ initial, storage: sessionStorage<Counter>({ store, tenantId: 'acme' }) }));
    bot.on('message:text', countingHandler);
    return bot;
  },
  plainKey: (chatId) => `grammy:${chatId}`,
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

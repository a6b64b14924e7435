/**
 * The bot turn: a grammY update through `@greentic/session-grammy`'s turn
 * middleware against grammY's own `session()` plugin on the same backend,
 * memory and Redis, at concurrency 1 and 64 (distinct chats, as a real bot
 * sees). The handler increments a counter and calls `ctx.reply` once; the Bot
 * API is an offline transformer, so the time measured is grammY's middleware,
 * the session plugin and the store.
 *
 * Sessions are warmed before measuring: each chat has seen more updates than
 * the runner remembers (`rememberEvents` 64, `keepOutbox` 4), so every
 * measured update pays the steady-state cost of the guarantees (a full list
 * of remembered event ids and a full outbox in every write).
 *
 * A second section runs the same update on a 3-master cluster: the turn on the
 * store's own Cluster client (writes coalesced per master), the same with
 * ioredis auto-pipelining instead, and `session()` on an ioredis Cluster client.
 *
 * @packageDocumentation
 */
import { RedisAdapter } from '@grammyjs/storage-redis';
import { turnSession } from '@greentic/session-grammy';
import { InMemorySessionStore } from '@greentic/session-memory';
import { RedisSessionStore } from '@greentic/session-redis';
import {
  Bot,
  type Context,
  MemorySessionStorage,
  type SessionFlavor,
  type SessionOptions,
  session,
} from 'grammy';
import { Cluster, Redis } from 'ioredis';
import type { BenchGroup, BenchSpec, Measurement, Printer } from './harness.js';
import { runGroups } from './harness.js';
import {
  formatRatio,
  pairedRatio,
  type RatioRow,
  ratioOf,
  roundRatios,
  type SectionResult,
  type TargetRow,
} from './report.js';
import type { BenchSettings } from './settings.js';

interface Counter {
  count: number;
}
type BotContext = Context & SessionFlavor<Counter>;

/** Chats each bot cycles through; a multiple of 64, so one batch never repeats a chat. */
const CHATS = 256;
/** Updates each chat sees before measuring (more than the runner's 64 remembered ids). */
const WARM_UPDATES = 70;
/** Interleaved rounds of each turn benchmark (the other suites run `settings.rounds`). */
const TURN_ROUNDS = 9;

/** The run's settings with {@link TURN_ROUNDS} rounds (a smoke run keeps its own). */
function turnRounds(settings: BenchSettings): BenchSettings {
  return settings.smoke ? settings : { ...settings, rounds: TURN_ROUNDS };
}

/** Each round's time ratio, ours ÷ baseline, for the notes. */
function roundsNote(measured: readonly Measurement[], oursName: string, baseName: string): string {
  const rounds = roundRatios(measured, oursName, baseName);
  if (rounds === undefined) return '';
  const perRound = rounds.map((r) => formatRatio(1 / r));
  return `${oursName} ÷ ${baseName}, time per update in each round (the two measured back to back): ${perRound.join(', ')}. The target is their median; the ratio tables above divide the medians taken apart.`;
}

/** The target of the issue: ours ÷ plain time per update, Redis, concurrency 64. */
const GOAL = 1.3;
/** Every variant's session lifetime: one day, refreshed by each write, as a production bot sets it. */
const TTL_SECS = 86_400;

// What grammY reads of `getMe` here; set up front, so nothing asks Telegram.
const BOT_INFO = {
  id: 4242,
  is_bot: true,
  first_name: 'Bench',
  username: 'bench_bot',
} as Bot['botInfo'];

/** A grammY bot whose Bot API answers offline, like Telegram would. */
function offlineBot(): Bot<BotContext> {
  const bot = new Bot<BotContext>('4242:offline', { botInfo: BOT_INFO });
  bot.api.config.use(async (_prev, method, payload) => {
    const p = payload as { chat_id?: number; text?: string };
    if (method === 'sendMessage') {
      return {
        ok: true,
        result: { message_id: 1, date: 0, chat: { id: p.chat_id, type: 'private' }, text: p.text },
      } as never;
    }
    return { ok: true, result: true } as never;
  });
  return bot;
}

async function handler(ctx: BotContext): Promise<void> {
  ctx.session.count += 1;
  await ctx.reply(`count ${ctx.session.count}`);
}

/** Feeds a bot updates with increasing ids, cycling through {@link CHATS} chats. */
function updateFeed(bot: Bot<BotContext>, chatBase: number): () => Promise<void> {
  let n = 0;
  return () => {
    const id = ++n;
    const chat = chatBase + (id % CHATS);
    return bot.handleUpdate({
      update_id: id,
      message: {
        message_id: id,
        date: 0,
        chat: { id: chat, type: 'private', first_name: 'U' },
        from: { id: chat, is_bot: false, first_name: 'U' },
        text: 'hi',
      },
    });
  };
}

interface Variant {
  readonly backend: 'memory' | 'Redis' | 'Redis Cluster';
  readonly impl: 'turn' | 'turn + auto-pipelining' | 'session()' | 'session() + auto-pipelining';
  readonly feed: () => Promise<void>;
}

function turnBot(store: InMemorySessionStore | RedisSessionStore): Bot<BotContext> {
  const bot = offlineBot();
  const turns = turnSession<Counter, BotContext>({
    store,
    tenantId: 'bench',
    initial: () => ({ count: 0 }),
    ttlSecs: TTL_SECS,
  });
  turns.on('message', handler);
  bot.use(turns);
  return bot;
}

/** grammY's `session()` on @grammyjs/storage-redis over `client`. */
function redisPlainBot(client: Redis | Cluster): Bot<BotContext> {
  return plainBot({ initial: () => ({ count: 0 }), storage: grammyStorage(client) });
}

/** Concurrency 1 and the high one (8 in a smoke run, 64 otherwise). */
function concurrenciesOf(settings: BenchSettings): number[] {
  return [1, settings.smoke ? 8 : 64];
}

function plainBot(options: SessionOptions<Counter, BotContext>): Bot<BotContext> {
  const bot = offlineBot();
  bot.use(session<Counter, BotContext>(options));
  bot.on('message', handler);
  return bot;
}

async function warm(feed: () => Promise<void>, settings: BenchSettings): Promise<void> {
  const total = settings.smoke ? CHATS : CHATS * WARM_UPDATES;
  for (let done = 0; done < total; done += CHATS) {
    await Promise.all(Array.from({ length: CHATS }, () => feed()));
  }
}

const name = (v: Variant, c: number) => `${v.impl} [${v.backend} · c${c}]`;

/** One benchmark per variant at concurrency `c`; `session()` is the baseline. */
function specsOf(variants: readonly Variant[], c: number): BenchSpec[] {
  return variants.map((v) => ({
    name: name(v, c),
    impl: v.impl,
    op: 'update',
    fn: v.feed,
    concurrency: c,
    baseline: v.impl === 'session()',
  }));
}

/** @grammyjs/storage-redis on an ioredis client (GET + SET per update). */
function grammyStorage(client: Redis | Cluster): RedisAdapter<Counter> {
  // Typed against ioredis 5; it only calls get/set/del, which ioredis 6 keeps.
  return new RedisAdapter<Counter>({
    instance: client as unknown as NonNullable<
      ConstructorParameters<typeof RedisAdapter>[0]['instance']
    >,
    ttl: TTL_SECS,
  });
}

/**
 * Runs the turn section against a standalone Redis at `url`.
 *
 * @param url - `redis://` URL of a private server
 */
export async function runTurnSuite(
  url: string,
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const ourStore = new InMemorySessionStore();
  const redisStore = new RedisSessionStore({ url, namespace: 'bench-turn' });
  const grammyClient = new Redis(url);
  // The store coalesces its own writes on a standalone server; this baseline
  // shows the plain plugin with the batching ioredis itself offers.
  const pipelinedClient = new Redis(url, { enableAutoPipelining: true });
  const variants: Variant[] = [
    { backend: 'memory', impl: 'turn', feed: updateFeed(turnBot(ourStore), 1_000_000) },
    {
      backend: 'memory',
      impl: 'session()',
      feed: updateFeed(
        plainBot({
          initial: () => ({ count: 0 }),
          storage: new MemorySessionStorage<Counter>(TTL_SECS * 1000),
        }),
        2_000_000,
      ),
    },
    { backend: 'Redis', impl: 'turn', feed: updateFeed(turnBot(redisStore), 3_000_000) },
    {
      backend: 'Redis',
      impl: 'session()',
      feed: updateFeed(redisPlainBot(grammyClient), 4_000_000),
    },
    {
      backend: 'Redis',
      impl: 'session() + auto-pipelining',
      feed: updateFeed(redisPlainBot(pipelinedClient), 5_000_000),
    },
  ];
  try {
    for (const v of variants) await warm(v.feed, settings);
    const concurrencies = concurrenciesOf(settings);
    const groups: BenchGroup[] = [];
    for (const backend of ['memory', 'Redis'] as const) {
      for (const c of concurrencies) {
        const specs = specsOf(
          // The pipelined baseline only where it matters: Redis at the high concurrency.
          variants.filter(
            (v) =>
              v.backend === backend &&
              (v.impl !== 'session() + auto-pipelining' || c === concurrencies[1]),
          ),
          c,
        );
        groups.push({ title: `grammY update, ${backend}, concurrency ${c}`, specs });
      }
    }
    // More rounds than the other suites: the target compares two noisy
    // throughputs, and the median of nine paired rounds moves far less (a
    // burst of load on this shared machine skews whole rounds, by up to 2×).
    const measured = await runGroups('Bot turn', groups, turnRounds(settings), print);
    const ratios: RatioRow[] = [];
    const targets: TargetRow[] = [];
    const timeRatios: string[] = [];
    let pairedNote = '';
    for (const backend of ['memory', 'Redis'] as const) {
      for (const c of concurrencies) {
        const setting = `${backend} · c${c}`;
        const pair = [
          measured,
          'Bot turn',
          setting,
          'update',
          `turn [${setting}]`,
          `session() [${setting}]`,
        ] as const;
        const row = ratioOf(...pair);
        if (row === undefined) continue;
        ratios.push(row);
        // Time per update is the inverse of the throughput ratio.
        const time = 1 / row.ratio;
        timeRatios.push(`${setting}: ${formatRatio(time)}`);
        if (backend === 'Redis' && c === concurrencies[1]) {
          // The target pairs each round's turn with the session() measured
          // right next to it (as the otel suite does), then takes the median.
          const paired = pairedRatio(...pair);
          const pairedTime = paired === undefined ? time : 1 / paired.ratio;
          targets.push({
            target: `turn middleware ≤ ${GOAL}× grammY session() time per update (Redis, c${c}; median of the paired rounds)`,
            measured: formatRatio(pairedTime),
            pass: pairedTime <= GOAL,
            ratio: pairedTime,
            goal: GOAL,
            comparison: '≤',
          });
          pairedNote = roundsNote(measured, `turn [${setting}]`, `session() [${setting}]`);
          const piped = ratioOf(
            measured,
            'Bot turn',
            setting,
            'update',
            `turn [${setting}]`,
            `session() + auto-pipelining [${setting}]`,
          );
          if (piped !== undefined) {
            ratios.push(piped);
            timeRatios.push(
              `${setting} (vs session() on an auto-pipelining client): ${formatRatio(1 / piped.ratio)}`,
            );
          }
        }
      }
    }
    return {
      name: 'Bot turn',
      measurements: measured,
      ratios,
      targets,
      tables: [
        {
          title: 'Time per update, turn ÷ session() (lower is better)',
          header: ['setting', 'ratio'],
          rows: timeRatios.map((t) => t.split(': ') as [string, string]),
        },
      ],
      notes: [
        `${CHATS} chats per bot, each warmed with ${settings.smoke ? 1 : WARM_UPDATES} updates first${settings.smoke ? '' : ': turn sessions hold the full 64 remembered update ids and 4 outbox entries (the defaults) in every write'}.`,
        ...(pairedNote === '' ? [] : [pairedNote]),
        `Every session expires ${TTL_SECS} s after its last write on every variant (the turn's \`ttlSecs\`, grammY's \`MemorySessionStorage\` time to live, @grammyjs/storage-redis \`ttl\`).`,
        'Handler: `ctx.session.count += 1; await ctx.reply(…)`; the Bot API is an offline API transformer. session() on memory uses grammY’s MemorySessionStorage, on Redis @grammyjs/storage-redis (GET + SET) on a default ioredis client; the turn on Redis is one CAS script per update at steady state (the runner starts from the session it committed last; a GET only when it has none), on the store’s own client (which coalesces writes on a standalone server: one socket write per 8 commands or per tick). The extra Redis c64 row runs session() on an ioredis client with `enableAutoPipelining`, the batching a plain ioredis client can turn on.',
      ],
    };
  } finally {
    await redisStore.close();
    grammyClient.disconnect();
    pipelinedClient.disconnect();
  }
}

/**
 * Runs the turn section against a 3-master cluster on loopback: the turn on
 * the store's own Cluster client (coalesced writes) and with ioredis
 * auto-pipelining, against `session()` on an ioredis Cluster client.
 *
 * @param ports - the masters' ports
 */
export async function runTurnClusterSuite(
  ports: readonly number[],
  settings: BenchSettings,
  print: Printer,
): Promise<SectionResult> {
  const url = `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`;
  const coalesced = new RedisSessionStore({ url, namespace: 'bench-turn-coalesced' });
  const pipelined = new RedisSessionStore({
    url,
    namespace: 'bench-turn-pipelined',
    clusterOptions: { enableAutoPipelining: true },
  });
  const grammyClient = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
  const backend = 'Redis Cluster';
  const variants: Variant[] = [
    { backend, impl: 'turn', feed: updateFeed(turnBot(coalesced), 6_000_000) },
    { backend, impl: 'turn + auto-pipelining', feed: updateFeed(turnBot(pipelined), 7_000_000) },
    {
      backend,
      impl: 'session()',
      feed: updateFeed(redisPlainBot(grammyClient), 8_000_000),
    },
  ];
  try {
    for (const v of variants) await warm(v.feed, settings);
    const concurrencies = concurrenciesOf(settings);
    const groups: BenchGroup[] = concurrencies.map((c) => ({
      title: `grammY update, ${backend}, concurrency ${c}`,
      specs: specsOf(variants, c),
    }));
    const measured = await runGroups('Bot turn (cluster)', groups, turnRounds(settings), print);
    const ratios: RatioRow[] = [];
    const rows: [string, string][] = [];
    for (const c of concurrencies) {
      const setting = `${backend} · c${c}`;
      for (const impl of ['turn', 'turn + auto-pipelining'] as const) {
        const row = pairedRatio(
          measured,
          'Bot turn (cluster)',
          setting,
          'update',
          `${impl} [${setting}]`,
          `session() [${setting}]`,
        );
        if (row === undefined) continue;
        ratios.push(row);
        rows.push([`${impl} ÷ session(), ${setting}`, formatRatio(1 / row.ratio)]);
      }
    }
    return {
      name: 'Bot turn (3-master cluster)',
      measurements: measured,
      ratios,
      targets: [],
      tables: [
        {
          title: 'Time per update on the cluster (median of the paired rounds; lower is better)',
          header: ['comparison', 'ratio'],
          rows,
        },
      ],
      notes: [
        `Three masters on loopback, no replicas; ${CHATS} chats per bot, warmed as in the standalone section. The turn runs on the store's own Cluster client, which coalesces its writes on every master's socket (one write per 8 commands or per tick), and again with \`clusterOptions: { enableAutoPipelining: true }\`, ioredis's own batching; session() runs @grammyjs/storage-redis on an ioredis Cluster client.`,
        'Ratios here are the median of the paired rounds (each round measures every variant back to back); the tables of measurements show the median round of each.',
      ],
    };
  } finally {
    await coalesced.close();
    await pipelined.close();
    grammyClient.disconnect();
  }
}

import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';
import { createTurnRunner, type Turn, type TurnRunnerOptions } from '@greentic/session-turn';
import { Composer, type Context, type MiddlewareFn, type Telegram } from 'telegraf';
import { isReadOnlyMethod, placeholderResult } from './placeholder.js';

const ctxOf = (op: string): OpContext => ({ pkg: '@greentic/session-telegraf', op });

/** A Telegraf context with a typed `session`. */
export type TurnSessionContext<S> = Context & { session: S };

/** Options of {@link turnSession}. */
export interface TurnSessionOptions<S, C extends Context>
  extends Omit<TurnRunnerOptions<S>, 'flowId'> {
  /**
   * Session key of an update, or undefined for updates without a session
   * (they run without a turn, and reading `ctx.session` throws).
   * @default `telegraf:<bot id>:<chat id>` (undefined without a chat)
   */
  getSessionKey?: (ctx: C) => string | undefined | Promise<string | undefined>;
  /**
   * Which Bot API calls are performed at once instead of buffered.
   * @default methods whose name starts with `get`
   */
  passthrough?: (method: string) => boolean;
}

/** `telegraf:<bot id>:<chat id>`, or undefined for updates without a chat. */
export function defaultTelegrafSessionKey(ctx: Context): string | undefined {
  const chatId = ctx.chat?.id;
  return chatId === undefined ? undefined : `telegraf:${ctx.botInfo.id}:${chatId}`;
}

type CallApi = Telegram['callApi'];

/**
 * A Telegraf `Composer` whose middleware runs each update as a turn (see
 * `@greentic/session-turn`): `ctx.session` is a mutable draft of the
 * session's `data`; Bot API calls made through `ctx.reply`, `ctx.telegram`, …
 * during the turn are buffered (they resolve to placeholder results) and sent,
 * in order, only after the draft was committed with compare-and-set. A
 * conflict re-runs the middleware on the fresh session, discarding its buffered
 * calls; a redelivered `update_id` is skipped; a throwing middleware sends and
 * writes nothing.
 *
 * When its handlers call `next()`, the middleware after the `TurnSession` runs
 * once, after the commit and delivery, outside the turn.
 */
export class TurnSession<S, C extends TurnSessionContext<S>> extends Composer<C> {
  readonly #runner;
  readonly #getSessionKey: (ctx: C) => string | undefined | Promise<string | undefined>;
  readonly #passthrough: (method: string) => boolean;

  /**
   * @param options - store, tenant, `initial`, key and retry bounds
   * @param middleware - handlers to run inside the turn
   * @throws SessionError `invalid_input` for bad options
   */
  constructor(options: TurnSessionOptions<S, C>, ...middleware: MiddlewareFn<C>[]) {
    super(...middleware);
    const c = ctxOf('turnSession');
    if (typeof options !== 'object' || options === null) {
      throw invalidInput(c, `options must be an object, got ${describeValue(options)}`);
    }
    const {
      getSessionKey = defaultTelegrafSessionKey,
      passthrough = isReadOnlyMethod,
      ...rest
    } = options;
    if (typeof getSessionKey !== 'function') {
      throw invalidInput(c, 'options.getSessionKey must be a function');
    }
    if (typeof passthrough !== 'function') {
      throw invalidInput(c, 'options.passthrough must be a function');
    }
    this.#getSessionKey = getSessionKey;
    this.#passthrough = passthrough;
    this.#runner = createTurnRunner<S>({ ...rest, flowId: 'telegraf' });
  }

  /** The middleware Telegraf calls for each update. */
  override middleware(): MiddlewareFn<C> {
    const inner = super.middleware();
    return async (ctx, next) => {
      const key = await this.#getSessionKey(ctx);
      if (key === undefined) {
        defineSession(ctx, () => {
          throw invalidInput(
            ctxOf('ctx.session'),
            'this update has no session key (getSessionKey returned undefined)',
          );
        });
        return inner(ctx, next);
      }
      let current: Turn<S> | undefined;
      const real = ctx.telegram;
      // A per-turn view of the update's Telegram client: its methods call
      // `this.callApi`, which buffers while the turn is open.
      const buffered = Object.create(real) as Telegram;
      const passthrough = this.#passthrough;
      buffered.callApi = ((method: string, payload: unknown, opts?: unknown) => {
        const t = current;
        if (t === undefined || !t.open || passthrough(method)) {
          return (real.callApi as (...a: unknown[]) => Promise<unknown>)(method, payload, opts);
        }
        t.effect(describeCall(method, payload), () =>
          (real.callApi as (...a: unknown[]) => Promise<unknown>)(method, payload),
        );
        return Promise.resolve(placeholderResult(method, payload));
      }) as CallApi;
      defineSession(ctx, () => current as Turn<S>);
      let fellThrough = false;
      (ctx as { telegram: Telegram }).telegram = buffered;
      try {
        await this.#runner.run(key, ctx.update.update_id, async (turn) => {
          current = turn;
          fellThrough = false;
          await inner(ctx, async () => {
            fellThrough = true;
          });
        });
      } finally {
        (ctx as { telegram: Telegram }).telegram = real;
      }
      if (fellThrough) await next();
    };
  }
}

/**
 * Creates a {@link TurnSession}.
 *
 * @example
 * ```ts
 * const turns = turnSession<{ count: number }, MyContext>({ store, tenantId: 'acme', initial: () => ({ count: 0 }) });
 * turns.on('message', async (ctx) => { ctx.session.count++; await ctx.reply(`count ${ctx.session.count}`); });
 * bot.use(turns);
 * ```
 */
export function turnSession<S, C extends TurnSessionContext<S>>(
  options: TurnSessionOptions<S, C>,
  ...middleware: MiddlewareFn<C>[]
): TurnSession<S, C> {
  return new TurnSession<S, C>(options, ...middleware);
}

function defineSession<S>(ctx: Context, turn: () => Turn<S>): void {
  Object.defineProperty(ctx, 'session', {
    enumerable: true,
    configurable: true,
    get: () => turn().data,
    set: (value: S | undefined) => {
      const t = turn();
      if (!t.open) {
        throw invalidInput(
          ctxOf('ctx.session'),
          'the turn is over; this change would not be saved',
        );
      }
      t.data = value;
    },
  });
}

/**
 * The bytes hashed into the outbox for a call: method and payload as JSON,
 * files and other class instances replaced by their class name.
 */
export function describeCall(method: string, payload: unknown): string {
  try {
    return JSON.stringify({ method, payload }, (_k, v: unknown) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const proto = Object.getPrototypeOf(v);
      return proto === Object.prototype || proto === null
        ? v
        : `[${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'object'}]`;
    });
  } catch {
    return JSON.stringify({ method });
  }
}

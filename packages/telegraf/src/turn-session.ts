import {
  createTurnMiddleware,
  describeCall,
  isReadOnlyMethod,
  placeholderResult,
  type TurnMiddlewareFn,
  type TurnMiddlewareOptions,
} from '@greentic/session-turn';
import { Composer, type Context, type MiddlewareFn, type Telegram } from 'telegraf';

/** A Telegraf context with a typed `session`. */
export type TurnSessionContext<S> = Context & { session: S };

/**
 * Options of {@link turnSession}: the turn runner's (store, tenant, `initial`,
 * bounds), `getSessionKey` (default {@link defaultTelegrafSessionKey};
 * undefined runs the update without a turn) and `passthrough` (default: Bot
 * API methods whose name starts with `get` are called at once, the rest is buffered).
 */
export type TurnSessionOptions<S, C extends Context> = TurnMiddlewareOptions<S, C>;

/** `telegraf:<bot id>:<chat id>`, or undefined for updates without a chat. */
export function defaultTelegrafSessionKey(ctx: Context): string | undefined {
  const chatId = ctx.chat?.id;
  return chatId === undefined ? undefined : `telegraf:${ctx.botInfo.id}:${chatId}`;
}

type CallApi = (...args: unknown[]) => Promise<unknown>;

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
  readonly #run: TurnMiddlewareFn<C>;

  /**
   * @param options - store, tenant, `initial`, key and retry bounds
   * @param middleware - handlers to run inside the turn
   * @throws SessionError `invalid_input` for bad options
   */
  constructor(options: TurnSessionOptions<S, C>, ...middleware: MiddlewareFn<C>[]) {
    super(...middleware);
    this.#run = createTurnMiddleware<S, C>(options, {
      pkg: '@greentic/session-telegraf',
      flowId: 'telegraf',
      defaultSessionKey: defaultTelegrafSessionKey,
      defaultPassthrough: isReadOnlyMethod,
      eventId: (ctx) => ctx.update.update_id,
      intercept: (ctx, current, passthrough) => {
        const real = ctx.telegram;
        const callApi = real.callApi as unknown as CallApi;
        // A per-turn view of the update's Telegram client: its methods call
        // `this.callApi`, which buffers while the turn is open.
        const buffered = Object.create(real) as Telegram;
        buffered.callApi = ((method: string, payload: unknown, opts?: unknown) => {
          const t = current();
          if (t === undefined || !t.open || passthrough(method)) {
            return callApi.call(real, method, payload, opts);
          }
          t.effect(describeCall(method, payload), () => callApi.call(real, method, payload));
          return Promise.resolve(placeholderResult(method, payload));
        }) as Telegram['callApi'];
        (ctx as { telegram: Telegram }).telegram = buffered;
        return () => {
          (ctx as { telegram: Telegram }).telegram = real;
        };
      },
    });
  }

  /** The middleware Telegraf calls for each update. */
  override middleware(): MiddlewareFn<C> {
    const inner = super.middleware();
    return (ctx, next) => this.#run(ctx, inner, next);
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

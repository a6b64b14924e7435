import {
  createTurnMiddleware,
  describeCall,
  isReadOnlyMethod,
  placeholderResult,
  type Turn,
  type TurnMiddlewareFn,
  type TurnMiddlewareOptions,
} from '@greentic/session-turn';
import {
  type ApiCallFn,
  Composer,
  type Context,
  GrammyError,
  type Middleware,
  type MiddlewareFn,
  type RawApi,
  type SessionFlavor,
  type Transformer,
} from 'grammy';

/**
 * Options of {@link turnSession}: the turn runner's (store, tenant, `initial`,
 * bounds), `getSessionKey` (default {@link defaultGrammySessionKey}; undefined
 * runs the update without a turn) and `passthrough` (default: Bot API methods
 * whose name starts with `get` are called at once, the rest is buffered).
 */
export type TurnSessionOptions<S, C extends Context> = TurnMiddlewareOptions<S, C>;

/** `grammy:<bot id>:<chat id>`, or undefined for updates without a chat. */
export function defaultGrammySessionKey(ctx: Context): string | undefined {
  const chatId = ctx.chat?.id;
  return chatId === undefined ? undefined : `grammy:${ctx.me.id}:${chatId}`;
}

/**
 * A grammY `Composer` whose middleware runs each update as a turn (see
 * `@greentic/session-turn`): `ctx.session` is a mutable draft of the
 * session's `data`; Bot API calls made through `ctx.reply`, `ctx.api`, … during
 * the turn are buffered (they resolve to placeholder results) and sent, in
 * order, only after the draft was committed with compare-and-set. A conflict
 * re-runs the middleware on the fresh session, discarding its buffered calls;
 * a redelivered `update_id` is skipped; a throwing middleware sends and writes nothing.
 *
 * Register the handlers that use `ctx.session` on it (or pass them to the
 * constructor). When they call `next()`, the middleware after the
 * `TurnSession` runs once, after the commit and delivery, outside the turn:
 * there `ctx.session` is read-only and API calls are sent at once.
 */
export class TurnSession<S, C extends Context & SessionFlavor<S>> extends Composer<C> {
  readonly #run: TurnMiddlewareFn<C>;

  /**
   * @param options - store, tenant, `initial`, key and retry bounds
   * @param middleware - handlers to run inside the turn
   * @throws SessionError `invalid_input` for bad options
   */
  constructor(options: TurnSessionOptions<S, C>, ...middleware: Middleware<C>[]) {
    super(...middleware);
    this.#run = createTurnMiddleware<S, C>(options, {
      pkg: '@greentic/session-grammy',
      flowId: 'grammy',
      defaultSessionKey: defaultGrammySessionKey,
      defaultPassthrough: isReadOnlyMethod,
      eventId: (ctx) => ctx.update.update_id,
      intercept: (ctx, current, passthrough) => {
        // grammY gives every update its own Api: the transformer lives as long as the update.
        ctx.api.config.use(bufferingTransformer(current, passthrough));
        return undefined;
      },
    });
  }

  /** The middleware grammY calls for each update. */
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
export function turnSession<S, C extends Context & SessionFlavor<S>>(
  options: TurnSessionOptions<S, C>,
  ...middleware: Middleware<C>[]
): TurnSession<S, C> {
  return new TurnSession<S, C>(options, ...middleware);
}

/**
 * An API transformer that, while a turn is open, records each non-passthrough
 * call as an effect of the turn and answers with a placeholder; after the
 * commit the runner performs it through the rest of the transformer chain.
 */
function bufferingTransformer<S>(
  turn: () => Turn<S> | undefined,
  passthrough: (method: string) => boolean,
): Transformer<RawApi> {
  return ((
    prev: ApiCallFn<RawApi>,
    method: string,
    payload: unknown,
    signal?: Parameters<ApiCallFn<RawApi>>[2],
  ) => {
    const t = turn();
    if (t === undefined || !t.open || passthrough(method)) {
      return prev(method as never, payload as never, signal);
    }
    t.effect(describeCall(method, payload), async () => {
      const res = await prev(method as never, payload as never);
      if (!res.ok)
        throw new GrammyError(`Call to '${method}' failed!`, res, method, payload as never);
      return res.result;
    });
    return Promise.resolve({ ok: true, result: placeholderResult(method, payload) });
  }) as Transformer<RawApi>;
}

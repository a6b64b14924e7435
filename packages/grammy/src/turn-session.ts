import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';
import { createTurnRunner, type Turn, type TurnRunnerOptions } from '@greentic/session-turn';
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
import { isReadOnlyMethod, placeholderResult } from './placeholder.js';

const ctxOf = (op: string): OpContext => ({ pkg: '@greentic/session-grammy', op });

/** Options of {@link turnSession}. */
export interface TurnSessionOptions<S, C extends Context>
  extends Omit<TurnRunnerOptions<S>, 'flowId'> {
  /**
   * Session key of an update, or undefined for updates without a session
   * (they run without a turn, and reading `ctx.session` throws).
   * @default `grammy:<bot id>:<chat id>` (undefined without a chat)
   */
  getSessionKey?: (ctx: C) => string | undefined | Promise<string | undefined>;
  /**
   * Which Bot API calls are performed at once instead of buffered.
   * @default methods whose name starts with `get`
   */
  passthrough?: (method: string) => boolean;
}

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
  readonly #runner;
  readonly #getSessionKey: (ctx: C) => string | undefined | Promise<string | undefined>;
  readonly #passthrough: (method: string) => boolean;

  /**
   * @param options - store, tenant, `initial`, key and retry bounds
   * @param middleware - handlers to run inside the turn
   * @throws SessionError `invalid_input` for bad options
   */
  constructor(options: TurnSessionOptions<S, C>, ...middleware: Middleware<C>[]) {
    super(...middleware);
    const c = ctxOf('turnSession');
    if (typeof options !== 'object' || options === null) {
      throw invalidInput(c, `options must be an object, got ${describeValue(options)}`);
    }
    const {
      getSessionKey = defaultGrammySessionKey,
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
    this.#runner = createTurnRunner<S>({ ...rest, flowId: 'grammy' });
  }

  /** The middleware grammY calls for each update. */
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
      ctx.api.config.use(bufferingTransformer(() => current, this.#passthrough));
      defineSession(ctx, () => current as Turn<S>);
      let fellThrough = false;
      await this.#runner.run(key, ctx.update.update_id, async (turn) => {
        current = turn;
        fellThrough = false;
        await inner(ctx, async () => {
          fellThrough = true;
        });
      });
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
export function turnSession<S, C extends Context & SessionFlavor<S>>(
  options: TurnSessionOptions<S, C>,
  ...middleware: Middleware<C>[]
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
 * An API transformer that, while a turn is open, records each non-passthrough
 * call as an effect of the turn and answers with a placeholder; after the
 * commit the runner performs it through the rest of the transformer chain.
 */
function bufferingTransformer(
  turn: () => Turn<unknown> | undefined,
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

import { invalidInput, type OpContext, readOptions } from '@greentic/session-core/backend';
import {
  createTurnRunner,
  TURN_RUNNER_OPTION_NAMES,
  type Turn,
  type TurnRunnerOptions,
} from './turn-runner.js';

/**
 * Options of a middleware adapter built on {@link createTurnMiddleware}: the
 * runner's options (its `flowId` is the adapter's name) plus how to key an
 * update and which outgoing calls are not buffered.
 */
export interface TurnMiddlewareOptions<S, C> extends Omit<TurnRunnerOptions<S>, 'flowId'> {
  /**
   * Session key of an update, or undefined for updates without a session
   * (they run without a turn, and reading `ctx.session` throws).
   */
  getSessionKey?: (ctx: C) => string | undefined | Promise<string | undefined>;
  /** Which outgoing calls (by method name) are performed at once instead of buffered. */
  passthrough?: (method: string) => boolean;
}

/** What a framework adapter plugs into {@link createTurnMiddleware}. */
export interface TurnMiddlewareAdapter<S, C> {
  /** Package name used in error messages. */
  readonly pkg: string;
  /** The adapter's name: `cursor.flowId` of the sessions it creates. */
  readonly flowId: string;
  /** Default of `options.getSessionKey`. */
  readonly defaultSessionKey: (ctx: C) => string | undefined;
  /** Default of `options.passthrough`. */
  readonly defaultPassthrough: (method: string) => boolean;
  /** The inbound event id of an update (redeliveries share it). */
  readonly eventId: (ctx: C) => string | number;
  /**
   * Routes the context's outgoing calls through the open turn: while
   * `current()` is an open turn, a call whose method is not `passthrough`
   * must become `current().effect(…)` and resolve to a placeholder. Returns
   * what undoes the routing after the turn, if anything must be undone.
   */
  readonly intercept: (
    ctx: C,
    current: () => Turn<S> | undefined,
    passthrough: (method: string) => boolean,
  ) => (() => void) | undefined;
}

/** Runs one update: `inner` is the adapter's own middleware, `next` what follows it. */
export type TurnMiddlewareFn<C> = (
  ctx: C,
  inner: (ctx: C, next: () => Promise<void>) => unknown,
  next: () => Promise<void>,
) => Promise<void>;

/**
 * Reads the options of an adapter built on the turn runner, for adapter
 * authors: a plain object read exactly once (a getter or Proxy cannot hand
 * validation one value and the adapter another; one that throws gives
 * `invalid_input`), split into the adapter's own options (`ownNames`) and
 * the runner's. `flowId` is not accepted: the adapter sets it.
 *
 * @param options - the user's options
 * @param ownNames - the adapter's own option names
 * @param ctx - operation context for errors (the adapter's package)
 * @returns `own`, each own option's value (absent ones undefined), and
 *   `runner`, a plain copy of the rest for {@link createTurnRunner}
 * @throws SessionError `invalid_input` for a non-plain object or an unknown option
 */
export function readAdapterOptions<S>(
  options: unknown,
  ownNames: readonly string[],
  ctx: OpContext,
): {
  own: Readonly<Record<string, unknown>>;
  runner: Omit<TurnRunnerOptions<S>, 'flowId'>;
} {
  const runnerNames = TURN_RUNNER_OPTION_NAMES.filter((name) => name !== 'flowId');
  const all = readOptions(options, [...runnerNames, ...ownNames], ctx, 'options');
  const own: Record<string, unknown> = Object.create(null);
  const runner: Record<string, unknown> = {};
  for (const name of ownNames) own[name] = all[name];
  for (const name of runnerNames) if (name in all) runner[name] = all[name];
  return { own, runner: runner as Omit<TurnRunnerOptions<S>, 'flowId'> };
}

/**
 * The framework-neutral middleware of the grammY and Telegraf adapters, for
 * adapter authors: runs `inner` for each update as a turn of a
 * {@link createTurnRunner | turn runner}, with `ctx.session` as the draft
 * (see {@link defineTurnSession}) and the context's outgoing calls buffered
 * by `adapter.intercept` until the commit. When `inner` calls `next()`, the
 * middleware after it runs once, after the commit and delivery, outside the turn.
 *
 * @param options - the user's options
 * @param adapter - what the framework supplies
 * @throws SessionError `invalid_input` for bad options
 */
export function createTurnMiddleware<S, C extends object>(
  options: TurnMiddlewareOptions<S, C>,
  adapter: TurnMiddlewareAdapter<S, C>,
): TurnMiddlewareFn<C> {
  const c: OpContext = { pkg: adapter.pkg, op: 'turnSession' };
  const { own, runner: runnerOptions } = readAdapterOptions<S>(
    options,
    ['getSessionKey', 'passthrough'],
    c,
  );
  const { getSessionKey, passthrough } = own;
  const sessionKeyOf = (
    getSessionKey === undefined ? adapter.defaultSessionKey : getSessionKey
  ) as (ctx: C) => string | undefined | Promise<string | undefined>;
  if (typeof sessionKeyOf !== 'function') {
    throw invalidInput(c, 'options.getSessionKey must be a function');
  }
  const isPassthrough = (passthrough === undefined ? adapter.defaultPassthrough : passthrough) as (
    method: string,
  ) => boolean;
  if (typeof isPassthrough !== 'function') {
    throw invalidInput(c, 'options.passthrough must be a function');
  }
  const runner = createTurnRunner<S>({
    ...runnerOptions,
    flowId: adapter.flowId,
  } as TurnRunnerOptions<S>);
  const sessionCtx: OpContext = { pkg: adapter.pkg, op: 'ctx.session' };

  return async (ctx, inner, next) => {
    const found = sessionKeyOf(ctx);
    // A key computed synchronously (the defaults') is used without a wait.
    const key = typeof found === 'string' || found === undefined ? found : await found;
    if (key === undefined) {
      defineTurnSession(
        ctx,
        () => {
          throw invalidInput(
            sessionCtx,
            'this update has no session key (getSessionKey returned undefined)',
          );
        },
        sessionCtx,
      );
      await inner(ctx, next);
      return;
    }
    let current: Turn<S> | undefined;
    const currentTurn = () => current;
    const undo = adapter.intercept(ctx, currentTurn, isPassthrough);
    defineTurnSession(ctx, currentTurn as () => Turn<S>, sessionCtx);
    let fellThrough = false;
    try {
      await runner.run(key, adapter.eventId(ctx), async (turn) => {
        current = turn;
        fellThrough = false;
        await inner(ctx, async () => {
          fellThrough = true;
        });
      });
    } finally {
      undo?.();
    }
    if (fellThrough) await next();
  };
}

/** Where {@link defineTurnSession} keeps what `session` reads, on the target itself. */
const SESSION_SLOT = Symbol('greentic.turnSession');

interface SessionHolder<S> {
  [SESSION_SLOT]: { readonly turn: () => Turn<S>; readonly ctx: OpContext };
}

/**
 * One accessor pair shared by every context, reading the context's own slot:
 * V8 then gives all contexts the same shape. (A pair of closures per context
 * gave each its own; sharing made a grammY turn on memory about 10% faster.)
 */
const SESSION_ACCESSOR: PropertyDescriptor = Object.freeze({
  enumerable: true,
  configurable: true,
  get(this: SessionHolder<unknown>): unknown {
    return this[SESSION_SLOT].turn().data;
  },
  set(this: SessionHolder<unknown>, value: unknown): void {
    const slot = this[SESSION_SLOT];
    const t = slot.turn();
    if (!t.open) throw invalidInput(slot.ctx, 'the turn is over; this change would not be saved');
    t.data = value;
  },
});

/**
 * Defines `target.session` as the draft of the current turn: reading gives
 * `turn().data`, assigning replaces it while the turn is open and throws
 * `invalid_input` after (the change would not be saved).
 *
 * @param target - the framework's context object
 * @param turn - the turn to read from (may throw, e.g. when there is none)
 * @param ctx - operation context of the error
 */
export function defineTurnSession<S>(target: object, turn: () => Turn<S>, ctx: OpContext): void {
  (target as SessionHolder<S>)[SESSION_SLOT] = { turn, ctx };
  Object.defineProperty(target, 'session', SESSION_ACCESSOR);
}

/**
 * The bytes hashed into the outbox for a buffered call: method and payload as
 * JSON, files and other class instances replaced by their class name.
 */
export function describeCall(method: string, payload: unknown): string {
  try {
    // Most payloads are plain JSON, which needs no replacer (much faster).
    return isPlainTree(payload, 0)
      ? JSON.stringify({ method, payload })
      : JSON.stringify({ method, payload }, namesInstances);
  } catch {
    return JSON.stringify({ method });
  }
}

/** The replacer of {@link describeCall}: class instances become `[ClassName]`. */
function namesInstances(_key: string, v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null
    ? v
    : `[${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'object'}]`;
}

/**
 * True when `JSON.stringify(v)` needs no replacer to give what
 * {@link namesInstances} would: nothing below is a class instance or has a
 * `toJSON` (which could return one). Deep trees take the replacer path.
 */
function isPlainTree(v: unknown, depth: number): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (depth > 32 || 'toJSON' in v) return false;
  if (Array.isArray(v)) {
    for (const item of v) if (!isPlainTree(item, depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k of Object.keys(v)) {
    if (!isPlainTree((v as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

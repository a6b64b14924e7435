import { describeValue, invalidInput, type OpContext } from '@greentic/session-core/backend';
import {
  createTurnRunner,
  readAdapterOptions,
  type Turn,
  type TurnResult,
  type TurnRunnerOptions,
} from '@greentic/session-turn';
import type { TurnContext } from 'botbuilder-core';

const ctxOf = (op: string): OpContext => ({ pkg: '@greentic/session-botbuilder', op });

/** Options of {@link createBotTurnHandler}. */
export interface BotTurnOptions<S> extends Omit<TurnRunnerOptions<S>, 'flowId'> {
  /**
   * Session key of an activity.
   * @default `botbuilder:<channelId>:<conversation.id>`
   */
  getSessionKey?: (context: TurnContext) => string | undefined;
  /**
   * Event id of an activity: redeliveries of the same id are skipped.
   * @default `activity.id`
   */
  getEventId?: (context: TurnContext) => string | undefined;
}

/** The bot's logic for one activity: `turn.data` is the mutable draft of the conversation's state. */
export type BotTurnLogic<S> = (context: TurnContext, turn: Turn<S>) => void | Promise<void>;

/** `botbuilder:<channelId>:<conversation.id>`, or undefined when the activity has no conversation. */
export function defaultBotbuilderSessionKey(context: TurnContext): string | undefined {
  const { channelId, conversation } = context.activity;
  return conversation?.id === undefined ? undefined : `botbuilder:${channelId}:${conversation.id}`;
}

/**
 * Wraps bot logic so each activity runs as a turn (see
 * `@greentic/session-turn`): the logic gets a mutable draft of the
 * conversation's state in `turn.data`; `context.sendActivity`,
 * `sendActivities`, `updateActivity` and `deleteActivity` made during the
 * turn are buffered (sends resolve to `{ id: '' }`) and performed, in order,
 * after the draft was committed with compare-and-set. A conflict re-runs the
 * logic on the fresh state, discarding its buffered activities; a redelivered
 * activity id is skipped; logic that throws sends and writes nothing.
 *
 * Use it as the logic of `adapter.process(…)` / `processActivity` or
 * `TestAdapter`, or call it from an `ActivityHandler`. Do not combine it with
 * `ConversationState.saveChanges` for the same state: `BotState` writes with
 * eTag `'*'` and would overwrite concurrent turns.
 *
 * @param options - store, tenant, `initial`, key, event id and retry bounds
 * @param logic - the bot's logic
 * @returns the turn handler; it resolves to the `TurnResult` of `@greentic/session-turn`
 * @throws SessionError `invalid_input` for bad options; the handler throws
 *   `invalid_input` for an activity without a key or id
 */
export function createBotTurnHandler<S>(
  options: BotTurnOptions<S>,
  logic: BotTurnLogic<S>,
): (context: TurnContext) => Promise<TurnResult> {
  const c = ctxOf('createBotTurnHandler');
  const { own, runner: runnerOptions } = readAdapterOptions<S>(
    options,
    ['getSessionKey', 'getEventId'],
    c,
  );
  const getSessionKey = (
    own.getSessionKey === undefined ? defaultBotbuilderSessionKey : own.getSessionKey
  ) as (context: TurnContext) => string | undefined;
  if (typeof getSessionKey !== 'function') {
    throw invalidInput(c, 'options.getSessionKey must be a function');
  }
  const getEventId = (
    own.getEventId === undefined ? (context: TurnContext) => context.activity.id : own.getEventId
  ) as (context: TurnContext) => string | undefined;
  if (typeof getEventId !== 'function') {
    throw invalidInput(c, 'options.getEventId must be a function');
  }
  if (typeof logic !== 'function') {
    throw invalidInput(c, `logic must be a function, got ${describeValue(logic)}`);
  }
  const runner = createTurnRunner<S>({ ...runnerOptions, flowId: 'botbuilder' });

  return async (context) => {
    const rc = ctxOf('turn');
    const key = getSessionKey(context);
    if (key === undefined) throw invalidInput(rc, 'the activity has no session key');
    const eventId = getEventId(context);
    if (eventId === undefined) throw invalidInput(rc, 'the activity has no id');
    let current: Turn<S> | undefined;
    const open = () => (current?.open === true ? current : undefined);
    context.onSendActivities((_ctx, activities, next) => {
      const t = open();
      if (t === undefined) return next();
      t.effect(describeActivities('send', activities), () => next());
      return Promise.resolve(activities.map(() => ({ id: '' })));
    });
    context.onUpdateActivity((_ctx, activity, next) => {
      const t = open();
      if (t === undefined) return next();
      t.effect(describeActivities('update', [activity]), () => next());
      return Promise.resolve();
    });
    context.onDeleteActivity((_ctx, reference, next) => {
      const t = open();
      if (t === undefined) return next();
      t.effect(describeActivities('delete', [reference]), () => next());
      return Promise.resolve();
    });
    return runner.run(key, eventId, async (turn) => {
      current = turn;
      await logic(context, turn);
    });
  };
}

/** The bytes hashed into the outbox for buffered activities. */
function describeActivities(op: string, items: readonly unknown[]): string {
  try {
    return JSON.stringify({ op, items });
  } catch {
    return JSON.stringify({ op, count: items.length });
  }
}

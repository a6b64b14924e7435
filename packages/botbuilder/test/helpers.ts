import type { SessionStore } from '@greentic/session-core';
import type { Turn } from '@greentic/session-turn';
import { type Activity, TestAdapter, type TurnContext } from 'botbuilder-core';
import { createBotTurnHandler } from '../src/index.js';

/** Conversation state of the test bots. */
export interface Counter {
  count: number;
  activities: string[];
}

export const initial = (): Counter => ({ count: 0, activities: [] });
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** The counting logic: reads, waits, writes, replies with the activity id. */
export async function countingLogic(context: TurnContext, turn: Turn<Counter>): Promise<void> {
  const state = turn.data as Counter;
  if (context.activity.text === 'boom') {
    state.count = -1;
    await context.sendActivity('never');
    throw new Error('logic failed');
  }
  const before = state.count;
  await sleep(1 + Math.floor(Math.random() * 8));
  state.count = before + 1;
  state.activities.push(String(context.activity.id));
  await context.sendActivity(`activity ${context.activity.id} count ${before + 1}`);
}

/** A TestAdapter running the counting logic as turns on `store`. */
export function turnAdapter(store: SessionStore, extra: Record<string, unknown> = {}) {
  const handler = createBotTurnHandler<Counter>(
    {
      store,
      tenantId: 'acme',
      initial,
      baseDelayMs: 2,
      maxDelayMs: 20,
      maxAttempts: 200,
      ...extra,
    },
    countingLogic,
  );
  const adapter = new TestAdapter(async (context) => {
    await handler(context);
  });
  return adapter;
}

/** A message activity with an explicit id. */
export function message(id: string, text = 'hi'): Partial<Activity> {
  return { type: 'message', id, text };
}

/** Texts of the replies a TestAdapter sent. */
export function replies(...adapters: TestAdapter[]): string[] {
  return adapters.flatMap((a) => a.activeQueue.map((r) => String(r.text)));
}

/** The activity ids the replies answer, sorted numerically. */
export function repliedIds(texts: readonly string[]): number[] {
  return texts.map((t) => Number(/^activity (\d+)/.exec(t)?.[1])).sort((a, b) => a - b);
}

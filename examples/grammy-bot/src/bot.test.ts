import { InMemorySessionStore } from '@greentic/session-memory';
import { describe, expect, it } from 'vitest';
import { runOffline } from './bot.js';

describe('grammy-bot example', () => {
  it('counts 5 concurrent messages without loss and skips the redelivery', async () => {
    const lines: string[] = [];
    const { count, replies } = await runOffline(new InMemorySessionStore(), (l) => lines.push(l));
    expect(count).toBe(5);
    expect(replies).toHaveLength(5);
    expect(new Set(replies).size).toBe(5);
    expect(lines.at(-1)).toBe('chat 42 counter: 5 (5 messages, none lost)');
  });
});

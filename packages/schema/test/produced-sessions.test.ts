import { appendOutbox, createSession, mutate } from '@greentic/session-core';
import { createInMemorySessionStore } from '@greentic/session-memory';
import { describe, expect, it } from 'vitest';
import { sessionValidator, storedSessionValidator, validateSession } from '../src/validate.js';

const input = {
  key: 'b'.repeat(64),
  tenantId: 'acme',
  flowId: 'onboarding',
  nodeId: 'start',
  ttlSecs: 600,
  labels: { channel: 'telegram', nested: { list: [1, null, true, 'x'] } },
};

function expectValid(value: unknown): void {
  const result = validateSession(value);
  expect(result.ok ? 'valid' : result.message).toBe('valid');
}

describe('sessions produced by core and the memory backend match the schema', () => {
  it('createSession and appendOutbox', () => {
    let session = createSession({ ...input, teamId: 't', userId: 'u', waitReason: '' });
    expectValid(session);
    for (const payload of ['hello', new Uint8Array([1, 2, 3]), '\u{1F600}']) {
      session = appendOutbox(session, payload);
      expectValid(session);
    }
    expect(session.outbox).toHaveLength(3);
  });

  it('what InMemorySessionStore returns after put, updateCas, mutate and touch', async () => {
    const store = createInMemorySessionStore();
    try {
      const created = createSession(input);
      await store.put(created);
      let stored = await store.get(created.key);
      expect(storedSessionValidator.validate(stored).ok).toBe(true);

      await store.updateCas(appendOutbox(created, 'first'), 1);
      await mutate(store, created.key, (s) => appendOutbox(s, 'second'));
      await store.touch(created.key, 0);
      stored = await store.get(created.key, { tenantId: 'acme' });
      expect(stored?.cas).toBe(3);
      expect(stored?.session.outbox).toHaveLength(2);
      expectValid(stored?.session);
      // JSON round trip: what a service would send over the wire still matches.
      expect(sessionValidator.is(JSON.parse(JSON.stringify(stored?.session)))).toBe(true);
      expect(storedSessionValidator.validate(stored).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});

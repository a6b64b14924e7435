import { createSession } from '@greentic/session-core';
import { describe, expect, it } from 'vitest';
import {
  encodeEventId,
  hasEncodedEvent,
  nextTurnLabel,
  readTurnState,
  storedEvents,
  TURN_LABEL,
} from './turn-state.js';

/** A small deterministic generator (mulberry32), so a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Ids built from the characters the encoding treats specially, so prefixes,
// escapes and separators collide as often as possible.
const ALPHABET = ['1', '2', ' ', '%', '0', 'a'];

function randomId(random: () => number): string {
  const length = 1 + Math.floor(random() * 4);
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return id;
}

function sessionWith(label: unknown) {
  return createSession({
    key: 'k',
    tenantId: 'acme',
    flowId: 'f',
    nodeId: 'n',
    ttlSecs: 0,
    labels: { [TURN_LABEL]: label as never },
  });
}

describe('the events label (version 2)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: keeps exactly the newest ids of a reference list, and recognises exactly them`, () => {
      const random = rng(seed);
      const remember = 1 + Math.floor(random() * 6);
      const reference: string[] = [];
      let label = nextTurnLabel('', randomId(random), remember);
      reference.push(...readTurnState(sessionWith(label)).events);
      for (let step = 0; step < 200; step++) {
        const id = randomId(random);
        label = nextTurnLabel(storedEvents(sessionWith(label)), id, remember);
        reference.push(id);
        const expected = reference.slice(-remember);
        expect(readTurnState(sessionWith(label)).events).toStrictEqual(expected);
        const probe = randomId(random);
        expect(hasEncodedEvent(label.events, encodeEventId(probe))).toBe(expected.includes(probe));
      }
    });
  }

  it('accepts the decoded state as well as the encoded string', () => {
    expect(nextTurnLabel({ events: ['a b', '%'] }, 'c', 3)).toStrictEqual({
      v: 2,
      events: 'a%20b %25 c',
    });
    expect(nextTurnLabel({ events: [] }, 'x', 1)).toStrictEqual({ v: 2, events: 'x' });
    expect(nextTurnLabel('a b c', 'd', 1)).toStrictEqual({ v: 2, events: 'd' });
  });
});

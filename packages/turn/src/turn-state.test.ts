import { createSession } from '@greentic/session-core';
import { describe, expect, it } from 'vitest';
import {
  encodeEventId,
  hasEvent,
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
// escapes, separators and differences collide as often as possible; and
// numeric ids, mostly increasing as chat platforms number them.
const ALPHABET = ['1', '2', ' ', '%', '0', 'a', '~', '7', 'E'];

function idSource(random: () => number): () => string {
  let last = Math.floor(random() * 1000);
  return () => {
    const r = random();
    if (r < 0.45) {
      last += 1 + Math.floor(random() * (random() < 0.5 ? 40 : 100_000));
      return String(last);
    }
    if (r < 0.55) return String(Math.floor(random() * last)); // older or repeated
    if (r < 0.6) return String(Number.MAX_SAFE_INTEGER - Math.floor(random() * 3));
    if (r < 0.65) return `0${Math.floor(random() * 50)}`; // digits, not canonical
    const length = 1 + Math.floor(random() * 4);
    let id = '';
    for (let i = 0; i < length; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return id;
  };
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

describe('the events label (version 3)', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${seed}: keeps exactly the newest ids of a reference list, and recognises exactly them`, () => {
      const random = rng(seed);
      const nextId = idSource(random);
      const remember = 1 + Math.floor(random() * 12);
      const reference: string[] = [];
      let label = nextTurnLabel('', nextId(), remember);
      reference.push(...readTurnState(sessionWith(label)).events);
      for (let step = 0; step < 300; step++) {
        const id = nextId();
        label = nextTurnLabel(storedEvents(sessionWith(label)), id, remember);
        expect(label.v).toBe(3);
        reference.push(id);
        const expected = reference.slice(-remember);
        expect(readTurnState(sessionWith(label)).events).toStrictEqual(expected);
        // Half the probes are remembered ids, half are fresh.
        const probe =
          random() < 0.5 ? (expected[Math.floor(random() * expected.length)] as string) : nextId();
        expect(hasEvent(label.events, probe)).toBe(expected.includes(probe));
        for (const neighbour of [Number(probe) - 1, Number(probe) + 1]) {
          if (!/^(0|[1-9]\d*)$/.test(probe) || neighbour < 0) continue;
          expect(hasEvent(label.events, String(neighbour))).toBe(
            expected.includes(String(neighbour)),
          );
        }
      }
    });
  }

  it('writes increasing numeric ids as differences in base 36, the newest whole', () => {
    let events = '';
    for (const id of ['100', '356', 'abc', '400', '7'])
      events = nextTurnLabel(events, id, 10).events;
    // 356 − 100 = 256 = 74₃₆; 400 − 356 = 44 = 18₃₆; 7 is smaller than 400: whole.
    expect(events).toBe('~74 ~18 abc 400 7');
    expect(readTurnState(sessionWith({ v: 3, events })).events).toStrictEqual([
      '100',
      '356',
      'abc',
      '400',
      '7',
    ]);
    // Dropping the oldest leaves every difference valid.
    expect(nextTurnLabel(events, '8', 3)).toStrictEqual({ v: 3, events: '400 ~1 8' });
  });

  it('stores 64 Telegram update ids in under half the bytes of the version 2 list', () => {
    const random = rng(42);
    let id = 987_654_321;
    const ids: string[] = [];
    let events = '';
    for (let i = 0; i < 64; i++) {
      id += 1 + Math.floor(random() * 5000);
      ids.push(String(id));
      events = nextTurnLabel(events, String(id), 64).events;
    }
    expect(events.length).toBeLessThan(0.5 * ids.join(' ').length);
    for (const x of ids) expect(hasEvent(events, x)).toBe(true);
  });

  it('escapes %, space and ~ in other ids', () => {
    expect(encodeEventId('a b%c~d')).toBe('a%20b%25c%7Ed');
    expect(nextTurnLabel({ events: ['a b', '%', '~1'] }, 'c', 4)).toStrictEqual({
      v: 3,
      events: 'a%20b %25 %7E1 c',
    });
    expect(nextTurnLabel({ events: [] }, 'x', 1)).toStrictEqual({ v: 3, events: 'x' });
    expect(nextTurnLabel('a b c', 'd', 1)).toStrictEqual({ v: 3, events: 'd' });
  });

  it('reads version 2 (escaped ids, ~ as itself) and version 1 as the same ids', () => {
    const v2 = sessionWith({ v: 2, events: '5 a%20b ~1 9 %25' });
    expect(readTurnState(v2).events).toStrictEqual(['5', 'a b', '~1', '9', '%']);
    expect(storedEvents(v2)).toBe('~4 a%20b %7E1 9 %25');
    expect(hasEvent(storedEvents(v2), '~1')).toBe(true);
    expect(hasEvent(storedEvents(v2), '4')).toBe(false);
    const v1 = sessionWith({ v: 1, events: ['5', 'a b', 7, '9'] });
    expect(readTurnState(v1).events).toStrictEqual(['5', 'a b', '9']);
  });

  it('leaves damaged tokens out and never throws on them', () => {
    // A difference with nothing whole to its right, bad base 36, one that
    // would go below zero, empty tokens.
    for (const events of ['~5', '~zz! 3', '~00 3', '~5 3', '  3', '~ 3', '~5 ~zz 9', 'abc ~2']) {
      const session = sessionWith({ v: 3, events });
      const ids = readTurnState(session).events;
      for (const id of ids) expect(hasEvent(events, id)).toBe(true);
      expect(() => nextTurnLabel(events, '10', 4)).not.toThrow();
    }
    expect(readTurnState(sessionWith({ v: 3, events: '~5 3' })).events).toStrictEqual(['3']);
    expect(readTurnState(sessionWith({ v: 3, events: '~5 ~zz 9' })).events).toStrictEqual(['9']);
    expect(hasEvent('~5 3', '-2')).toBe(false);
  });
});

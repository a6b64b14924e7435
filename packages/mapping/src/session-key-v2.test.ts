import { Buffer } from 'node:buffer';
import { SESSION_PATTERNS, SessionError } from '@greentic/session-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { telegramUpdateToSessionKey, webhookToSessionKey } from './rust-compatible-keys.js';
import {
  encodeSessionKeyV2,
  SESSION_KEY_V2_TAG,
  sessionKeyFromParts,
  telegramSessionKeyV2,
  webhookSessionKeyV2,
} from './session-key-v2.js';

// Expected keys were computed outside this code, with
// `printf '%s' '<preimage>' | sha256sum` (coreutils), and pasted here. They pin
// the v2 format: a change to it fails these tests.
const V2_TABLE = [
  {
    title: 'telegramSessionKeyV2(bot-9001, chat-42, user-1)',
    key: () => telegramSessionKeyV2('bot-9001', 'chat-42', 'user-1'),
    preimage: 'greentic-session-key:v2:8:telegram:8:bot-9001:7:chat-42:6:user-1',
    expected: '82e7a58eb7e3494919d7894c6caa8f8ab6ba75cbcf5a70e606cd441bbf250871',
  },
  {
    title: 'telegramSessionKeyV2 with a negative integer chat id',
    key: () => telegramSessionKeyV2(123456789, -1001234567890, 42),
    preimage: 'greentic-session-key:v2:8:telegram:9:123456789:14:-1001234567890:2:42',
    expected: 'b6846a88ea2246668ea7141b29e75d4420e276f844ca517b0be8d814d1c46b53',
  },
  {
    title: 'webhookSessionKeyV2(crm, ticket, 42)',
    key: () => webhookSessionKeyV2('crm', 'ticket', '42'),
    preimage: 'greentic-session-key:v2:7:webhook:3:crm:6:ticket:2:42',
    expected: 'cfd5ff7911345d7c841236dc9363333af9649285701f04b47dc10cca0a5049b7',
  },
  {
    title: 'webhookSessionKeyV2 with multi-byte parts (lengths in UTF-8 bytes)',
    key: () => webhookSessionKeyV2('crm', 't\u00efcket', '\u{1F3AB}'),
    preimage: 'greentic-session-key:v2:7:webhook:3:crm:7:t\u00efcket:4:\u{1F3AB}',
    expected: 'b08f8a644c633252d3594c335125b389e5b20d844f3d949e979a4ee9abc3a6b4',
  },
  {
    title: 'sessionKeyFromParts(crm.contact, [acme-1])',
    key: () => sessionKeyFromParts('crm.contact', ['acme-1']),
    preimage: 'greentic-session-key:v2:11:crm.contact:6:acme-1',
    expected: '0ab8518259dda9bc87420fb87ebf168449704f4e8575cacd6e024f0d70940fdf',
  },
] as const;

/** Test-only reader of the v2 preimage: parsing it back proves the encoding is injective. */
function decodeV2(preimage: string): string[] {
  const bytes = Buffer.from(preimage, 'utf8');
  const tag = Buffer.from(SESSION_KEY_V2_TAG, 'utf8');
  expect(bytes.subarray(0, tag.length).equals(tag)).toBe(true);
  const fields: string[] = [];
  let at = tag.length;
  while (at < bytes.length) {
    expect(bytes[at]).toBe(0x3a); // ':'
    const end = bytes.indexOf(0x3a, at + 1);
    const digits = bytes.subarray(at + 1, end).toString('latin1');
    expect(digits).toMatch(/^(0|[1-9]\d*)$/);
    const length = Number(digits);
    fields.push(bytes.subarray(end + 1, end + 1 + length).toString('utf8'));
    at = end + 1 + length;
  }
  expect(at).toBe(bytes.length);
  return fields;
}

describe('v2 keys', () => {
  it.each(V2_TABLE)('$title hashes its preimage to the key sha256sum gives', (row) => {
    expect(row.key()).toBe(row.expected);
  });

  it.each(V2_TABLE)('$title: the pinned preimage decodes field by field', (row) => {
    const [namespace, ...texts] = decodeV2(row.preimage);
    expect(encodeSessionKeyV2(namespace as string, texts)).toBe(row.preimage);
  });

  it('gives different keys to the inputs that collide in the Rust-compatible format', () => {
    expect(telegramUpdateToSessionKey('a:b', 'c', 'x')).toBe(
      telegramUpdateToSessionKey('a', 'b:c', 'x'),
    );
    // Pinned with sha256sum of the preimages ...:3:a:b:1:c:1:x and ...:1:a:3:b:c:1:x.
    expect(telegramSessionKeyV2('a:b', 'c', 'x')).toBe(
      '1c14121a15ca6f047f56c4bad496a295995f20c969760b98d5c20d4ead14553a',
    );
    expect(telegramSessionKeyV2('a', 'b:c', 'x')).toBe(
      '041e7ba6a5e8271f662736506a378f6a47e01b3daa5d4e299b920d20f995c299',
    );
    expect(webhookToSessionKey('a', 'b', 'c:d')).toBe(webhookToSessionKey('a', 'b:c', 'd'));
    expect(webhookSessionKeyV2('a', 'b', 'c:d')).not.toBe(webhookSessionKeyV2('a', 'b:c', 'd'));
  });

  it('telegramSessionKeyV2 and webhookSessionKeyV2 are sessionKeyFromParts under their namespace', () => {
    expect(telegramSessionKeyV2('b', -5, 7)).toBe(
      sessionKeyFromParts('telegram', ['b', '-5', '7']),
    );
    expect(webhookSessionKeyV2('crm', 'ticket', 42)).toBe(
      sessionKeyFromParts('webhook', ['crm', 'ticket', '42']),
    );
  });

  it('never equals the Rust-compatible key of the same inputs', () => {
    expect(telegramSessionKeyV2('bot-9001', 'chat-42', 'user-1')).not.toBe(
      telegramUpdateToSessionKey('bot-9001', 'chat-42', 'user-1'),
    );
  });

  it('separates namespaces, part order and part count', () => {
    const keys = new Set([
      sessionKeyFromParts('a', ['b']),
      sessionKeyFromParts('b', ['a']),
      sessionKeyFromParts('a', ['b', 'c']),
      sessionKeyFromParts('a', ['c', 'b']),
      sessionKeyFromParts('a', ['bc']),
      sessionKeyFromParts('a', ['b:1:c']),
      sessionKeyFromParts('a.b', ['c']),
    ]);
    expect(keys.size).toBe(7);
  });

  it('returns 64 lowercase hex characters that are a valid SessionKey', () => {
    const key = sessionKeyFromParts('crm.contact', ['acme-1', 7]);
    expect(key).toMatch(SESSION_PATTERNS.sha256Hex);
    expect(key).toMatch(SESSION_PATTERNS.sessionKey);
  });

  it('decodes every encoding back to its fields, so distinct inputs never share a preimage (property)', () => {
    const part = fc.string({ unit: 'binary', minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,10}$/),
        fc.array(part, { minLength: 1, maxLength: 5 }),
        (namespace, parts) => {
          expect(decodeV2(encodeSessionKeyV2(namespace, parts))).toEqual([namespace, ...parts]);
        },
      ),
    );
  });

  it('gives distinct keys to distinct inputs built from separator-heavy text (property)', () => {
    // A tiny alphabet of ':' and digits makes near-collisions of the naive format likely.
    const part = fc.string({
      unit: fc.constantFrom(':', '1', '2', 'a'),
      minLength: 1,
      maxLength: 6,
    });
    const input = fc.array(part, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(input, input, (x, y) => {
        const same = JSON.stringify(x) === JSON.stringify(y);
        expect(sessionKeyFromParts('ns', x) === sessionKeyFromParts('ns', y)).toBe(same);
      }),
      { numRuns: 500 },
    );
  });
});

describe('v2 input validation', () => {
  function thrownBy(run: () => unknown): SessionError {
    try {
      run();
    } catch (err) {
      expect(SessionError.isInstance(err)).toBe(true);
      expect((err as SessionError).code).toBe('invalid_input');
      return err as SessionError;
    }
    throw new Error('expected a SessionError');
  }

  it.each(['', 'Telegram', '-x', 'a b', 'a:b', 'x'.repeat(65), 42, null])(
    'sessionKeyFromParts rejects namespace %j',
    (namespace) => {
      const err = thrownBy(() => sessionKeyFromParts(namespace as string, ['p']));
      expect(err.message).toBe(
        '[@greentic/session-mapping] sessionKeyFromParts: namespace must be 1..64 characters of a-z, 0-9, ".", "_", "-" starting with a letter or digit',
      );
    },
  );

  it('accepts a 64-character namespace', () => {
    expect(sessionKeyFromParts('x'.repeat(64), ['p'])).toMatch(SESSION_PATTERNS.sha256Hex);
  });

  it.each([[], 'abc', null, undefined, { 0: 'a', length: 1 }])(
    'sessionKeyFromParts rejects parts = %j',
    (parts) => {
      const err = thrownBy(() => sessionKeyFromParts('ns', parts as unknown as string[]));
      expect(err.message).toBe(
        '[@greentic/session-mapping] sessionKeyFromParts: parts must be a non-empty array',
      );
    },
  );

  it('rejects a hole in a sparse array as invalid_input naming its index (issue 10, defect 6)', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point of the test
    const sparse = ['a', , 'b'] as unknown as string[];
    const err = thrownBy(() => sessionKeyFromParts('ns', sparse));
    expect(err.message).toBe(
      '[@greentic/session-mapping] sessionKeyFromParts: parts[1] must be a non-empty string or a safe integer, got undefined',
    );
  });

  it('turns a throwing getter, Proxy trap or revoked Proxy into invalid_input', () => {
    const boom = new Error('boom');
    const getter = ['a'];
    Object.defineProperty(getter, 0, {
      get: () => {
        throw boom;
      },
    });
    const { proxy: revoked, revoke } = Proxy.revocable([], {});
    revoke();
    const trap = new Proxy(['a'], {
      get: () => {
        throw boom;
      },
    });
    for (const parts of [getter, revoked, trap]) {
      const err = thrownBy(() => sessionKeyFromParts('ns', parts as string[]));
      expect(err.message).toBe(
        '[@greentic/session-mapping] sessionKeyFromParts: parts could not be read: a getter or Proxy trap threw',
      );
    }
  });

  it('reads each part once', () => {
    let reads = 0;
    const parts = ['x'];
    Object.defineProperty(parts, 0, { get: () => (++reads === 1 ? 'a' : 'b') });
    expect(sessionKeyFromParts('ns', parts)).toBe(sessionKeyFromParts('ns', ['a']));
    expect(reads).toBe(1);
  });

  it('accepts 1024 parts and rejects 1025 (a Proxy cannot claim a huge length)', () => {
    expect(
      sessionKeyFromParts(
        'ns',
        Array.from({ length: 1024 }, () => 'p'),
      ),
    ).toMatch(SESSION_PATTERNS.sha256Hex);
    const huge = new Proxy(['p'], {
      get: (t, k, r) => (k === 'length' ? 2 ** 32 - 1 : Reflect.get(t, k, r)),
    });
    expect(thrownBy(() => sessionKeyFromParts('ns', huge)).message).toContain(
      'parts must hold at most 1024 parts, got 4294967295',
    );
  });

  it('keeps rejecting empty parts, unlike the Rust-compatible functions', () => {
    expect(thrownBy(() => sessionKeyFromParts('ns', ['a', ''])).message).toContain(
      'parts[1] must be a non-empty string or a safe integer, got an empty string',
    );
    expect(telegramUpdateToSessionKey('', '', '')).toMatch(SESSION_PATTERNS.sha256Hex);
  });

  it('names the index of a bad part', () => {
    const err = thrownBy(() => sessionKeyFromParts('ns', ['ok', 1.25]));
    expect(err.message).toBe(
      '[@greentic/session-mapping] sessionKeyFromParts: parts[1] must be a non-empty string or a safe integer, got 1.25',
    );
  });

  it('names the argument in telegramSessionKeyV2 and webhookSessionKeyV2', () => {
    expect(thrownBy(() => telegramSessionKeyV2('b', '', 'u')).message).toBe(
      '[@greentic/session-mapping] telegramSessionKeyV2: chatId must be a non-empty string or a safe integer, got an empty string',
    );
    expect(
      thrownBy(() => webhookSessionKeyV2('crm', 'ticket', undefined as unknown as string)).message,
    ).toBe(
      '[@greentic/session-mapping] webhookSessionKeyV2: idHint must be a non-empty string or a safe integer, got undefined',
    );
  });
});

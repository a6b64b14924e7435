import { createHash } from 'node:crypto';
import { SESSION_PATTERNS, SessionError } from '@greentic/session-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { telegramUpdateToSessionKey, webhookToSessionKey } from './rust-compatible-keys.js';

// Expected keys were computed outside this code, with
// `printf '%s' '<preimage>' | sha256sum` (coreutils), and pasted here.
const TELEGRAM_TABLE = [
  {
    args: ['bot-9001', 'chat-42', 'user-1'],
    preimage: 'tg:bot-9001:chat-42:user-1',
    key: 'e9ec0b1df5b41e0785cbc58dfa3036317865737fce1a460de78b4be648aa3576',
  },
  {
    args: ['bot', 'chat', 'user'],
    preimage: 'tg:bot:chat:user',
    key: 'cd049376205f9b558a9efca590634fdbeb5330a2693405251e8ebe96dbea2fe8',
  },
  {
    args: ['123456789', '-1001234567890', '42'],
    preimage: 'tg:123456789:-1001234567890:42',
    key: '24990c7f3541e100afdf4d9f5fcb1b39a4c0f9cd9cfafa969ad557dd9580e0b2',
  },
] as const;

const WEBHOOK_TABLE = [
  {
    args: ['crm', 'ticket', '42'],
    preimage: 'wh:crm:ticket:42',
    key: '9e1d895a280b0fec2827860d32d810a44ea9ae7b97d1bed3fc9b586de7f6de49',
  },
  {
    // U+00EF and U+1F3AB: multi-byte UTF-8 must hash as UTF-8, like Rust's as_bytes().
    args: ['crm', 't\u00efcket', '\u{1F3AB}'],
    preimage: 'wh:crm:t\u00efcket:\u{1F3AB}',
    key: 'a1967bd4cd349e1243048e9827bfc7aa521984a4400c976c767d3073f2525e16',
  },
] as const;

describe('telegramUpdateToSessionKey', () => {
  it.each(TELEGRAM_TABLE)('hashes $preimage to the key sha256sum gives', ({ args, key }) => {
    expect(telegramUpdateToSessionKey(args[0], args[1], args[2])).toBe(key);
  });

  it('formats safe integers as Rust formats integers, so numbers and their strings agree', () => {
    expect(telegramUpdateToSessionKey(123456789, -1001234567890, 42)).toBe(
      '24990c7f3541e100afdf4d9f5fcb1b39a4c0f9cd9cfafa969ad557dd9580e0b2',
    );
    // -0 is integer zero: Rust's i64 prints it as "0" (preimage tg:7:0:7).
    const zero = 'ab3eb76faaef2086fb3dac3200ef4cc94abc7ee9fe35333ae77179d60b7b74bd';
    expect(telegramUpdateToSessionKey(7, -0, 7)).toBe(zero);
    expect(telegramUpdateToSessionKey('7', '0', '7')).toBe(zero);
    expect(telegramUpdateToSessionKey(Number.MAX_SAFE_INTEGER, 1, 1)).toBe(
      telegramUpdateToSessionKey('9007199254740991', '1', '1'),
    );
  });

  it('returns 64 lowercase hex characters that are a valid SessionKey', () => {
    const key = telegramUpdateToSessionKey('bot-9001', 'chat-42', 'user-1');
    expect(key).toMatch(SESSION_PATTERNS.sha256Hex);
    expect(key).toMatch(SESSION_PATTERNS.sessionKey);
  });

  it('is ambiguous: ("a:b", "c", x) and ("a", "b:c", x) share one key', () => {
    // Both hash the preimage tg:a:b:c:x; sha256sum gives this value.
    const shared = '641022e892845c396f7a3d63d1dc1dad3418ffcd653503e164da72c7e1f31e14';
    expect(telegramUpdateToSessionKey('a:b', 'c', 'x')).toBe(shared);
    expect(telegramUpdateToSessionKey('a', 'b:c', 'x')).toBe(shared);
  });

  it('gives different keys when any one part changes', () => {
    const base = telegramUpdateToSessionKey('bot', 'chat', 'user');
    expect(telegramUpdateToSessionKey('bot2', 'chat', 'user')).not.toBe(base);
    expect(telegramUpdateToSessionKey('bot', 'chat2', 'user')).not.toBe(base);
    expect(telegramUpdateToSessionKey('bot', 'chat', 'user2')).not.toBe(base);
  });

  it('equals sha256 of the colon-joined UTF-8 text for any well-formed parts, empty ones included (property)', () => {
    const part = fc.string({ unit: 'binary', minLength: 0, maxLength: 12 });
    fc.assert(
      fc.property(part, part, part, (b, c, u) => {
        const expected = createHash('sha256')
          .update(Buffer.from(`tg:${b}:${c}:${u}`, 'utf8'))
          .digest('hex');
        expect(telegramUpdateToSessionKey(b, c, u)).toBe(expected);
      }),
    );
  });
});

// Issue 10, defect 7: the crate hashes empty parts (a Telegram channel post
// has no sender). Expected keys: `printf '%s' '<preimage>' | sha256sum`, and
// node:crypto on the literal preimage as a second, independent check.
const EMPTY_PARTS = [
  {
    call: () => telegramUpdateToSessionKey('', '', ''),
    preimage: 'tg:::',
    key: 'a9e65bd2831f23322ccf29b797e683f3925c94ae54539347ce35d34c56d8f355',
  },
  {
    call: () => telegramUpdateToSessionKey('bot', '', 42),
    preimage: 'tg:bot::42',
    key: 'beba5cc9c16859b0587a614e301398b5eba892f2493e1f9262dac5006d78da59',
  },
  {
    call: () => webhookToSessionKey('', '', ''),
    preimage: 'wh:::',
    key: 'a8e665de75db47b1072f21634dc029ba37e2c943d32f4c3421299514b1e36cbd',
  },
  {
    call: () => webhookToSessionKey('crm', 'ticket', ''),
    preimage: 'wh:crm:ticket:',
    key: '44130faa017ea0f7f9e03eaac35b2aa34aeb39b2fcf38c1090ae268c991001a8',
  },
] as const;

describe('empty parts hash like the Rust crate (issue 10, defect 7)', () => {
  it.each(EMPTY_PARTS)(
    '$preimage gives the bytes of sha256($preimage)',
    ({ call, preimage, key }) => {
      expect(createHash('sha256').update(preimage, 'utf8').digest('hex')).toBe(key);
      expect(call()).toBe(key);
    },
  );
});

describe('webhookToSessionKey', () => {
  it.each(WEBHOOK_TABLE)('hashes $preimage to the key sha256sum gives', ({ args, key }) => {
    expect(webhookToSessionKey(args[0], args[1], args[2])).toBe(key);
  });

  it('accepts a safe integer idHint equal to its decimal string', () => {
    expect(webhookToSessionKey('crm', 'ticket', 42)).toBe(
      '9e1d895a280b0fec2827860d32d810a44ea9ae7b97d1bed3fc9b586de7f6de49',
    );
  });

  it('is ambiguous: ("a", "b", "c:d") and ("a", "b:c", "d") share one key', () => {
    // Both hash the preimage wh:a:b:c:d; sha256sum gives this value.
    const shared = '7692e5a1ca5d2f922380a31011cf0131b7a1fdb756c32a8c4d4186f8f8a4ada0';
    expect(webhookToSessionKey('a', 'b', 'c:d')).toBe(shared);
    expect(webhookToSessionKey('a', 'b:c', 'd')).toBe(shared);
  });

  it('never equals the telegram key of the same parts (different prefix)', () => {
    expect(webhookToSessionKey('a', 'b', 'c')).not.toBe(telegramUpdateToSessionKey('a', 'b', 'c'));
  });
});

describe('input validation', () => {
  const bad: [string, unknown, string][] = [
    ['a non-integer', 1.5, 'got 1.5'],
    ['NaN', Number.NaN, 'got NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'got Infinity'],
    ['an unsafe integer', 2 ** 53, 'got 9007199254740992'],
    ['a bigint', 42n, 'got a bigint'],
    ['null', null, 'got null'],
    ['undefined', undefined, 'got undefined'],
    ['an object', { id: 1 }, 'got an object'],
    ['an array', ['x'], 'got an array'],
    ['a lone surrogate', 'ab\uD800', 'got a string with a lone UTF-16 surrogate (length 3)'],
  ];

  const cases = [
    {
      fn: telegramUpdateToSessionKey,
      op: 'telegramUpdateToSessionKey',
      names: ['botId', 'chatId', 'userId'],
    },
    { fn: webhookToSessionKey, op: 'webhookToSessionKey', names: ['source', 'subject', 'idHint'] },
  ] as const;

  for (const { fn, op, names } of cases) {
    names.forEach((name, position) => {
      it.each(bad)(
        `${op} rejects ${name} = %s with invalid_input naming ${name}`,
        (_, value, got) => {
          const args: unknown[] = ['ok', 'ok', 'ok'];
          args[position] = value;
          let thrown: unknown;
          try {
            (fn as (...a: unknown[]) => string)(...args);
          } catch (err) {
            thrown = err;
          }
          expect(SessionError.isInstance(thrown)).toBe(true);
          expect(thrown).toBeInstanceOf(SessionError);
          expect((thrown as SessionError).code).toBe('invalid_input');
          expect((thrown as SessionError).message).toBe(
            `[@greentic/session-mapping] ${op}: ${name} must be a string or a safe integer, ${got}`,
          );
        },
      );
    });
  }

  it('never echoes a rejected string into the error message (ids may be PII)', () => {
    expect(() => telegramUpdateToSessionKey('bot', 'secret-chat\uDC00', 'u')).toThrow(
      /chatId must be .*length 12\)$/,
    );
    try {
      telegramUpdateToSessionKey('bot', 'secret-chat\uDC00', 'u');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
    }
  });

  it('accepts a properly paired surrogate (an emoji) as a well-formed string', () => {
    expect(() => telegramUpdateToSessionKey('\u{1F916}', 'c', 'u')).not.toThrow();
  });
});

import { SESSION_PATTERNS } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NAMESPACE, sessionRedisKey, validateNamespace } from './keys.js';

const CTX = { pkg: '@greentic/session-redis', op: 'test' };

/** Redis Cluster hash tag: what lies between the first `{` and the next `}`, if non-empty. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

describe('key layout', () => {
  it('a session lives at <ns>:{<key>}', () => {
    expect(sessionRedisKey(DEFAULT_NAMESPACE, 'abc')).toBe('greentic:session:{abc}');
    expect(sessionRedisKey('my:ns', 'a:b')).toBe('my:ns:{a:b}');
  });

  it('the hash tag of every key is exactly the session key, whatever the namespace', () => {
    for (const key of ['abc', 'a:b:c', '*', '[x]', 'lookup', 'a'.repeat(512), ':', '"\'\\']) {
      expect(SESSION_PATTERNS.sessionKey.test(key)).toBe(true);
      for (const ns of ['my:ns', 'a', '[*?]', 'x'.repeat(256)]) {
        expect(hashTag(sessionRedisKey(ns, key))).toBe(key);
      }
    }
  });

  it('distinct (namespace, key) pairs never map to the same Redis key', () => {
    const namespaces = ['ns', 'ns:a', 'ns:', 'n', 'a:b', '[x]'];
    const keys = ['k', 'a:k', 'k:', ':k', 'lookup:k', '*', 'a:', '[x]'];
    const seen = new Map<string, string>();
    for (const ns of namespaces) {
      for (const k of keys) {
        const rk = sessionRedisKey(ns, k);
        expect(seen.get(rk)).toBeUndefined();
        seen.set(rk, `${ns}/${k}`);
      }
    }
    expect(seen.size).toBe(namespaces.length * keys.length);
  });
});

describe('validateNamespace', () => {
  it('accepts printable ASCII without whitespace or braces', () => {
    expect(validateNamespace('greentic:session', CTX)).toBe('greentic:session');
    expect(validateNamespace('a', CTX)).toBe('a');
    expect(validateNamespace('x'.repeat(256), CTX)).toHaveLength(256);
  });

  it.each([
    ['', 'non-empty'],
    [42, 'non-empty'],
    ['a{b', "'{'"],
    ['a}b', "'{'"],
    ['a b', 'whitespace'],
    ['a\nb', 'whitespace'],
    ['ünï', 'printable'],
    ['x'.repeat(257), 'at most 256'],
  ])('rejects %j with invalid_input naming the rule', (ns, words) => {
    expect(() => validateNamespace(ns, CTX)).toThrow(
      expect.objectContaining({
        code: 'invalid_input',
        message: expect.stringContaining(words),
      }),
    );
  });
});

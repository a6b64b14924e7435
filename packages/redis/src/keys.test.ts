import { SESSION_PATTERNS } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NAMESPACE, dataKey, dataKeyPrefix, lookupKey, validateNamespace } from './keys.js';

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
  it('data and lookup keys follow <ns>:<tenant>:{<key>} and <ns>:lookup:{<key>}', () => {
    expect(dataKey(DEFAULT_NAMESPACE, 'acme', 'abc')).toBe('greentic:session:acme:{abc}');
    expect(lookupKey(DEFAULT_NAMESPACE, 'abc')).toBe('greentic:session:lookup:{abc}');
    expect(dataKeyPrefix('ns')).toBe('ns:');
    expect(`${dataKeyPrefix('ns')}acme:{k}`).toBe(dataKey('ns', 'acme', 'k'));
  });

  it('both keys of a session share the hash tag, which is exactly the session key', () => {
    for (const key of ['abc', 'a:b:c', '*', '[x]', 'lookup', 'a'.repeat(512), ':', '"\'\\']) {
      expect(SESSION_PATTERNS.sessionKey.test(key)).toBe(true);
      expect(hashTag(dataKey('my:ns', 'tenant-1', key))).toBe(key);
      expect(hashTag(lookupKey('my:ns', key))).toBe(key);
    }
  });

  it('distinct (tenant, key) pairs never map to the same data key, nor to a lookup key', () => {
    const tenants = ['a', 'a.b', 'a-b', 'a_b', 'ab', 'b', 'A', '0', 'lookupx', 'x'.repeat(128)];
    const keys = [
      'k',
      'a:k',
      'b}k'.replace('}', ':'),
      'k:',
      ':k',
      'lookup:k',
      '*',
      'a:{'.slice(0, 2),
    ];
    const seen = new Map<string, string>();
    for (const t of tenants) {
      expect(SESSION_PATTERNS.tenantId.test(t)).toBe(true);
      for (const k of keys) {
        const dk = dataKey('ns', t, k);
        expect(seen.get(dk)).toBeUndefined();
        seen.set(dk, `${t}/${k}`);
      }
    }
    for (const k of keys) expect(seen.has(lookupKey('ns', k))).toBe(false);
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

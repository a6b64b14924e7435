import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openSessionStore } from './open-session-store.js';
import { parseRedisUrl } from './url.js';

describe('parseRedisUrl', () => {
  it('parses a standalone URL into host, port, database, credentials and TLS', () => {
    expect(
      parseRedisUrl('redis://127.0.0.1:6379/0?namespace=x&commandTimeoutMs=250'),
    ).toStrictEqual({
      mode: 'standalone',
      nodes: [{ host: '127.0.0.1', port: 6379 }],
      redisOptions: {},
      namespace: 'x',
      commandTimeoutMs: 250,
    });
    expect(parseRedisUrl('rediss://u:p%40ss@host/2?namespace=a%3Ab')).toStrictEqual({
      mode: 'standalone',
      nodes: [{ host: 'host', port: 6379 }],
      redisOptions: { db: 2, username: 'u', password: 'p@ss', tls: {} },
      namespace: 'a:b',
    });
    expect(parseRedisUrl('redis://host/').redisOptions).toStrictEqual({});
    expect(parseRedisUrl('redis://[::1]:7000').nodes).toStrictEqual([{ host: '::1', port: 7000 }]);
    expect(parseRedisUrl('redis://h/2147483647').redisOptions).toStrictEqual({ db: 2147483647 });
  });

  it('parses the cluster form with comma-separated seeds, credentials and TLS', () => {
    expect(
      parseRedisUrl('redis+cluster://host1:7000,host2:7001,[::1]:7002,host3?namespace=x'),
    ).toStrictEqual({
      mode: 'cluster',
      nodes: [
        { host: 'host1', port: 7000 },
        { host: 'host2', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'host3', port: 6379 },
      ],
      redisOptions: {},
      namespace: 'x',
    });
    expect(parseRedisUrl('rediss+cluster://user:p%3Aw@h:1/')).toStrictEqual({
      mode: 'cluster',
      nodes: [{ host: 'h', port: 1 }],
      redisOptions: { username: 'user', password: 'p:w', tls: {} },
    });
    expect(parseRedisUrl('REDIS+CLUSTER://:secret@h:1').redisOptions).toStrictEqual({
      password: 'secret',
    });
  });

  it('parses the sentinel form: sentinels, master name, database, credentials', () => {
    expect(parseRedisUrl('redis+sentinel://:pw@s1,s2:26380/mymaster/2?namespace=x')).toStrictEqual({
      mode: 'sentinel',
      nodes: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      masterName: 'mymaster',
      redisOptions: { db: 2, password: 'pw' },
      namespace: 'x',
    });
    expect(parseRedisUrl('rediss+sentinel://s1/m').redisOptions).toStrictEqual({ tls: {} });
  });

  it.each([
    ['redis+sentinel://s1', 'master'],
    ['redis+sentinel://s1/', 'master'],
    ['redis+sentinel://s1/a b', 'master'],
    ['redis+sentinel://s1/m/x', 'database'],
    ['redis+sentinel://s1/m/1/2', 'master'],
    ['memcached://h', 'must look like'],
    ['redis:/h', 'must look like'],
    ['redis://', 'must name a host'],
    ['redis://h?commandTimeoutMs=0', 'commandTimeoutMs'],
    ['redis://h?commandTimeoutMs=abc', 'commandTimeoutMs'],
    ['redis://h?family=6', 'unknown query parameter'],
    ['redis://h:6379/abc', 'database'],
    ['redis://h:6379/99999999999', 'database'],
    ['redis://h:6379/-1', 'database'],
    ['redis://h:6379/0x3', 'database'],
    ['redis://h:6379/1.5', 'database'],
    ['redis://h:6379/01', 'database'],
    ['redis://h:6379/1/2', 'database'],
    ['redis://h:99999', 'port'],
    ['redis://h:0', 'port'],
    ['redis://h:+1', 'port'],
    ['redis://h:', 'port'],
    ['redis://h:1,h:2', 'one host'],
    ['redis://h/0#frag', 'must look like'],
    ['redis://h h', 'host'],
    ['redis+cluster://h:1/3', 'database 0'],
    ['redis+cluster://h:1?family=6', 'unknown query parameter'],
    ['redis+cluster://h:99999', 'port'],
    ['redis+cluster://h:1,', 'host'],
    ['redis+cluster://u:%zz@h:1', 'percent-encoding'],
  ])('rejects %s with invalid_input', (url, words) => {
    expect(() => parseRedisUrl(url)).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining(words) }),
    );
  });

  it.each([
    'redis:/user:S3cret@host',
    'redis://user:S3cret@host/0#frag',
    'redis://user:S3cret@host:99999',
    'redis://user:S3cret@host/abc',
    'redis://user:S3cret@host?bogus=1',
    'redis://:S3cret@h h',
    'redis://user:S3c@ret@host/x',
    'redis+cluster://user:S3cret@h:1/5',
    'rediss://user:S3cret@',
  ])('never echoes the password of %s in the error or its dump', (url) => {
    let caught: unknown;
    try {
      parseRedisUrl(url);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'invalid_input' });
    const dump = `${inspect(caught, { depth: 10 })}${JSON.stringify(caught)}${String(caught)}`;
    expect(dump).not.toContain('S3c');
    expect(dump).not.toContain('ret@');
  });

  it('rejects a non-string url', () => {
    expect(() => parseRedisUrl(42 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});

describe('openSessionStore', () => {
  it('lets URL parameters win over options and rejects unknown options', async () => {
    const store = openSessionStore('redis://127.0.0.1:1?namespace=fromurl', {
      namespace: 'fromoptions',
      commandTimeoutMs: 300,
      redisOptions: { lazyConnect: true },
    });
    expect(store.namespace).toBe('fromurl');
    expect(store.commandTimeoutMs).toBe(300);
    await store.close();
    expect(() => openSessionStore('redis://h', { bogus: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('bogus') }),
    );
    for (const bad of [null, new Date(), [], 'x']) {
      expect(() => openSessionStore('redis://h', bad as never)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      );
    }
  });
});

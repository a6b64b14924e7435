import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { CliError } from './errors.js';
import { URL_ENV, urlSecrets } from './io.js';
import { openStore, resolveStoreTarget } from './store-url.js';

function usage(run: () => unknown): CliError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).code).toBe('usage');
    return err as CliError;
  }
  throw new Error('expected a usage error');
}

describe('resolveStoreTarget', () => {
  it('takes --url over the environment, and the environment without it', () => {
    const env = { [URL_ENV]: 'redis://from-env:6379' };
    expect(resolveStoreTarget({ url: 'memory://' }, env).url).toBe('memory://');
    expect(resolveStoreTarget({}, env).url).toBe('redis://from-env:6379');
  });

  it('without any URL, says where to put one', () => {
    expect(usage(() => resolveStoreTarget({}, {})).message).toContain(URL_ENV);
    expect(usage(() => resolveStoreTarget({}, { [URL_ENV]: '' })).message).toContain('--url');
  });

  it('rejects a scheme no backend serves, showing the scheme but never the rest', () => {
    const err = usage(() => resolveStoreTarget({ url: 'http://admin:S3cret-pw@host' }, {}));
    expect(err.message).toContain('got http://');
    expect(err.message).toContain('redis+cluster://');
    expect(err.message).not.toContain('S3cret');
    expect(usage(() => resolveStoreTarget({ url: 'S3cret-pw' }, {})).message).not.toContain(
      'S3cret',
    );
  });

  it('shows the URL without credentials and lists the password, raw and decoded, as secrets', () => {
    const t = resolveStoreTarget({ url: 'redis://admin:p%40ss-word@127.0.0.1:6379/2' }, {});
    expect(t.shown).toBe('redis://***@127.0.0.1:6379/2');
    expect(t.secrets).toStrictEqual(['p%40ss-word', 'p@ss-word']);
    expect(urlSecrets('redis://127.0.0.1')).toStrictEqual([]);
    // Without a colon the user part is the password.
    expect(urlSecrets('redis://s3cret-only@h')).toStrictEqual(['s3cret-only']);
    expect(urlSecrets('redis://default:@h')).toStrictEqual([]);
    expect(urlSecrets('redis://u:%zz@h')).toStrictEqual(['%zz']);
  });

  it('passes --namespace and --timeout to a Redis store only', () => {
    const t = resolveStoreTarget({ url: 'redis://h', namespace: 'bots', timeout: 250 }, {});
    expect(t.backendOptions).toStrictEqual({ namespace: 'bots', commandTimeoutMs: 250 });
    expect(resolveStoreTarget({ url: 'redis://h' }, {}).backendOptions).toStrictEqual({});
    usage(() => resolveStoreTarget({ url: 'memory://', namespace: 'bots' }, {}));
  });

  it('refuses --namespace beside a URL that names its own', () => {
    const err = usage(() =>
      resolveStoreTarget({ url: 'redis://h/0?namespace=a', namespace: 'b' }, {}),
    );
    expect(err.message).toContain('?namespace=');
  });

  it('a malformed Redis URL with --namespace fails as invalid input without its password', () => {
    let caught: unknown;
    try {
      resolveStoreTarget({ url: 'redis://:S3cret-pw@h:99999', namespace: 'b' }, {});
    } catch (err) {
      caught = err;
    }
    expect(SessionError.isInstance(caught)).toBe(true);
    expect((caught as SessionError).code).toBe('invalid_input');
    expect(String((caught as Error).message)).not.toContain('S3cret');
  });
});

describe('openStore', () => {
  it('opens memory:// without any import side effect, and hands options to the backend', async () => {
    const store = await openStore(resolveStoreTarget({ url: 'memory://' }, {}));
    expect(store.constructor.name).toBe('InMemorySessionStore');
    await store.close();
    const redis = await openStore(
      resolveStoreTarget({ url: 'redis://127.0.0.1:1', namespace: 'ops:x', timeout: 50 }, {}),
    );
    expect(redis).toMatchObject({ namespace: 'ops:x', commandTimeoutMs: 50 });
    await redis.close();
  });
});

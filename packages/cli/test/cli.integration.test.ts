import { randomUUID } from 'node:crypto';
import { startRedisServer, stopRedisServer } from '@greentic/redis-test-server';
import { createSession } from '@greentic/session-core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  jsonOf,
  liveCount,
  REDIS_URL,
  runInProcess,
  type SeedSession,
  seed,
  sessionsOf,
  testStore,
} from './helpers.js';

// runCli in-process with streams a test controls: a terminal on stdin for the
// prompt, a terminal on stderr for the progress line, Ctrl-C as an AbortSignal.

describe('purge asks before deleting when a person is at the terminal', () => {
  const namespace = `cli${randomUUID().slice(0, 8)}:session`;
  const store = testStore(REDIS_URL, namespace);
  const base = ['--url', REDIS_URL, '--namespace', namespace];
  let tenant: string;
  let sessions: SeedSession[];
  beforeEach(async () => {
    tenant = `t-${randomUUID().slice(0, 8)}`;
    sessions = sessionsOf(tenant, 30, tenant, 2);
    await seed(store, sessions);
  });
  afterAll(() => store.close());

  it('counts, asks on stderr with the count, and deletes on "yes"', async () => {
    const run = await runInProcess(['purge', '--tenant', tenant, ...base], {
      stdinTTY: true,
      input: 'yes\n',
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`Delete 30 sessions of tenant ${tenant}? [y/N] `);
    expect(run.stdout).toMatch(
      new RegExp(`^deleted 30 sessions of tenant ${tenant} \\(30 matched`),
    );
    expect(await liveCount(store, sessions)).toBe(0);
  });

  it.each(['n\n', '\n', ''])('answer %j: exit 4, nothing deleted', async (answer) => {
    const run = await runInProcess(['purge', '--tenant', tenant, '--user', 'u1', ...base], {
      stdinTTY: true,
      input: answer,
    });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`Delete 15 sessions of tenant ${tenant}, user u1? [y/N] `);
    expect(run.stderr).toContain('refused: purge cancelled: nothing was deleted');
    expect(await liveCount(store, sessions)).toBe(30);
  });

  it('with --json the question still goes to stderr and stdout holds only the result', async () => {
    const run = await runInProcess(['purge', '--tenant', tenant, '--json', ...base], {
      stdinTTY: true,
      input: 'y\n',
    });
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, command: 'purge', matched: 30, deleted: 30 });
  });

  it('nothing matches: says so without asking', async () => {
    const run = await runInProcess(['purge', '--tenant', 'nobody-here', ...base], {
      stdinTTY: true,
    });
    expect(run).toMatchObject({
      code: 0,
      stdout: 'nothing to purge: no session of tenant nobody-here\n',
      stderr: '',
    });
  });

  it('Ctrl-C at the prompt: exit 130, nothing deleted', async () => {
    const controller = new AbortController();
    const run = await runInProcess(['purge', '--tenant', tenant, ...base], {
      stdinTTY: true,
      signal: controller.signal,
      onStderr: (chunk) => {
        if (chunk.includes('[y/N]')) {
          queueMicrotask(() => controller.abort(new Error('interrupted')));
        }
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('greentic-session: interrupted: interrupted');
    expect(await liveCount(store, sessions)).toBe(30);
  });
});

describe('progress and interrupts on a long purge', () => {
  const namespace = `cli${randomUUID().slice(0, 8)}:session`;
  const store = testStore(REDIS_URL, namespace);
  const base = ['--url', REDIS_URL, '--namespace', namespace];
  afterAll(() => store.close());

  it('draws progress on a terminal stderr while stdout gets one JSON document', async () => {
    const sessions = sessionsOf('big', 2500, 'big');
    await seed(store, sessions);
    let t = 0;
    const counted = await runInProcess(['count', '--tenant', 'big', '--json', ...base], {
      stderrTTY: true,
      now: () => (t += 1000),
    });
    expect(jsonOf(counted)).toMatchObject({ count: 2500 });
    expect(counted.stderr).toContain('count tenant big: ');
    expect(counted.stderr).toMatch(/keys scanned, [\d,]+ matched/);
    expect(counted.stderr.endsWith('\r\x1b[K')).toBe(true);
    const purged = await runInProcess(['purge', '--tenant', 'big', '--yes', '--json', ...base], {
      stderrTTY: true,
      now: () => (t += 1000),
    });
    expect(purged.code).toBe(0);
    expect(jsonOf(purged)).toMatchObject({ matched: 2500, deleted: 2500 });
    expect(purged.stderr).toMatch(
      /purge tenant big: [\d,]+ keys scanned, [\d,]+ matched, [\d,]+ deleted/,
    );
    expect(purged.stderr).not.toContain('\n');
    expect(await liveCount(store, sessions)).toBe(0);
  });

  it('after counting, the purge draws a bar against the count', async () => {
    const sessions = sessionsOf('bar', 1500, 'bar');
    await seed(store, sessions);
    let t = 0;
    const run = await runInProcess(['purge', '--tenant', 'bar', ...base], {
      stdinTTY: true,
      stderrTTY: true,
      input: 'yes\n',
      now: () => (t += 1000),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Delete 1,500 sessions of tenant bar? [y/N] ');
    expect(run.stderr).toMatch(/purge tenant bar \[[#-]{24}\] \d+% [\d,]+\/1,500 deleted/);
  });

  it('Ctrl-C during a purge stops between batches: exit 130, and it says at least how many were deleted', async () => {
    const sessions = sessionsOf('stop', 5000, 'stop');
    await seed(store, sessions);
    const controller = new AbortController();
    let t = 0;
    const run = await runInProcess(['purge', '--tenant', 'stop', '--yes', ...base], {
      stderrTTY: true,
      signal: controller.signal,
      now: () => (t += 1000),
      onStderr: (chunk) => {
        if (chunk.includes('deleted')) controller.abort(new Error('interrupted'));
      },
    });
    expect(run.code).toBe(130);
    const said = /interrupted: at least ([\d,]+) sessions? of tenant stop deleted/.exec(run.stderr);
    expect(said).not.toBeNull();
    const reported = Number(said?.[1]?.replaceAll(',', ''));
    const left = await liveCount(store, sessions);
    expect(left).toBeGreaterThan(0);
    expect(5000 - left).toBeGreaterThanOrEqual(reported);
  });

  it('an interrupt of a count ends it with 130 too', async () => {
    const run = await runInProcess(['count', '--tenant', 'early', ...base], {
      signal: AbortSignal.abort(new Error('any reason')),
    });
    expect(run).toMatchObject({ code: 130, stdout: '' });
  });

  it('an interrupt before the purge starts deletes nothing', async () => {
    const sessions = sessionsOf('early', 20, 'early');
    await seed(store, sessions);
    const run = await runInProcess(['purge', '--tenant', 'early', '--yes', '--json', ...base], {
      signal: AbortSignal.abort(new Error('interrupted')),
    });
    expect(run.code).toBe(130);
    expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'interrupted', exitCode: 130 } });
    expect(await liveCount(store, sessions)).toBe(20);
  });
});

describe('namespaces', () => {
  it('a namespace with glob characters is matched literally: a look-alike namespace is not counted or purged', async () => {
    const id = randomUUID().slice(0, 8);
    const literal = testStore(REDIS_URL, `cli-${id}*`);
    const lookalike = testStore(REDIS_URL, `cli-${id}-other`);
    try {
      const mine = sessionsOf('acme', 10, 'm');
      const theirs = sessionsOf('acme', 7, 'o');
      await seed(literal, mine);
      await seed(lookalike, theirs);
      const base = ['--url', REDIS_URL, '--namespace', `cli-${id}*`];
      const count = await runInProcess(['count', '--tenant', 'acme', '--json', ...base]);
      expect(jsonOf(count)).toMatchObject({ count: 10 });
      const purge = await runInProcess(['purge', '--tenant', 'acme', '--yes', '--json', ...base]);
      expect(jsonOf(purge)).toMatchObject({ deleted: 10 });
      expect(await liveCount(lookalike, theirs)).toBe(7);
    } finally {
      await Promise.all([literal.close(), lookalike.close()]);
    }
  });
});

describe('memory://', () => {
  it('check says it is an in-process store; ls and count see an empty store', async () => {
    const check = await runInProcess(['check', '--url', 'memory://']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('backend    @greentic/session-memory');
    expect(check.stdout).toContain('it starts empty in every process');
    const json = jsonOf(
      await runInProcess(['check', '--json'], { env: { GREENTIC_SESSION_URL: 'memory://' } }),
    );
    expect(json).toMatchObject({ ok: true, backend: '@greentic/session-memory' });
    const ls = await runInProcess(['ls', '--tenant', 'acme', '--url', 'memory://']);
    expect(ls).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const count = await runInProcess(['count', '--tenant', 'acme', '--url', 'memory://', '--json']);
    expect(jsonOf(count)).toStrictEqual({ ok: true, command: 'count', tenantId: 'acme', count: 0 });
  });

  it('a bad tenant id or cursor reaches the store and comes back as a usage error', async () => {
    const tenant = await runInProcess(['count', '--tenant', 'no spaces', '--url', 'memory://']);
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toMatch(/^greentic-session: invalid input: .*tenantId/);
    const cursor = await runInProcess([
      'ls',
      '--tenant',
      'a',
      '--cursor',
      'forged',
      '--url',
      'memory://',
      '--json',
    ]);
    expect(cursor.code).toBe(2);
    expect(jsonOf(cursor)).toMatchObject({ error: { code: 'invalid_input', exitCode: 2 } });
  });
});

describe('check, get, rm and ls in-process (the process tests run the same through dist/bin.js)', () => {
  const namespace = `cli${randomUUID().slice(0, 8)}:session`;
  const store = testStore(REDIS_URL, namespace);
  const base = ['--url', REDIS_URL, '--namespace', namespace];
  afterAll(() => store.close());

  it('check warns about an eviction policy other than noeviction, and still exits 0', async () => {
    const server = await startRedisServer(undefined, undefined, [
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    try {
      const run = await runInProcess(['check', '--url', `redis://127.0.0.1:${server.port}`]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^warning +the server has maxmemory-policy allkeys-lru/m);
      expect(run.stdout).toMatch(/^status +ok \(1 warning\)$/m);
      const json = jsonOf(
        await runInProcess(['check', '--json', '--url', `redis://127.0.0.1:${server.port}`]),
      );
      expect((json.warnings as string[])[0]).toContain('allkeys-lru');
    } finally {
      await stopRedisServer(server);
    }
  });

  it('check of a cluster that cannot serve its slots fails with exit 1; opened as standalone it warns', async () => {
    const node = await startRedisServer(undefined, undefined, [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
    ]);
    try {
      const down = await runInProcess([
        'check',
        '--timeout',
        '500',
        '--json',
        '--url',
        `redis+cluster://127.0.0.1:${node.port}`,
      ]);
      expect(down.code).toBe(1);
      expect(jsonOf(down)).toMatchObject({
        ok: false,
        error: { code: 'unavailable', exitCode: 1 },
      });
      const standalone = await runInProcess(['check', '--url', `redis://127.0.0.1:${node.port}`]);
      expect(standalone.code).toBe(0);
      expect(standalone.stdout).toMatch(/^warning +the server runs in cluster mode/m);
    } finally {
      await stopRedisServer(node);
    }
  });

  it('get prints the session, rm deletes it, both then report not found', async () => {
    await seed(store, [{ key: 'one', tenantId: 'acme', userId: 'u1', teamId: 'blue' }]);
    const got = await runInProcess(['get', 'one', '--tenant', 'acme', ...base]);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ cas: 1, session: { meta: { teamId: 'blue' } } });
    const ls = await runInProcess(['ls', '--tenant', 'acme', '--team', 'blue', ...base]);
    expect(ls.stdout).toMatch(
      /^KEY +USER +TEAM +CAS +UPDATED +TTL\none +u1 +blue +1 +\S+ +3600s\n$/,
    );
    const rm = await runInProcess(['rm', 'one', '--tenant', 'acme', ...base]);
    expect(rm).toMatchObject({ code: 0, stdout: 'deleted one (tenant acme)\n' });
    expect((await runInProcess(['rm', 'one', '--tenant', 'acme', ...base])).code).toBe(3);
    const missing = await runInProcess(['get', 'one', ...base]);
    expect(missing).toMatchObject({
      code: 3,
      stderr: 'greentic-session: not found: no session "one"\n',
    });
  });

  it('a hostile user id cannot drive the terminal: ls escapes it in text, --json keeps it exact', async () => {
    const userId = '\x1b]0;pwned\x07\x1b[2J\u202Eevil';
    await seed(store, [{ key: 'hostile', tenantId: 'mallory', userId }]);
    const text = await runInProcess(['ls', '--tenant', 'mallory', ...base]);
    for (const raw of ['\x1b', '\x07', '\u202E']) expect(text.stdout).not.toContain(raw);
    expect(text.stdout).toContain('\\u001b]0;pwned\\u0007\\u001b[2J\\u202eevil');
    const json = jsonOf(await runInProcess(['ls', '--tenant', 'mallory', '--json', ...base]));
    expect((json.sessions as { userId: string }[])[0]?.userId).toBe(userId);
    const prompt = await runInProcess(['purge', '--tenant', 'mallory', '--user', userId, ...base], {
      stdinTTY: true,
      input: 'n\n',
    });
    expect(prompt.code).toBe(4);
    expect(prompt.stderr).toContain('user \\u001b]0;pwned');
    expect(prompt.stderr).not.toContain('\x1b');
  });

  it('ls of sessions that never expire shows "never"; --limit leaves a cursor hint on stderr', async () => {
    await store.put(
      createSession({ key: 'p1', tenantId: 'perm', flowId: 'f', nodeId: 'n', ttlSecs: 0 }),
    );
    await store.put(
      createSession({ key: 'p2', tenantId: 'perm', flowId: 'f', nodeId: 'n', ttlSecs: 0 }),
    );
    const run = await runInProcess(['ls', '--tenant', 'perm', '--limit', '1', ...base]);
    expect(run.stdout).toMatch(/^p[12] +- +- +1 +\S+ +never$/m);
    expect(run.stderr).toMatch(/^more sessions: continue with --cursor \S+\n$/);
  });
});

describe('scrubbing', () => {
  it('hides the password, not the user name: ordinary words such as "default" survive', async () => {
    const run = await runInProcess(['--help', '--url', 'redis://default:pw-Secret9@h:6379']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(default: $GREENTIC_SESSION_URL)');
    const echo = await runInProcess(['get', 'pw-Secret9', '--url', 'memory://'], {
      env: { GREENTIC_SESSION_URL: 'redis://default:pw-Secret9@h:6379' },
    });
    // The key happens to equal the password of a URL in play: it is scrubbed anyway.
    expect(echo.stderr).toBe('greentic-session: not found: no session "***"\n');
  });
});

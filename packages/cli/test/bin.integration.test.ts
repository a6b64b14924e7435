import { readFileSync } from 'node:fs';
import {
  freePort,
  type RedisServerHandle,
  startRedisServer,
  stopRedisServer,
} from '@greentic/redis-test-server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonOf,
  liveCount,
  REDIS_CLUSTER_URL,
  REDIS_URL,
  runBin,
  seed,
  sessionsOf,
  testStore,
  uniqueNamespace,
} from './helpers.js';

// Every test here runs the built binary as a process, stdin a pipe: what a
// script or a CI job sees.

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

describe.concurrent('greentic-session as a process: arguments', () => {
  it('--help prints the commands and exit codes on stdout and exits 0', async () => {
    const run = await runBin(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['check', 'get', 'ls', 'count', 'rm', 'purge']) {
      expect(run.stdout).toContain(`  ${command}`);
    }
    expect(run.stdout).toContain('Exit codes: 0 ok, 1');
    expect(run.stderr).toBe('');
  });

  it('--version prints the package version', async () => {
    const run = await runBin(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  // The full list runs in-process in test/arguments.test.ts; these show the binary agrees.
  it.each([
    [['get'], "missing required argument 'key'"],
    [['ls', '--url', 'memory://'], "required option '--tenant <id>' not specified"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('%j is a usage error: exit 2, one line on stderr', async (argv, message) => {
    const run = await runBin(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('no command at all prints the help on stderr and exits 2', async () => {
    const run = await runBin([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: greentic-session');
    expect(run.stdout).toBe('');
  });

  it('with --json a usage error is one JSON document on stdout', async () => {
    const run = await runBin(['get', '--json']);
    expect(run.code).toBe(2);
    expect(jsonOf(run)).toMatchObject({
      ok: false,
      command: 'get',
      error: { code: 'usage', exitCode: 2 },
    });
    expect(run.stderr).toBe('');
  });

  it('no URL: exit 2 naming --url and GREENTIC_SESSION_URL', async () => {
    const run = await runBin(['check']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pass --url or set GREENTIC_SESSION_URL');
  });

  it('a bad URL is a usage error that never prints its password (flag or environment, text or JSON)', async () => {
    const text = await runBin(['check', '--url', 'http://admin:Hunter2-secret@db.example:6379']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('got http://');
    const json = await runBin(['check', '--json'], {
      env: { GREENTIC_SESSION_URL: 'redis://admin:Hunter2-secret@127.0.0.1:99999' },
    });
    expect(json.code).toBe(2);
    expect(jsonOf(json)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', exitCode: 2 },
    });
    for (const run of [text, json]) expect(`${run.stdout}${run.stderr}`).not.toContain('Hunter2');
  });

  it('a server that is down: exit 1, unavailable (unreachable), promptly and without the password', async () => {
    const port = await freePort();
    const url = `redis://ops:Hunter2-secret@127.0.0.1:${port}/0`;
    const text = await runBin(['check', '--timeout', '300', '--url', url]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(
      /^greentic-session: unavailable \(unreachable\): .*no Redis connection/,
    );
    const json = await runBin(['count', '--tenant', 'acme', '--json', '--timeout', '300'], {
      env: { GREENTIC_SESSION_URL: url },
    });
    expect(json.code).toBe(1);
    expect(jsonOf(json)).toMatchObject({
      ok: false,
      error: { code: 'unavailable', reason: 'unreachable', exitCode: 1 },
    });
    for (const run of [text, json]) expect(`${run.stdout}${run.stderr}`).not.toContain('Hunter2');
  });
});

describe('greentic-session as a process against a real redis-server', () => {
  const namespace = uniqueNamespace();
  const store = testStore(REDIS_URL, namespace);
  const env = { GREENTIC_SESSION_URL: REDIS_URL };
  const ns = ['--namespace', namespace];

  afterAll(() => store.close());

  it('check: exit 0, the server version, eviction policy and latency, in text and JSON', async () => {
    const text = await runBin(['check', ...ns], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^master +127\.0\.0\.1:\d+ +redis \d+\.\d+\.\d+ +maxmemory-policy \S+ +ping [\d.]+ ms$/m,
    );
    expect(text.stdout).toContain(`namespace ${namespace}`);
    const json = jsonOf(await runBin(['check', '--json', ...ns], { env }));
    expect(json).toMatchObject({ ok: true, command: 'check', mode: 'standalone', namespace });
    const [master] = json.masters as Record<string, unknown>[];
    expect(master).toMatchObject({ clusterState: null });
    expect(master?.redisVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(typeof master?.latencyMs).toBe('number');
  });

  it('get: exit 0 with the session, 3 for a missing key and for another tenant', async () => {
    await seed(store, [{ key: 'get-1', tenantId: 'acme', userId: 'u1' }]);
    const found = await runBin(['get', 'get-1', '--tenant', 'acme', '--json', ...ns], { env });
    expect(found.code).toBe(0);
    expect(jsonOf(found)).toMatchObject({
      ok: true,
      cas: 1,
      session: { key: 'get-1', meta: { tenantId: 'acme', userId: 'u1' } },
    });
    const text = await runBin(['get', 'get-1', ...ns], { env });
    expect(JSON.parse(text.stdout)).toMatchObject({ cas: 1, session: { key: 'get-1' } });
    const other = await runBin(['get', 'get-1', '--tenant', 'globex', ...ns], { env });
    expect(other.code).toBe(3);
    expect(other.stderr).toContain('not found: no session "get-1" of tenant globex');
    const missing = await runBin(['get', 'nope', '--json', ...ns], { env });
    expect(missing.code).toBe(3);
    expect(jsonOf(missing)).toMatchObject({ ok: false, error: { code: 'not_found', exitCode: 3 } });
  });

  it('get/rm of a malformed key or tenant: exit 2, invalid input', async () => {
    const key = await runBin(['get', 'a{b}', ...ns], { env });
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('invalid input');
    const tenant = await runBin(['rm', 'k', '--tenant', 'not a tenant', '--json', ...ns], { env });
    expect(tenant.code).toBe(2);
    expect(jsonOf(tenant)).toMatchObject({ error: { code: 'invalid_input' } });
  });

  it("rm: deletes the tenant's session (exit 0), then 3; another tenant's key is left alone", async () => {
    await seed(store, [
      { key: 'rm-1', tenantId: 'acme' },
      { key: 'rm-2', tenantId: 'globex' },
    ]);
    const fenced = await runBin(['rm', 'rm-2', '--tenant', 'acme', ...ns], { env });
    expect(fenced.code).toBe(3);
    expect(await store.get('rm-2')).not.toBeNull();
    const first = await runBin(['rm', 'rm-1', '--tenant', 'acme', '--json', ...ns], { env });
    expect(first.code).toBe(0);
    expect(jsonOf(first)).toMatchObject({ ok: true, key: 'rm-1', deleted: true });
    expect(await store.get('rm-1')).toBeNull();
    expect((await runBin(['rm', 'rm-1', '--tenant', 'acme', ...ns], { env })).code).toBe(3);
  });

  describe('ls, count and purge (the store operations of issue 14)', () => {
    const tenant = 'tenant-a';
    const a = sessionsOf(tenant, 120, 'a', 3);
    const b = sessionsOf('tenant-b', 40, 'b', 3);
    const ofUser = (id: string) => a.filter((s) => s.userId === id);
    beforeAll(async () => {
      await seed(store, [...a, ...b]);
    });

    it('ls --json lists exactly the filtered sessions, headers only', async () => {
      const run = await runBin(
        ['ls', '--tenant', tenant, '--user', 'u1', '--limit', '1000', '--json', ...ns],
        { env },
      );
      expect(run.code).toBe(0);
      const doc = jsonOf(run);
      const sessions = doc.sessions as Record<string, unknown>[];
      expect(sessions.map((s) => s.key).sort()).toStrictEqual(
        ofUser('u1')
          .map((s) => s.key)
          .sort(),
      );
      expect(doc.cursor).toBeNull();
      for (const s of sessions) {
        expect(s).toMatchObject({ tenantId: tenant, userId: 'u1', cas: 1, ttlSecs: 3600 });
        expect(s).not.toHaveProperty('cursor');
        expect(s).not.toHaveProperty('outbox');
      }
    });

    it('ls --limit stops there and hands a cursor that resumes without repeating a session', async () => {
      const first = jsonOf(
        await runBin(['ls', '--tenant', tenant, '--limit', '50', '--json', ...ns], { env }),
      );
      const page1 = (first.sessions as { key: string }[]).map((s) => s.key);
      expect(page1).toHaveLength(50);
      expect(typeof first.cursor).toBe('string');
      const keys = new Set(page1);
      let cursor = first.cursor as string | null;
      while (cursor !== null) {
        const next = jsonOf(
          await runBin(
            ['ls', '--tenant', tenant, '--limit', '50', '--cursor', cursor, '--json', ...ns],
            { env },
          ),
        );
        for (const s of next.sessions as { key: string }[]) {
          expect(keys.has(s.key)).toBe(false);
          keys.add(s.key);
        }
        cursor = next.cursor as string | null;
      }
      expect(keys.size).toBe(120);
    });

    it('ls prints a table, and says on stderr how to continue', async () => {
      const run = await runBin(['ls', '--tenant', tenant, '--limit', '2', ...ns], { env });
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^KEY +USER +TEAM +CAS +UPDATED +TTL$/);
      expect(lines).toHaveLength(3);
      expect(lines[1]).toMatch(/^a-\d+ +u\d +- +1 +\d{4}-\d\d-\d\dT[\d:.]+Z +3600s$/);
      expect(run.stderr).toMatch(/^more sessions: continue with --cursor \S+\n$/);
    });

    it('ls into a pipe whose reader has gone (| head) ends quietly, without a stack trace', async () => {
      const run = await runBin(['ls', '--tenant', tenant, '--limit', '1000', ...ns], {
        env,
        closeStdout: true,
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });

    it('count: the bare number, or JSON', async () => {
      const text = await runBin(['count', '--tenant', tenant, ...ns], { env });
      expect(text).toMatchObject({ code: 0, stdout: '120\n', stderr: '' });
      const json = jsonOf(
        await runBin(['count', '--tenant', 'tenant-b', '--user', 'u0', '--json', ...ns], { env }),
      );
      expect(json).toMatchObject({ ok: true, tenantId: 'tenant-b', userId: 'u0', count: 14 });
    });

    it('purge without --yes, stdin not a terminal: exit 4 before connecting, nothing deleted', async () => {
      const text = await runBin(['purge', '--tenant', tenant, ...ns], { env, input: 'yes\n' });
      expect(text.code).toBe(4);
      expect(text.stderr).toContain('stdin is not a terminal');
      expect(text.stderr).toContain('--yes');
      const json = await runBin(['purge', '--tenant', tenant, '--json', ...ns], { env });
      expect(json.code).toBe(4);
      expect(jsonOf(json)).toMatchObject({ ok: false, error: { code: 'refused', exitCode: 4 } });
      // Refused before any connection: even an unreachable URL gives 4, not 1.
      const down = await runBin(['purge', '--tenant', tenant, '--url', 'redis://127.0.0.1:1']);
      expect(down.code).toBe(4);
      expect(await liveCount(store, a)).toBe(120);
    });

    it('purge --dry-run reports what it would delete and deletes nothing', async () => {
      const run = await runBin(
        ['purge', '--tenant', tenant, '--user', 'u2', '--dry-run', '--json', ...ns],
        { env },
      );
      expect(run.code).toBe(0);
      expect(jsonOf(run)).toMatchObject({ ok: true, dryRun: true, matched: 40, deleted: 0 });
      const text = await runBin(['purge', '--tenant', tenant, '--dry-run', ...ns], { env });
      expect(text.stdout).toMatch(
        /^dry run: would delete 120 sessions of tenant tenant-a \([\d,]+ keys scanned\); nothing was deleted\n$/,
      );
      expect(await liveCount(store, a)).toBe(120);
    });

    it("purge --yes deletes the user's sessions and nothing of other users or tenants", async () => {
      const run = await runBin(
        ['purge', '--tenant', tenant, '--user', 'u2', '--yes', '--json', ...ns],
        { env },
      );
      expect(run.code).toBe(0);
      expect(jsonOf(run)).toMatchObject({ ok: true, dryRun: false, matched: 40, deleted: 40 });
      expect(run.stderr).toBe('');
      expect(await liveCount(store, ofUser('u2'))).toBe(0);
      expect(await liveCount(store, a)).toBe(80);
      expect(await liveCount(store, b)).toBe(40);
      const all = await runBin(['purge', '--tenant', tenant, '-y', ...ns], { env });
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(
        /^deleted 80 sessions of tenant tenant-a \(80 matched, [\d,]+ keys scanned\)\n$/,
      );
      expect(await liveCount(store, a)).toBe(0);
      expect(await liveCount(store, b)).toBe(40);
    });
  });
});

describe('greentic-session never prints credentials', () => {
  let server: RedisServerHandle;
  const password = 'Hunter2-Sup3r-secret';
  beforeAll(async () => {
    server = await startRedisServer();
    // Set after start: the start helper pings without a password.
    const admin = new Redis({ port: server.port, host: '127.0.0.1' });
    await admin.config('SET', 'requirepass', password);
    admin.disconnect();
  });
  afterAll(() => stopRedisServer(server, 'SIGKILL'));

  it('in the shown URL, in output and in errors, whatever the command', {
    timeout: 60_000,
  }, async () => {
    const url = `redis://default:${password}@127.0.0.1:${server.port}/0`;
    const wrong = `redis://default:${password}-wrong@127.0.0.1:${server.port}/0`;
    const runs = await Promise.all([
      runBin(['check', '--url', url]),
      runBin(['check', '--json'], { env: { GREENTIC_SESSION_URL: url } }),
      runBin(['get', 'missing', '--url', url]),
      runBin(['check', '--url', wrong]),
      runBin(['get', 'k', '--json', '--url', wrong]),
    ]);
    expect(runs.map((r) => r.code)).toStrictEqual([0, 0, 3, 1, 1]);
    expect(runs[0]?.stdout).toContain(`url        redis://***@127.0.0.1:${server.port}/0`);
    expect(jsonOf(runs[1] as never).url).toBe(`redis://***@127.0.0.1:${server.port}/0`);
    expect(runs[3]?.stderr).toMatch(/unavailable \(auth\)/);
    for (const run of runs) {
      expect(`${run.stdout}${run.stderr}`).not.toContain('Sup3r');
      expect(`${run.stdout}${run.stderr}`).not.toContain(encodeURIComponent(password));
    }
  });
});

describe('greentic-session against a 3-master cluster', () => {
  const namespace = uniqueNamespace();
  const store = testStore(REDIS_CLUSTER_URL, namespace);
  const env = { GREENTIC_SESSION_URL: REDIS_CLUSTER_URL };
  afterAll(() => store.close());

  it('check reads every master: three addresses, cluster_state ok', async () => {
    const text = await runBin(['check', '--namespace', namespace], { env });
    expect(text.code).toBe(0);
    expect(text.stdout.match(/^master .* cluster_state ok .*$/gm)).toHaveLength(3);
    const json = jsonOf(await runBin(['check', '--json'], { env }));
    expect(json.mode).toBe('cluster');
    const masters = json.masters as { address: string; clusterState: string }[];
    expect(new Set(masters.map((m) => m.address)).size).toBe(3);
    expect(masters.every((m) => m.clusterState === 'ok')).toBe(true);
  });

  it('count covers sessions on every master (keys spread over the slots)', async () => {
    // 300 keys hash to slots on all three masters.
    await seed(store, [...sessionsOf('acme', 300, 'c', 2), ...sessionsOf('globex', 30, 'g')]);
    const run = await runBin(['count', '--tenant', 'acme', '--namespace', namespace, '--json'], {
      env,
    });
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, tenantId: 'acme', count: 300 });
    const user = await runBin(
      ['count', '--tenant', 'acme', '--user', 'u1', '--namespace', namespace],
      { env },
    );
    expect(user.stdout).toBe('150\n');
  });
});

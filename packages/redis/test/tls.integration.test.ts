import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findRedisServer,
  freePort,
  type RedisServerHandle,
  stopRedisServer,
} from '@greentic/redis-test-server';
import { sampleSession } from '@greentic/session-test-suite';
import { SessionError } from '@greentic/session-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/redis-session-store.js';
import { REDIS_SERVER_AVAILABLE, sleep, uniqueNamespace } from './helpers.js';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.error ?? ''}${r.stderr}${r.stdout}`);
}

// A TLS-only server with a self-signed certificate for localhost.
describe.skipIf(!REDIS_SERVER_AVAILABLE)('TLS (rediss://)', () => {
  let server: RedisServerHandle;
  let cert: string;
  let port: number;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'greentic-redis-tls-'));
    run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ]);
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    port = await freePort();
    run(findRedisServer() ?? 'redis-server', [
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--tls-cert-file',
      join(dir, 'cert.pem'),
      '--tls-key-file',
      join(dir, 'key.pem'),
      '--tls-auth-clients',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--dir',
      dir,
      '--pidfile',
      join(dir, 'redis.pid'),
      '--logfile',
      join(dir, 'redis.log'),
    ]);
    for (let i = 0; i < 200; i++) {
      try {
        server = { port, dir, pid: Number(readFileSync(join(dir, 'redis.pid'), 'utf8').trim()) };
        break;
      } catch {
        await sleep(25);
      }
    }
  });
  afterAll(async () => {
    if (server) await stopRedisServer(server, 'SIGKILL');
  });

  it('an untrusted certificate fails ready() as unavailable with reason tls', async () => {
    const store = new RedisSessionStore({
      url: `rediss://localhost:${port}`,
      namespace: uniqueNamespace(),
      commandTimeoutMs: 1000,
    });
    try {
      const err = await store.ready().catch((e: unknown) => e);
      expect(SessionError.isInstance(err)).toBe(true);
      expect(err).toMatchObject({ code: 'unavailable', reason: 'tls' });
    } finally {
      await store.close();
    }
  });

  it('with the certificate trusted, every operation works over TLS', async () => {
    const store = new RedisSessionStore({
      url: `rediss://localhost:${port}`,
      namespace: uniqueNamespace(),
      redisOptions: { tls: { ca: cert } },
    });
    try {
      expect((await store.ready()).warnings).toBeDefined();
      const session = sampleSession();
      expect(await store.put(session)).toBe(1);
      expect((await store.get(session.key))?.cas).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('plain redis:// against the TLS port is unreachable, not a hang', async () => {
    const store = new RedisSessionStore({
      url: `redis://localhost:${port}`,
      namespace: uniqueNamespace(),
      commandTimeoutMs: 500,
    });
    try {
      const err = await store.get('k').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'unavailable' });
    } finally {
      await store.close();
    }
  });
});

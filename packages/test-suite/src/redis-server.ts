/**
 * Private redis-server processes for tests and benchmarks: a standalone
 * server or a 3-master cluster on loopback in a temp dir, stopped by PID.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** A redis-server this test run started; stop it by PID. */
export interface RedisServerHandle {
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
}

/** The redis-server binary: `$GREENTIC_REDIS_SERVER` or `redis-server` on PATH, or null. */
export function findRedisServer(): string | null {
  const bin = process.env.GREENTIC_REDIS_SERVER || 'redis-server';
  const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? bin : null;
}

function cli(): string {
  const server = findRedisServer() ?? 'redis-server';
  return server.endsWith('redis-server')
    ? `${server.slice(0, -'redis-server'.length)}redis-cli`
    : 'redis-cli';
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function ping(port: number): boolean {
  const r = spawnSync(cli(), ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
    encoding: 'utf8',
  });
  return r.status === 0 && r.stdout.trim() === 'PONG';
}

/**
 * Starts a private redis-server on loopback in a temp dir (no persistence),
 * daemonized, and waits until it answers PING.
 *
 * @param port - port to listen on @default a free port
 * @param dir - working directory @default a new temp dir
 * @param extraArgs - more redis-server arguments (e.g. cluster mode)
 */
export async function startRedisServer(
  port?: number,
  dir?: string,
  extraArgs: string[] = [],
): Promise<RedisServerHandle> {
  const bin = findRedisServer();
  if (bin === null) throw new Error('redis-server is not installed');
  const p = port ?? (await freePort());
  const d = dir ?? mkdtempSync(join(tmpdir(), 'greentic-redis-'));
  const pidfile = join(d, 'redis.pid');
  const r = spawnSync(
    bin,
    [
      '--port',
      String(p),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--dir',
      d,
      '--pidfile',
      pidfile,
      '--logfile',
      join(d, 'redis.log'),
      ...extraArgs,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`redis-server failed to start: ${r.stderr}${r.stdout}`);
  for (let i = 0; i < 200; i++) {
    if (ping(p)) {
      const pid = Number(readFileSync(pidfile, 'utf8').trim());
      return { port: p, pid, dir: d };
    }
    await sleep(25);
  }
  throw new Error(`redis-server on port ${p} did not answer PING`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A killed daemon may linger as a zombie until its new parent reaps it.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Stops a server started by {@link startRedisServer} by its PID and waits for
 * it to exit. `removeDir` false keeps the dir for a restart on the same port.
 */
export async function stopRedisServer(
  handle: RedisServerHandle,
  signal: NodeJS.Signals = 'SIGTERM',
  removeDir = true,
): Promise<void> {
  if (alive(handle.pid)) process.kill(handle.pid, signal);
  for (let i = 0; i < 200 && alive(handle.pid); i++) await sleep(25);
  if (removeDir) rmSync(handle.dir, { recursive: true, force: true });
}

/** Starts three cluster-mode masters on loopback and joins them into one cluster. */
export async function startRedisCluster(): Promise<RedisServerHandle[]> {
  const root = mkdtempSync(join(tmpdir(), 'greentic-redis-cluster-'));
  const nodes: RedisServerHandle[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const dir = join(root, String(port));
      spawnSync('mkdir', ['-p', dir]);
      nodes.push(
        await startRedisServer(port, dir, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
        ]),
      );
    }
    const create = spawnSync(
      cli(),
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { encoding: 'utf8' },
    );
    if (create.status !== 0)
      throw new Error(`cluster create failed: ${create.stdout}${create.stderr}`);
    for (let i = 0; i < 400; i++) {
      const ok = nodes.every((n) => {
        const r = spawnSync(cli(), ['-h', '127.0.0.1', '-p', String(n.port), 'cluster', 'info'], {
          encoding: 'utf8',
        });
        return r.stdout.includes('cluster_state:ok');
      });
      if (ok) return nodes;
      await sleep(25);
    }
    throw new Error('the cluster did not reach cluster_state:ok');
  } catch (err) {
    await Promise.all(nodes.map((n) => stopRedisServer(n)));
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Stops servers by PID and removes their dirs, including the temp root of
 * cluster nodes started by {@link startRedisCluster}.
 */
export async function stopRedisServers(
  servers: readonly RedisServerHandle[],
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  await Promise.all(servers.map((s) => stopRedisServer(s, signal)));
  for (const s of servers) {
    const root = dirname(s.dir);
    if (basename(root).startsWith('greentic-redis-cluster-')) {
      rmSync(root, { recursive: true, force: true });
    }
  }
}

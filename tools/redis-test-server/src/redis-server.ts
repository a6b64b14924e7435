/**
 * Private redis-server processes for tests and benchmarks: a standalone
 * server or a 3-master cluster on loopback in a temp dir, stopped by PID;
 * and {@link ensureRedisServer}, which installs redis-server when it is
 * missing and the machine allows it.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
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

const HAS_PROC = existsSync('/proc/self/status');

/**
 * Whether `handle.pid` is still the redis-server listening on `handle.port`.
 *
 * A PID is reused once its process is gone, and on Linux thread ids share
 * the PID space: `kill(2)` on a reused number that is now a thread of some
 * other process signals that whole process. So on Linux the number must
 * still name a live (not zombie) process, not a thread, whose title or
 * arguments carry this port (redis-server titles itself `<name> <addr>:<port>`,
 * whatever its binary is called: `GREENTIC_REDIS_SERVER` may name another).
 * Without `/proc` it falls back to "some process has this PID".
 */
function isServer(handle: RedisServerHandle): boolean {
  const { pid, port } = handle;
  if (!HAS_PROC) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  let status: string;
  let cmdline: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];
  return (
    field('Tgid') === String(pid) &&
    field('State') !== 'Z' &&
    new RegExp(`[:\\s\\0]${port}(?:[\\s\\0]|$)`).test(cmdline)
  );
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
  if (isServer(handle)) process.kill(handle.pid, signal);
  for (let i = 0; i < 200 && isServer(handle); i++) await sleep(25);
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

/** What a provisioning command printed and how it ended. */
export interface CommandResult {
  /** Exit status, or `null` when the command could not start or was killed. */
  readonly status: number | null;
  /** stdout and stderr, interleaved. */
  readonly output: string;
}

/** Runs one command without a shell; never throws for a failing command. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  env?: Readonly<Record<string, string>>,
) => Promise<CommandResult>;

/** The machine {@link ensureRedisServer} works on; every field can be replaced in tests. */
export interface ProvisionEnvironment {
  /** @default process.platform */
  readonly platform: NodeJS.Platform;
  /** Effective user id, or `null` where there is none (Windows). @default process.geteuid() */
  readonly uid: number | null;
  /** Runs a command (apt-get, sudo, brew, probes). @default spawns it and collects its output */
  readonly run: CommandRunner;
  /** Finds a working redis-server. @default {@link findRedisServer} */
  readonly findServer: () => string | null;
  /** Receives the one line that says what is being installed. @default console.log */
  readonly log: (line: string) => void;
  /**
   * Lock file that keeps two processes (turbo runs packages' tests in
   * parallel) from running the package manager at once.
   * @default `<tmpdir>/greentic-redis-server-provision.lock`
   */
  readonly lockFile: string;
  /** How long to wait for another process's install. @default 600000 */
  readonly lockTimeoutMs: number;
  /** Value of `GREENTIC_REDIS_SERVER`, if set. @default process.env.GREENTIC_REDIS_SERVER */
  readonly serverOverride: string | undefined;
}

/** How {@link ensureRedisServer} would install redis-server on this machine, or why it cannot. */
export type ProvisionPlan =
  | {
      readonly kind: 'install';
      /** Human description, e.g. `apt-get` or `sudo apt-get`. */
      readonly via: string;
      /** Commands to run in order; each must exit 0. */
      readonly steps: readonly { readonly command: string; readonly args: readonly string[] }[];
    }
  | { readonly kind: 'manual'; readonly instruction: string };

const NONINTERACTIVE = Object.freeze({ DEBIAN_FRONTEND: 'noninteractive' });

const URL_HINT =
  'or set REDIS_URL and REDIS_CLUSTER_URL to servers of your own (a standalone redis:// and a redis+cluster:// URL)';

/** Runs a command with `spawn`, collecting stdout and stderr together. */
export const spawnCommand: CommandRunner = (command, args, env) =>
  new Promise((resolve) => {
    let output = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      resolve({ status: null, output: String(err) });
      return;
    }
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', (err) => resolve({ status: null, output: `${output}${String(err)}` }));
    child.on('close', (status) => resolve({ status, output }));
  });

function defaultEnvironment(): ProvisionEnvironment {
  return {
    platform: process.platform,
    uid: typeof process.geteuid === 'function' ? process.geteuid() : null,
    run: spawnCommand,
    findServer: findRedisServer,
    log: (line) => console.log(line),
    lockFile: join(tmpdir(), 'greentic-redis-server-provision.lock'),
    lockTimeoutMs: 600_000,
    serverOverride: process.env.GREENTIC_REDIS_SERVER || undefined,
  };
}

async function succeeds(
  run: CommandRunner,
  command: string,
  args: readonly string[],
): Promise<boolean> {
  return (await run(command, args)).status === 0;
}

/**
 * Decides how to install redis-server here: apt-get as root or through
 * passwordless sudo on Linux, Homebrew on macOS; anything else gets one
 * instruction for the user.
 */
export async function planRedisServerInstall(
  env: Pick<ProvisionEnvironment, 'platform' | 'uid' | 'run'>,
): Promise<ProvisionPlan> {
  const { platform, uid, run } = env;
  if (platform === 'linux') {
    if (!(await succeeds(run, 'apt-get', ['--version']))) {
      return {
        kind: 'manual',
        instruction: `install redis-server (Redis >= 6.2) with your distribution's package manager so that \`redis-server\` is on PATH, ${URL_HINT}`,
      };
    }
    const aptSteps = (prefix: readonly string[]) => {
      // `update` first: a fresh image has no package lists. The lock timeout
      // waits out another apt (unattended-upgrades) instead of failing.
      const apt = [...prefix, 'apt-get'];
      const lock = ['-o', 'DPkg::Lock::Timeout=300'];
      const [command, ...head] = apt as [string, ...string[]];
      return [
        { command, args: [...head, ...lock, 'update'] },
        { command, args: [...head, ...lock, 'install', '-y', 'redis-server'] },
      ];
    };
    if (uid === 0) return { kind: 'install', via: 'apt-get', steps: aptSteps([]) };
    if (await succeeds(run, 'sudo', ['-n', 'true'])) {
      return { kind: 'install', via: 'sudo apt-get', steps: aptSteps(['sudo', '-n']) };
    }
    return {
      kind: 'manual',
      instruction: `run \`sudo apt-get update && sudo apt-get install -y redis-server\` (this user is not root and has no passwordless sudo), ${URL_HINT}`,
    };
  }
  if (platform === 'darwin') {
    if (await succeeds(run, 'brew', ['--version'])) {
      return {
        kind: 'install',
        via: 'Homebrew',
        steps: [{ command: 'brew', args: ['install', 'redis'] }],
      };
    }
    return {
      kind: 'manual',
      instruction: `install Homebrew (https://brew.sh) and run \`brew install redis\`, ${URL_HINT}`,
    };
  }
  return {
    kind: 'manual',
    instruction: `install a redis-server (Redis >= 6.2) on PATH, for example in WSL with \`sudo apt-get install -y redis-server\`, ${URL_HINT}`,
  };
}

function missingServerError(instruction: string, detail = ''): Error {
  return new Error(
    `redis-server is required by the Redis tests and is not installed: ${instruction}.${detail}`,
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file (created with O_EXCL, holding our PID).
 * A lock whose PID is gone is stale and taken over.
 *
 * @returns a function that releases the lock
 * @throws Error when another live process holds it past `timeoutMs`
 */
export async function acquireLock(path: string, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
    } catch {
      continue; // released between our open and our read
    }
    // A holder that died without cleaning up must not block every later run.
    // An empty file is a holder between open and write: wait for it.
    if (Number.isSafeInteger(holder) && holder > 0 && !pidAlive(holder)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for process ${holder} to finish installing redis-server (lock ${path}); remove the file if no install is running`,
      );
    }
    await sleep(200);
  }
}

/**
 * Makes sure a redis-server binary is available, installing it when it is
 * missing and this machine allows it: `apt-get update` + `apt-get install -y
 * redis-server` as root or through passwordless sudo, `brew install redis` on
 * macOS. Prints one line before installing. Concurrent callers (several test
 * processes) serialize on a lock file, so the package manager runs at most once.
 *
 * @param overrides - replace parts of the machine (tests inject a runner, platform, uid)
 * @returns the redis-server command to run
 * @throws Error with one instruction for the user when redis-server is missing
 *   and cannot be installed here, or when the install fails
 */
export async function ensureRedisServer(
  overrides: Partial<ProvisionEnvironment> = {},
): Promise<string> {
  const env: ProvisionEnvironment = { ...defaultEnvironment(), ...overrides };
  const found = env.findServer();
  if (found !== null) return found;
  if (env.serverOverride !== undefined) {
    // The user chose a binary on purpose: installing another would hide the mistake.
    throw missingServerError(
      `GREENTIC_REDIS_SERVER=${env.serverOverride} does not run (\`${env.serverOverride} --version\` failed); point it at a working redis-server or unset it`,
    );
  }
  const release = await acquireLock(env.lockFile, env.lockTimeoutMs);
  try {
    // Another process may have installed it while we waited for the lock.
    const installed = env.findServer();
    if (installed !== null) return installed;
    const plan = await planRedisServerInstall(env);
    if (plan.kind === 'manual') throw missingServerError(plan.instruction);
    env.log(
      `installing redis-server with ${plan.via} (${plan.steps
        .map((s) => [s.command, ...s.args].join(' '))
        .join(' && ')}) …`,
    );
    for (const step of plan.steps) {
      const result = await env.run(step.command, step.args, NONINTERACTIVE);
      if (result.status !== 0) {
        const tail = result.output.trim().split('\n').slice(-15).join('\n');
        throw missingServerError(
          `\`${[step.command, ...step.args].join(' ')}\` exited ${result.status}; install redis-server by hand, ${URL_HINT}`,
          tail === '' ? '' : `\n${tail}`,
        );
      }
    }
    const bin = env.findServer();
    if (bin === null) {
      throw missingServerError(
        `${plan.via} finished but \`redis-server --version\` still fails (is its directory on PATH?); install redis-server by hand, ${URL_HINT}`,
      );
    }
    return bin;
  } finally {
    release();
  }
}

import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  acquireLock,
  type CommandResult,
  ensureRedisServer,
  findRedisServer,
  type ProvisionEnvironment,
  spawnCommand,
  startRedisCluster,
  startRedisServer,
  stopRedisServer,
  stopRedisServers,
} from './redis-server.js';

/** A pretend machine: which probes succeed, what installing does, and a log of every command. */
interface FakeMachine {
  env: Partial<ProvisionEnvironment>;
  commands: string[];
  logs: string[];
}

interface FakeOptions {
  platform?: NodeJS.Platform;
  uid?: number | null;
  /** Commands (`cmd args…`) that exit 0; any other probe exits 1. */
  available?: readonly string[];
  /** An install step whose command line contains this exits 100. */
  failing?: string;
  /** Whether a successful install puts redis-server on PATH. @default true */
  installs?: boolean;
  serverOverride?: string;
  delayMs?: number;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'greentic-provision-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function fakeMachine(options: FakeOptions): FakeMachine {
  const commands: string[] = [];
  const logs: string[] = [];
  let installed = false;
  let running = 0;
  const isInstallStep = (line: string) => / install /.test(` ${line} `) || line.endsWith(' update');
  const run = async (command: string, args: readonly string[]): Promise<CommandResult> => {
    const line = [command, ...args].join(' ');
    commands.push(line);
    if (isInstallStep(line)) {
      running++;
      if (running > 1) throw new Error('two installs ran at once');
      await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 0));
      running--;
      if (options.failing !== undefined && line.includes(options.failing)) {
        return { status: 100, output: 'E: Unable to locate package redis-server\n' };
      }
      if (line.includes('install') && options.installs !== false) installed = true;
      return { status: 0, output: '' };
    }
    return { status: (options.available ?? []).includes(line) ? 0 : 1, output: '' };
  };
  return {
    commands,
    logs,
    env: {
      platform: options.platform ?? 'linux',
      uid: options.uid === undefined ? 1000 : options.uid,
      run,
      findServer: () => (installed ? 'redis-server' : null),
      log: (line) => logs.push(line),
      lockFile: join(dir, 'provision.lock'),
      lockTimeoutMs: 5_000,
      serverOverride: options.serverOverride,
    },
  };
}

const APT_UPDATE = 'apt-get -o DPkg::Lock::Timeout=300 update';
const APT_INSTALL = 'apt-get -o DPkg::Lock::Timeout=300 install -y redis-server';

describe('ensureRedisServer', () => {
  it('returns the installed redis-server without running any command', async () => {
    const machine = fakeMachine({ uid: 0 });
    const bin = await ensureRedisServer({ ...machine.env, findServer: () => '/usr/bin/x' });
    expect(bin).toBe('/usr/bin/x');
    expect(machine.commands).toEqual([]);
    expect(machine.logs).toEqual([]);
  });

  it('as root on Debian runs apt-get update, then apt-get install -y redis-server, and says so in one line', async () => {
    const machine = fakeMachine({ uid: 0, available: ['apt-get --version'] });
    await expect(ensureRedisServer(machine.env)).resolves.toBe('redis-server');
    expect(machine.commands).toEqual(['apt-get --version', APT_UPDATE, APT_INSTALL]);
    expect(machine.logs).toHaveLength(1);
    expect(machine.logs[0]).toMatch(/^installing redis-server with apt-get .*…$/);
    expect(existsSync(join(dir, 'provision.lock'))).toBe(false);
  });

  it('as a user with passwordless sudo runs apt-get through sudo -n', async () => {
    const machine = fakeMachine({ uid: 1000, available: ['apt-get --version', 'sudo -n true'] });
    await ensureRedisServer(machine.env);
    expect(machine.commands.slice(-2)).toEqual([`sudo -n ${APT_UPDATE}`, `sudo -n ${APT_INSTALL}`]);
    expect(machine.logs[0]).toMatch(/^installing redis-server with sudo apt-get/);
  });

  it('as a user whose sudo needs a password stops at once with one instruction and installs nothing', async () => {
    const machine = fakeMachine({ uid: 1000, available: ['apt-get --version'] });
    const error = await ensureRedisServer(machine.env).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(
      'sudo apt-get update && sudo apt-get install -y redis-server',
    );
    expect((error as Error).message).toContain('REDIS_URL');
    expect(machine.commands).toEqual(['apt-get --version', 'sudo -n true']);
    expect(machine.logs).toEqual([]);
  });

  it('on Linux without apt-get asks for the distribution package manager', async () => {
    const machine = fakeMachine({ uid: 0 });
    await expect(ensureRedisServer(machine.env)).rejects.toThrow(
      /redis-server is required by the Redis tests and is not installed: install redis-server .* package manager/,
    );
    expect(machine.commands).toEqual(['apt-get --version']);
  });

  it('on macOS with Homebrew runs brew install redis', async () => {
    const machine = fakeMachine({ platform: 'darwin', uid: 501, available: ['brew --version'] });
    await ensureRedisServer(machine.env);
    expect(machine.commands).toEqual(['brew --version', 'brew install redis']);
    expect(machine.logs[0]).toMatch(
      /^installing redis-server with Homebrew \(brew install redis\)/,
    );
  });

  it('on macOS without Homebrew asks to install it and run brew install redis', async () => {
    const machine = fakeMachine({ platform: 'darwin', uid: 501 });
    await expect(ensureRedisServer(machine.env)).rejects.toThrow(/brew install redis/);
  });

  it('on Windows asks for a redis-server on PATH and runs nothing', async () => {
    const machine = fakeMachine({ platform: 'win32', uid: null });
    await expect(ensureRedisServer(machine.env)).rejects.toThrow(/WSL/);
    expect(machine.commands).toEqual([]);
  });

  it('reports a failing apt-get with its exit status and the end of its output', async () => {
    const machine = fakeMachine({ uid: 0, available: ['apt-get --version'], failing: 'install' });
    const error = (await ensureRedisServer(machine.env).catch((err: unknown) => err)) as Error;
    expect(error.message).toContain(`\`${APT_INSTALL}\` exited 100`);
    expect(error.message).toContain('Unable to locate package redis-server');
  });

  it('fails when the install succeeded but redis-server still does not run', async () => {
    const machine = fakeMachine({ uid: 0, available: ['apt-get --version'], installs: false });
    await expect(ensureRedisServer(machine.env)).rejects.toThrow(/still fails/);
  });

  it('does not install over a GREENTIC_REDIS_SERVER that does not run', async () => {
    const machine = fakeMachine({
      uid: 0,
      available: ['apt-get --version'],
      serverOverride: '/opt/redis/bin/redis-server',
    });
    await expect(ensureRedisServer(machine.env)).rejects.toThrow(
      /GREENTIC_REDIS_SERVER=\/opt\/redis\/bin\/redis-server does not run/,
    );
    expect(machine.commands).toEqual([]);
  });

  it('runs the package manager once when several callers provision at the same time', async () => {
    const machine = fakeMachine({ uid: 0, available: ['apt-get --version'], delayMs: 300 });
    const bins = await Promise.all([1, 2, 3].map(() => ensureRedisServer(machine.env)));
    expect(bins).toEqual(['redis-server', 'redis-server', 'redis-server']);
    expect(machine.commands.filter((c) => c === APT_INSTALL)).toHaveLength(1);
    expect(machine.logs).toHaveLength(1);
  });
});

describe('acquireLock', () => {
  it('takes over a lock left by a process that no longer exists', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const lock = join(dir, 'stale.lock');
    writeFileSync(lock, String(dead));
    const release = await acquireLock(lock, 1_000);
    release();
    expect(existsSync(lock)).toBe(false);
  });

  it('waits for a live holder and gives up with a message naming it', async () => {
    const lock = join(dir, 'held.lock');
    const release = await acquireLock(lock, 1_000);
    await expect(acquireLock(lock, 300)).rejects.toThrow(
      new RegExp(`waiting for process ${process.pid} to finish installing redis-server`),
    );
    release();
    const again = await acquireLock(lock, 300);
    again();
  });
});

describe('acquireLock errors', () => {
  it('throws what the file system says when the lock cannot be created at all', async () => {
    await expect(acquireLock(join(dir, 'missing-dir', 'x.lock'), 100)).rejects.toThrow(/ENOENT/);
  });
});

describe('spawnCommand', () => {
  it('reports a command spawn refuses outright as status null', async () => {
    const result = await spawnCommand('bad\0name', []);
    expect(result.status).toBeNull();
    expect(result.output).toMatch(/null bytes|ERR_INVALID_ARG/);
  });

  it('collects stdout and stderr and the exit status', async () => {
    const result = await spawnCommand(process.execPath, [
      '-e',
      'process.stdout.write("out ");process.stderr.write("err");process.exit(3)',
    ]);
    expect(result).toEqual({ status: 3, output: 'out err' });
  });

  it('reports a command that does not exist as status null instead of throwing', async () => {
    const result = await spawnCommand('greentic-no-such-command', []);
    expect(result.status).toBeNull();
    expect(result.output).toContain('ENOENT');
  });
});

// The real thing on this machine: provision (a no-op when installed), then start servers.
describe('a real redis-server', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('startRedisServer refuses to start without a working binary', async () => {
    vi.stubEnv('GREENTIC_REDIS_SERVER', join(dir, 'no-redis-server'));
    await expect(startRedisServer()).rejects.toThrow('redis-server is not installed');
  });

  it('startRedisServer reports the error of a server that refuses its arguments', async () => {
    await ensureRedisServer();
    await expect(startRedisServer(undefined, dir, ['--no-such-directive', 'x'])).rejects.toThrow(
      /redis-server failed to start: .*no-such-directive/s,
    );
  });

  it('stopRedisServer of a server that already exited just removes its dir', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const serverDir = mkdtempSync(join(tmpdir(), 'greentic-redis-'));
    await stopRedisServer({ port: 1, pid: dead, dir: serverDir });
    expect(existsSync(serverDir)).toBe(false);
  });

  it.runIf(process.platform === 'linux')(
    'stopRedisServer never signals a PID that is no longer its server: another process, or a thread of one',
    async () => {
      // A stale handle whose PID was reused: once by a process, once by a
      // thread id (kill(2) on a thread id signals its whole process).
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        stdio: 'ignore',
      });
      try {
        const pid = child.pid as number;
        let threads: number[] = [];
        for (let i = 0; i < 100 && threads.length === 0; i++) {
          threads = readdirSync(`/proc/${pid}/task`)
            .map(Number)
            .filter((t) => t !== pid);
          if (threads.length === 0) await new Promise((r) => setTimeout(r, 10));
        }
        expect(threads.length).toBeGreaterThan(0);
        const serverDir = mkdtempSync(join(tmpdir(), 'greentic-redis-'));
        await stopRedisServer({ port: 6379, pid: threads[0] as number, dir: serverDir }, 'SIGKILL');
        await stopRedisServer({ port: 6379, pid, dir: serverDir }, 'SIGKILL');
        expect(existsSync(serverDir)).toBe(false);
        expect(child.exitCode).toBeNull();
        expect(child.signalCode).toBeNull();
        expect(() => process.kill(pid, 0)).not.toThrow();
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it.runIf(process.platform === 'linux')(
    'stopRedisServer stops a server whose binary has another name (GREENTIC_REDIS_SERVER)',
    async () => {
      const bin = await ensureRedisServer();
      const real = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim();
      const link = join(dir, 'valkey-server');
      symlinkSync(real, link);
      vi.stubEnv('GREENTIC_REDIS_SERVER', link);
      const server = await startRedisServer();
      await stopRedisServer(server, 'SIGKILL');
      const ping = spawnSync('redis-cli', ['-p', String(server.port), 'ping'], {
        encoding: 'utf8',
      });
      expect(ping.stdout.trim()).not.toBe('PONG');
      // Gone, or a zombie its new parent has not reaped yet.
      const status = existsSync(`/proc/${server.pid}/status`)
        ? readFileSync(`/proc/${server.pid}/status`, 'utf8')
        : 'State:\tZ';
      expect(status).toMatch(/^State:\s*Z/m);
    },
  );

  it('stopRedisServer of a handle whose server was restarted leaves the new server running', async () => {
    await ensureRedisServer();
    const first = await startRedisServer();
    await stopRedisServer(first, 'SIGKILL', false);
    const second = await startRedisServer(first.port, first.dir);
    try {
      expect(second.pid).not.toBe(first.pid);
      await stopRedisServer(first, 'SIGKILL', false);
      const ping = spawnSync('redis-cli', ['-p', String(second.port), 'ping'], {
        encoding: 'utf8',
      });
      expect(ping.stdout.trim()).toBe('PONG');
    } finally {
      await stopRedisServer(second);
    }
    expect(existsSync(second.dir)).toBe(false);
  });

  it('ensureRedisServer() finds or installs it, and a started server answers PING', async () => {
    const bin = await ensureRedisServer();
    expect(findRedisServer()).toBe(bin);
    const server = await startRedisServer();
    try {
      const ping = spawnSync('redis-cli', ['-p', String(server.port), 'ping'], {
        encoding: 'utf8',
      });
      expect(ping.stdout.trim()).toBe('PONG');
    } finally {
      await stopRedisServer(server);
    }
    expect(existsSync(server.dir)).toBe(false);
  });

  it('startRedisCluster() joins three masters and stopRedisServers removes their dirs', async () => {
    await ensureRedisServer();
    const nodes = await startRedisCluster();
    expect(nodes).toHaveLength(3);
    const info = spawnSync('redis-cli', ['-p', String(nodes[0]?.port), 'cluster', 'info'], {
      encoding: 'utf8',
    });
    expect(info.stdout).toContain('cluster_known_nodes:3');
    await stopRedisServers(nodes);
    for (const node of nodes) expect(existsSync(node.dir)).toBe(false);
  }, 30_000);
});

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createSession } from '@greentic/session-core';
import { RedisSessionStore } from '@greentic/session-redis';
import { inject } from 'vitest';
import { runCli } from '../src/cli.js';

/** Standalone Redis URL from the global setup. */
export const REDIS_URL = inject('redisUrl');
/** redis+cluster:// URL of the 3-master cluster from the global setup. */
export const REDIS_CLUSTER_URL = inject('redisClusterUrl');

/** The built binary the process tests run (test/setup/build.ts builds it). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** A namespace no other test uses. */
export function uniqueNamespace(): string {
  return `cli${randomUUID().slice(0, 8)}:session`;
}

/** What a run of the CLI printed and how it ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A session to write before a test: key, owner, and optionally user and team. */
export interface SeedSession {
  readonly key: string;
  readonly tenantId: string;
  readonly userId?: string;
  readonly teamId?: string;
}

/** Opens a store on `url`/`namespace` for a test's own writes and reads; close it after. */
export function testStore(url: string, namespace: string): RedisSessionStore {
  return new RedisSessionStore({ url, namespace, commandTimeoutMs: 5000 });
}

/** Writes the sessions (ttl one hour) through the store, in parallel batches. */
export async function seed(
  store: RedisSessionStore,
  sessions: readonly SeedSession[],
): Promise<void> {
  // A cold Cluster client may reject a burst while a master connection opens: connect first.
  await store.ready();
  for (let i = 0; i < sessions.length; i += 500) {
    await Promise.all(
      sessions
        .slice(i, i + 500)
        .map((s) =>
          store.put(createSession({ ...s, flowId: 'flow', nodeId: 'wait', ttlSecs: 3600 })),
        ),
    );
  }
}

/** `count` sessions of `tenantId` keyed `<prefix>-<i>`, user `u<i % users>`. */
export function sessionsOf(
  tenantId: string,
  count: number,
  prefix: string,
  users = 1,
): SeedSession[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}-${i}`,
    tenantId,
    userId: `u${i % users}`,
  }));
}

/** Runs the CLI in-process with collecting streams. */
export async function runInProcess(
  argv: readonly string[],
  options: {
    env?: Record<string, string | undefined>;
    /** What stdin holds (then ends). */
    input?: string;
    stdinTTY?: boolean;
    stderrTTY?: boolean;
    signal?: AbortSignal;
    now?: () => number;
    /** Called with each chunk written to stderr. */
    onStderr?: (chunk: string) => void;
  } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: options.stdinTTY ?? false });
  if (options.input !== undefined) stdin.end(options.input);
  const code = await runCli(argv, {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
      isTTY: false,
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        options.onStderr?.(s);
        return true;
      },
      isTTY: options.stderrTTY ?? false,
      columns: 200,
    },
    stdin,
    env: options.env ?? {},
    signal: options.signal,
    now: options.now,
  });
  stdin.destroy();
  return { code, stdout, stderr };
}

/**
 * Runs `node dist/bin.js` as a process, stdin a pipe (not a terminal) fed
 * with `input`, in an environment holding only PATH and `env`.
 */
export function runBin(
  argv: readonly string[],
  options: {
    env?: Record<string, string>;
    input?: string;
    /** Close the reading end of stdout at once, as `| head -0` would. */
    closeStdout?: boolean;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout === true) child.stdout.destroy();
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Parses the one JSON document a `--json` run printed on stdout. */
export function jsonOf(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got:\n${run.stdout}`);
  return JSON.parse(lines[0] as string) as Record<string, unknown>;
}

/** How many of the sessions are still stored, each read with a fenced `get` (independent of list/count). */
export async function liveCount(
  store: RedisSessionStore,
  sessions: readonly SeedSession[],
): Promise<number> {
  const got = await Promise.all(sessions.map((s) => store.get(s.key, { tenantId: s.tenantId })));
  return got.filter((g) => g !== null).length;
}

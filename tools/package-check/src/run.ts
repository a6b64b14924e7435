import { spawn } from 'node:child_process';

/** What {@link run} observed of a finished child process. */
export interface RunResult {
  /** Exit code, or `null` when a signal ended the process. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** Working directory of the child. */
  cwd: string;
  /** Extra environment variables, merged over `process.env`. */
  env?: Record<string, string>;
  /** Kills the child after this long. @default 120000 */
  timeoutMs?: number;
  /**
   * Start from {@link userEnv} instead of `process.env`, so the child sees
   * what a user's shell would: no `NODE_PATH` pointing into the workspace
   * (package-manager shims set one), no `npm_*` variables of this run.
   * @default false
   */
  isolateEnv?: boolean;
}

const USER_ENV_KEYS = [
  'PATH',
  'HOME',
  'TMPDIR',
  'LANG',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/** The part of `process.env` a user's shell would also have: PATH, HOME, proxies, CA files. */
export function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of USER_ENV_KEYS) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/**
 * Runs a command without a shell and collects its output. A non-zero exit is
 * reported in the result, not thrown, so a test can show the output it failed on.
 *
 * @throws Error when the command cannot be started or runs past `timeoutMs`
 */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...(options.isolateEnv === true ? userEnv() : process.env), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${command} ${args.join(' ')} ran past ${timeoutMs} ms\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Like {@link run}, but throws with the command's output when it exits non-zero.
 *
 * @throws Error naming the command, its exit code, stdout and stderr
 */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

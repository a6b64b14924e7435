import { createRequire } from 'node:module';
import type { SessionStore } from '@greentic/session-core';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CommandOutput } from './commands/command.js';
import { confirm } from './confirm.js';
import { CliError, describeFailure, EXIT_CODES, type ExitCode } from './errors.js';
import { type CliIo, type CliOutput, scrubbed, URL_ENV, urlSecrets } from './io.js';
import type { StoreOptions, StoreTarget } from './store-url.js';
import { terminalSafe } from './terminal-text.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The name the CLI is installed under (package.json `bin`). */
export const CLI_NAME = 'greentic-session';

const COMMANDS: readonly string[] = ['check', 'get', 'ls', 'count', 'rm', 'purge'];

const EPILOG = `
The store URL comes from --url or $${URL_ENV}: redis://[user:pass@]host:port/db,
rediss://..., redis+cluster://h1:p1,h2:p2, redis+sentinel://s1:26379/mymaster,
or memory:// (empty in every process). Credentials are never printed.

Exit codes: 0 ok, 1 the store failed (unavailable, timeout, internal),
2 usage or invalid input, 3 not found, 4 refused (purge not confirmed),
5 the backend cannot list/count/purge, 130 interrupted.

Examples:
  $ export ${URL_ENV}=redis://127.0.0.1:6379/0
  $ ${CLI_NAME} check
  $ ${CLI_NAME} ls --tenant acme --user u-42
  $ ${CLI_NAME} purge --tenant acme --user u-42 --dry-run
  $ ${CLI_NAME} purge --tenant acme --user u-42 --yes --json`;

function integer(name: string, max: number): (value: string) => number {
  return (value) => {
    if (!/^[1-9]\d{0,15}$/.test(value) || Number(value) > max) {
      throw new InvalidArgumentError(`${name} must be an integer 1..${max}`);
    }
    return Number(value);
  };
}

/** Whether `--json` is on the command line (before a `--`), for errors met while parsing it. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/** Every URL the command line or the environment may hand to the store, for scrubbing. */
function candidateUrls(argv: readonly string[], env: CliIo['env']): string[] {
  const urls = argv.flatMap((arg, i) =>
    arg === '--url' ? [argv[i + 1] ?? ''] : arg.startsWith('--url=') ? [arg.slice(6)] : [],
  );
  return [...urls, env[URL_ENV] ?? ''].filter((u) => u !== '');
}

interface GlobalOptions extends StoreOptions {
  readonly json?: boolean | undefined;
}

/**
 * Runs `greentic-session` with `argv` (the arguments after the program name)
 * and returns its exit code; it never calls `process.exit`, so tests run it
 * in-process with their own streams. With `--json`, stdout receives exactly
 * one JSON document, `{"ok": true, "command": ..., ...}` or
 * `{"ok": false, "error": {code, reason?, exitCode, message}}`; progress and
 * prompts go to stderr (progress only on a terminal). Without it, errors are
 * one line on stderr.
 *
 * @example
 * ```ts
 * const code = await runCli(['count', '--tenant', 'acme'], {
 *   stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env,
 * });
 * ```
 *
 * @param argv - arguments, e.g. `['purge', '--tenant', 'acme', '--dry-run']`
 * @param io - streams, environment, clock, interrupt signal
 * @returns one of {@link EXIT_CODES}
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const json = wantsJson(argv);
  const secrets = candidateUrls(argv, io.env).flatMap(urlSecrets);
  const stdout = scrubbed(io.stdout, secrets);
  const stderr = scrubbed(io.stderr, secrets);
  // A guess for errors met while parsing; the preAction hook sets the real one.
  let command = argv.find((arg) => COMMANDS.includes(arg)) ?? '';

  function fail(code: string, exitCode: ExitCode, message: string, reason?: string): ExitCode {
    if (json) {
      const error = { code, ...(reason === undefined ? {} : { reason }), exitCode, message };
      stdout.write(`${JSON.stringify({ ok: false, command, error })}\n`);
    } else {
      const help = command === '' ? '--help' : `${command} --help`;
      const hint = exitCode === EXIT_CODES.usage ? ` (see ${CLI_NAME} ${help})` : '';
      const kind = `${code.replace('_', ' ')}${reason === undefined ? '' : ` (${reason})`}`;
      stderr.write(`${CLI_NAME}: ${kind}: ${terminalSafe(message)}${hint}\n`);
    }
    return exitCode;
  }

  async function withStore(
    globals: GlobalOptions,
    run: (store: SessionStore, target: StoreTarget) => Promise<CommandOutput>,
  ): Promise<void> {
    // Loaded only when a store is needed: ioredis is most of the start-up time,
    // and help, usage errors and a refused purge do not need it.
    const { openStore, resolveStoreTarget } = await import('./store-url.js');
    const target = resolveStoreTarget(globals, io.env);
    const store = await openStore(target);
    let output: CommandOutput;
    try {
      output = await run(store, target);
    } finally {
      await store.close().catch(() => {});
    }
    if (json) {
      stdout.write(`${JSON.stringify({ ok: true, command, ...output.json })}\n`);
    } else {
      stdout.write(terminalSafe(output.text));
      // After the output, so a person reading both sees it last.
      if (output.note !== undefined) stderr.write(terminalSafe(output.note));
    }
  }

  const progress = { progress: stderr as CliOutput, now: io.now, signal: io.signal };
  const program = buildProgram(stdout, stderr, (name) => {
    command = name;
  });
  program
    .command('check')
    .description('connect and report version, maxmemory-policy, cluster state and latency')
    .action((_: unknown, cmd: Command) =>
      withStore(cmd.optsWithGlobals(), async (store, target) =>
        (await import('./commands/check.js')).checkCommand(store, target.shown),
      ),
    );
  program
    .command('get')
    .description('print one session and its cas')
    .argument('<key>', 'session key')
    .option('--tenant <id>', 'only if the session belongs to this tenant')
    .action((key: string, opts: { tenant?: string }, cmd: Command) =>
      withStore(cmd.optsWithGlobals(), async (store) =>
        (await import('./commands/get.js')).getCommand(store, key, opts.tenant),
      ),
    );
  program
    .command('ls')
    .description("list a tenant's sessions (headers, never contents)")
    .requiredOption('--tenant <id>', 'tenant')
    .option('--user <id>', 'only sessions of this user (meta.userId)')
    .option('--team <id>', 'only sessions of this team (meta.teamId)')
    .option('--limit <n>', 'most sessions to print', integer('--limit', 1_000_000), 100)
    .option('--cursor <cursor>', 'resume where a previous ls stopped (its JSON cursor)')
    .action(
      (
        opts: { tenant: string; user?: string; team?: string; limit: number; cursor?: string },
        cmd: Command,
      ) =>
        withStore(cmd.optsWithGlobals(), async (store) =>
          (await import('./commands/list.js')).listCommand(store, { ...opts, signal: io.signal }),
        ),
    );
  program
    .command('count')
    .description("count a tenant's sessions")
    .requiredOption('--tenant <id>', 'tenant')
    .option('--user <id>', 'only sessions of this user')
    .option('--team <id>', 'only sessions of this team')
    .action((opts: { tenant: string; user?: string; team?: string }, cmd: Command) =>
      withStore(cmd.optsWithGlobals(), async (store) =>
        (await import('./commands/count.js')).countCommand(store, { ...opts, ...progress }),
      ),
    );
  program
    .command('rm')
    .description('delete one session of a tenant')
    .argument('<key>', 'session key')
    .requiredOption('--tenant <id>', 'the tenant that owns it')
    .action((key: string, opts: { tenant: string }, cmd: Command) =>
      withStore(cmd.optsWithGlobals(), async (store) =>
        (await import('./commands/remove.js')).removeCommand(store, key, opts.tenant),
      ),
    );
  program
    .command('purge')
    .description('delete every session of a tenant (or of one user or team), e.g. a GDPR erasure')
    .requiredOption('--tenant <id>', 'tenant')
    .option('--user <id>', 'only sessions of this user')
    .option('--team <id>', 'only sessions of this team')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('-y, --yes', 'do not ask for confirmation (needed when stdin is not a terminal)')
    .action(
      (
        opts: { tenant: string; user?: string; team?: string; dryRun?: boolean; yes?: boolean },
        cmd: Command,
      ) => {
        const dryRun = opts.dryRun === true;
        const ask = !dryRun && opts.yes !== true;
        // Decided before connecting: without a terminal nobody can answer the question.
        if (ask && io.stdin.isTTY !== true) {
          throw new CliError(
            'refused',
            'refusing to purge: stdin is not a terminal, so nobody can confirm; pass --yes (try --dry-run first)',
          );
        }
        return withStore(cmd.optsWithGlobals(), async (store) =>
          (await import('./commands/purge.js')).purgeCommand(store, {
            ...opts,
            ...progress,
            dryRun,
            confirm: ask ? (q) => confirm(io.stdin, stderr, q, io.signal) : undefined,
          }),
        );
      },
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end with 0; `commander.help` is the help printed for a missing command.
      if (err.exitCode === 0) return EXIT_CODES.ok;
      if (err.code === 'commander.help') return EXIT_CODES.usage;
      return fail('usage', EXIT_CODES.usage, err.message.replace(/^error: /, ''));
    }
    // Whatever the signal's reason, an interrupted command ends as one (130).
    const interrupted = io.signal?.aborted === true && !(err instanceof CliError);
    const failure = describeFailure(interrupted ? new CliError('interrupted', 'interrupted') : err);
    return fail(failure.code, failure.exitCode, failure.message, failure.reason);
  }
}

function buildProgram(
  stdout: CliOutput,
  stderr: CliOutput,
  onCommand: (name: string) => void,
): Command {
  const program = new Command(CLI_NAME)
    .description('Operate a greentic-session store: health, get, list, count, delete, purge.')
    .version(version, '-V, --version')
    .option('--url <url>', `store URL (default: $${URL_ENV})`)
    .option('--namespace <ns>', 'key prefix of a Redis store (default: greentic:session)')
    .option(
      '--timeout <ms>',
      'Redis connect and reply timeout in ms (default: 1000)',
      integer('--timeout', 600_000),
    )
    .option('--json', 'print one JSON document on stdout (errors included)')
    .addHelpText('after', EPILOG)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => stdout.write(s),
      writeErr: (s) => stderr.write(s),
      // Errors are reported by runCli: one line, or JSON with --json.
      outputError: () => {},
    })
    .hook('preAction', (_, action) => onCommand(action.name()));
  return program;
}

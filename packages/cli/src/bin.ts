#!/usr/bin/env node
import { runCli } from './cli.js';
import { CliError } from './errors.js';

// The first Ctrl-C stops a count or purge between two batches; a second one
// (the listener is gone by then) ends the process at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort(new CliError('interrupted', 'interrupted'));
});

// `greentic-session ls | head -1`: the reader left; stop quietly, as other tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: interrupt.signal,
});
// Nothing should keep the event loop alive after runCli; if a client does,
// the exit code is already set and the output flushed.
setTimeout(() => process.exit(), 2000).unref();

import { describe, expect, it } from 'vitest';
import { jsonOf, runInProcess } from './helpers.js';

// Argument handling in-process (fast); test/bin.integration.test.ts runs a
// sample of the same through the built binary.

describe('arguments', () => {
  it.each([
    [['get'], "missing required argument 'key'"],
    [['ls', '--url', 'memory://'], "required option '--tenant <id>' not specified"],
    [['rm', 'k'], "required option '--tenant <id>' not specified"],
    [['purge', '--yes'], "required option '--tenant <id>' not specified"],
    [['ls', '--tenant', 'acme', '--limit', 'ten'], '--limit must be an integer 1..1000000'],
    [['ls', '--tenant', 'acme', '--limit', '0'], '--limit must be an integer 1..1000000'],
    [['ls', '--tenant', 'acme', '--limit', '1000001'], '--limit must be an integer 1..1000000'],
    [['check', '--timeout', '-5'], '--timeout must be an integer 1..600000'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['count', '--tenant', 'acme', '--everything'], "unknown option '--everything'"],
    [['check', 'extra'], 'too many arguments'],
  ])('%j is a usage error: exit 2, one line on stderr', async (argv, message) => {
    const run = await runInProcess(argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/^greentic-session: usage: .*\(see greentic-session .*--help\)\n$/);
  });

  it.each([
    ['http://admin:Hunter2-secret@db.example:6379', 'got http://', 'usage'],
    ['redis://admin:Hunter2-secret@127.0.0.1:99999', 'port', 'invalid_input'],
    [
      'redis://:Hunter2-secret@127.0.0.1:6379/0?bogus=1',
      'unknown query parameter',
      'invalid_input',
    ],
    ['rediss+cluster://Hunter2-secret@h1:1,h2:x', 'port', 'invalid_input'],
    ['Hunter2-secret', 'must start with', 'usage'],
  ])(
    'a bad URL (%s) is a usage error that never prints its password',
    async (url, message, code) => {
      const runs = [
        await runInProcess(['check', '--url', url]),
        await runInProcess(['check', '--json', `--url=${url}`]),
        await runInProcess(['count', '--tenant', 'a'], { env: { GREENTIC_SESSION_URL: url } }),
      ];
      for (const run of runs) {
        expect(run.code).toBe(2);
        expect(`${run.stdout}${run.stderr}`).toContain(message);
        expect(`${run.stdout}${run.stderr}`).not.toContain('Hunter2');
      }
      expect(jsonOf(runs[1] as never)).toMatchObject({ ok: false, error: { code, exitCode: 2 } });
    },
  );

  it('global options work after the command too, and --url wins over the environment', async () => {
    const run = await runInProcess(['count', '--tenant', 'acme', '--json', '--url', 'memory://'], {
      env: { GREENTIC_SESSION_URL: 'http://ignored' },
    });
    expect(jsonOf(run)).toMatchObject({ ok: true, command: 'count', count: 0 });
  });

  it('--namespace with memory:// or beside ?namespace= is a usage error', async () => {
    const memory = await runInProcess(['check', '--url', 'memory://', '--namespace', 'x']);
    expect(memory).toMatchObject({ code: 2 });
    expect(memory.stderr).toContain('--namespace applies to redis:// URLs only');
    const both = await runInProcess([
      'check',
      '--url',
      'redis://h/0?namespace=a',
      '--namespace',
      'b',
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('already names a namespace');
  });

  it('--help and --version print on stdout and exit 0; no command prints the help on stderr and exits 2', async () => {
    expect(await runInProcess(['purge', '--help'])).toMatchObject({ code: 0, stderr: '' });
    expect((await runInProcess(['purge', '--help'])).stdout).toContain('--dry-run');
    expect((await runInProcess(['-V'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
    const none = await runInProcess([]);
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain('Usage: greentic-session');
  });
});

import { Cluster, type ClusterOptions, type Command, Redis, type RedisOptions } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { storeGet, trackedScript, tracksCommands } from './command.js';
import type { RedisClient } from './connection.js';
import { CommandMaybeSentError, CommandNotSentError, toSessionError } from './errors.js';

const CTX = { pkg: '@greentic/session-redis', op: 'put' };
// Never connected (lazyConnect): only their options are read, or their
// `sendCommand` is replaced by a script of what ioredis would do.
const opened: RedisClient[] = [];
function redis(options: Pick<RedisOptions, 'enableAutoPipelining' | 'keyPrefix'> = {}): Redis {
  const r = new Redis({ lazyConnect: true, ...options });
  opened.push(r);
  return r;
}
function cluster(options: Pick<ClusterOptions, 'enableAutoPipelining'> = {}): Cluster {
  const c = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true, ...options });
  opened.push(c);
  return c;
}
afterAll(() => {
  for (const c of opened) c.disconnect();
});

/**
 * An error reply of a server, as ioredis hands it over: named ReplyError,
 * with the command it answers (its very `args` array).
 */
function reply(message: string, to: { name: string; args: unknown[] }): Error {
  const err = new Error(message);
  err.name = 'ReplyError';
  Object.assign(err, { command: { name: to.name, args: to.args } });
  return err;
}
const closed = () => new Error('Connection is closed.');

/** Captures what the store hands to `sendCommand` (nothing is written until the test says so). */
function capture(
  client: Redis | Cluster,
  wrap?: (cmd: Command, inner: (e: Error) => void, err: Error) => void,
) {
  const sent: Command[] = [];
  (client as unknown as { sendCommand: (c: Command) => unknown }).sendCommand = (cmd) => {
    sent.push(cmd);
    // A Cluster wraps `reject` as it takes a command (to follow redirections).
    if (wrap !== undefined) {
      const inner = cmd.reject;
      cmd.reject = (err: Error) => wrap(cmd, inner.bind(cmd) as (e: Error) => void, err);
    }
    return cmd.promise;
  };
  return sent;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return toSessionError(err, CTX).code;
  }
}

describe('tracksCommands', () => {
  it('sends its own commands on a client of its ioredis copy', () => {
    expect(tracksCommands(redis())).toBe(true);
    expect(tracksCommands(cluster())).toBe(true);
  });

  it("leaves an auto-pipelining client's commands to ioredis", () => {
    expect(tracksCommands(redis({ enableAutoPipelining: true }))).toBe(false);
    expect(tracksCommands(cluster({ enableAutoPipelining: true }))).toBe(false);
  });

  it('leaves a client of another ioredis copy to its own commands', () => {
    const foreign = { options: {}, defineCommand() {}, get() {}, on() {} };
    expect(tracksCommands(foreign as unknown as RedisClient)).toBe(false);
  });
});

describe('what a failed command says (standalone)', () => {
  it('dropped before any write: never sent (unavailable)', async () => {
    const client = redis();
    const sent = capture(client);
    const p = storeGet(client, undefined)('k');
    sent[0]?.reject(closed());
    await expect(p).rejects.toBeInstanceOf(CommandNotSentError);
    expect(await codeOf(p)).toBe('unavailable');
  });

  it('written, then dropped: may have run (timeout)', async () => {
    const client = redis();
    const sent = capture(client);
    const p = codeOf(storeGet(client, undefined)('k'));
    sent[0]?.toWritable({});
    sent[0]?.reject(closed());
    expect(await p).toBe('timeout');
  });

  it('timed out in the queue, unwritten: still timeout (ioredis keeps it queued and may write it later)', async () => {
    const client = redis();
    const sent = capture(client);
    const p = codeOf(storeGet(client, undefined)('k'));
    sent[0]?.reject(new Error('Command timed out'));
    expect(await p).toBe('timeout');
  });

  it('a keyPrefix (string or Buffer) is added to the key once', () => {
    for (const keyPrefix of ['app:', Buffer.from('app:')]) {
      const client = redis({ keyPrefix: keyPrefix as string });
      const sent = capture(client);
      void storeGet(client, undefined)('k').catch(() => {});
      expect(String(sent[0]?.args[0])).toBe('app:k');
    }
  });
});

describe('what a failed command says (Cluster)', () => {
  it('MOVED, then the new owner is down: every write refused, never sent (unavailable)', async () => {
    const client = cluster();
    const sent = capture(client, (_cmd, inner) => inner(closed()));
    const p = codeOf(storeGet(client, undefined)('k'));
    const cmd = sent[0] as Command;
    cmd.toWritable({});
    // The node it was written to redirects it; the Cluster sends it to the
    // owner, which is not connected: refused before a write.
    cmd.reject(reply('MOVED 1 127.0.0.1:2', cmd));
    expect(await p).toBe('unavailable');
  });

  it('written, lost with its connection and sent again (retryDelayOnFailover), then MOVED to a down owner: may have run (timeout)', async () => {
    const client = cluster();
    let step = 0;
    const sent = capture(client, (cmd, inner) => {
      step++;
      if (step === 1)
        cmd.toWritable({}); // the failover retry writes it elsewhere
      else inner(closed()); // after MOVED: the owner is down
    });
    const p = codeOf(storeGet(client, undefined)('k'));
    const cmd = sent[0] as Command;
    cmd.toWritable({}); // written to A, whose connection then closes
    cmd.reject(closed()); // the Cluster retries it on B
    cmd.reject(reply('MOVED 1 127.0.0.1:2', cmd));
    expect(await p).toBe('timeout');
  });

  it.each([
    new Error('Cluster is ended.'),
    new Error('Too many Cluster redirections. Last error: MOVED 1 h:1'),
  ])('written, lost and sent again, then %s: may have run (timeout)', async (last) => {
    const client = cluster();
    let step = 0;
    const sent = capture(client, (_cmd, inner) => {
      step++;
      if (step === 1) return; // the Cluster holds it for a retry
      inner(last);
    });
    const p = storeGet(client, undefined)('k');
    const cmd = sent[0] as Command;
    cmd.toWritable({});
    cmd.reject(closed());
    cmd.reject(new Error('later'));
    await expect(p).rejects.toBeInstanceOf(CommandMaybeSentError);
    expect(await codeOf(p)).toBe('timeout');
  });

  it('an error reply to its only write keeps its meaning', async () => {
    const client = cluster();
    const sent = capture(client, (cmd, inner) =>
      inner(reply('READONLY You cannot write against a read only replica.', cmd)),
    );
    const p = codeOf(storeGet(client, undefined)('k'));
    sent[0]?.toWritable({});
    sent[0]?.reject(new Error('ignored: the wrapper answers READONLY'));
    expect(await p).toBe('unavailable');
  });
});

describe('what a failed command says after a write no reply accounted for (Cluster)', () => {
  /** Written to A, lost with A's connection: the Cluster holds it to send again. */
  function lostOnce(
    client: Cluster,
    then: (cmd: Command, inner: (e: Error) => void, err: Error) => void,
  ) {
    let calls = 0;
    const sent = capture(client, (cmd, inner, err) => {
      calls++;
      if (calls === 1) return;
      then(cmd, inner, err);
    });
    return sent;
  }

  it('written again to B, which answers CLUSTERDOWN and is given up on: may have run on A (timeout)', async () => {
    const client = cluster();
    const sent = lostOnce(client, (_cmd, inner, err) => inner(err));
    const p = storeGet(client, undefined)('k');
    const cmd = sent[0] as Command;
    cmd.toWritable({}); // A
    cmd.reject(closed()); // held for a retry
    cmd.toWritable({}); // B
    cmd.reject(reply('CLUSTERDOWN The cluster is down', cmd)); // given up: the reply itself
    await expect(p).rejects.toBeInstanceOf(CommandMaybeSentError);
    expect(await codeOf(p)).toBe('timeout');
  });

  it('then a failed AUTH on the next node flushes its queue: may have run on A (timeout)', async () => {
    const client = cluster();
    const sent = lostOnce(client, (_cmd, inner, err) => inner(err));
    const p = codeOf(storeGet(client, undefined)('k'));
    const cmd = sent[0] as Command;
    cmd.toWritable({});
    cmd.reject(closed());
    // The reply is AUTH's (the handshake of the node the command waited for).
    cmd.reject(reply('WRONGPASS invalid username-password pair', { name: 'auth', args: ['pw'] }));
    expect(await p).toBe('timeout');
  });

  it('never written, and a failed AUTH flushes the queue it waited in: never sent (unavailable, auth)', async () => {
    const client = redis();
    const sent = capture(client);
    const p = storeGet(client, undefined)('k');
    sent[0]?.reject(
      reply('WRONGPASS invalid username-password pair', { name: 'auth', args: ['pw'] }),
    );
    const err = await p.then(
      () => undefined,
      (e: unknown) => toSessionError(e, CTX),
    );
    expect(err?.code).toBe('unavailable');
    expect(err?.reason).toBe('auth');
  });

  it('NOSCRIPT on B, and the resend is dropped unwritten: may have run on A (timeout)', async () => {
    const client = cluster();
    const sent = lostOnce(client, (_cmd, inner, err) => inner(err));
    const p = trackedScript(client, 'return 1', 'f'.repeat(40), 1, undefined)('k');
    const cmd = sent[0] as Command;
    cmd.toWritable({});
    cmd.reject(closed());
    cmd.toWritable({});
    cmd.reject(reply('NOSCRIPT No matching script.', cmd));
    const again = sent[1] as Command;
    again.reject(closed()); // dropped before any write of its own
    await expect(p).rejects.toBeInstanceOf(CommandMaybeSentError);
  });

  it('a command that timed out does not follow a late redirection anywhere', async () => {
    const client = cluster();
    let followed = 0;
    const sent = capture(client, (_cmd, inner, err) => {
      followed++;
      inner(err);
    });
    const p = codeOf(storeGet(client, undefined)('k'));
    const cmd = sent[0] as Command;
    cmd.toWritable({});
    cmd.reject(new Error('Command timed out'));
    expect(await p).toBe('timeout');
    cmd.reject(reply('MOVED 1 127.0.0.1:2', cmd));
    expect(followed).toBe(1);
  });
});

describe('the deadline on a client without commandTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('times the command out itself, so a late NOSCRIPT sends nothing more', async () => {
    vi.useFakeTimers();
    const client = redis();
    const sent = capture(client);
    const p = codeOf(trackedScript(client, 'return 1', 'e'.repeat(40), 1, 50)('k'));
    sent[0]?.toWritable({});
    vi.advanceTimersByTime(50);
    expect(await p).toBe('timeout');
    expect(sent[0]?.isSettled).toBe(true);
    sent[0]?.reject(reply('NOSCRIPT No matching script.', sent[0] as Command));
    expect(sent).toHaveLength(1);
  });

  it('without one, a command has no timer of its own', () => {
    const client = redis();
    const sent = capture(client);
    void storeGet(client, undefined)('k').catch(() => {});
    expect(
      (sent[0] as unknown as { _commandTimeoutTimer?: unknown })._commandTimeoutTimer,
    ).toBeUndefined();
    sent[0]?.reject(closed());
  });
});

describe('script runs', () => {
  const LUA = 'return 1';
  const SHA = 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db';

  it('EVAL on a new connection, EVALSHA after; NOSCRIPT sends it again whole, once', async () => {
    const client = redis();
    const sent = capture(client);
    const run = trackedScript(client, LUA, SHA, 1, undefined);
    const socket = {};
    const first = run('k', 'v');
    sent[0]?.toWritable(socket);
    expect(sent[0]?.name).toBe('eval');
    sent[0]?.resolve(1);
    expect(await first).toBe(1);
    const second = run('k', 'v');
    sent[1]?.toWritable(socket);
    expect(sent[1]?.name).toBe('evalsha');
    expect(sent[1]?.args.slice(0, 3)).toEqual([SHA, '1', 'k']);
    sent[1]?.reject(reply('NOSCRIPT No matching script.', sent[1] as Command));
    expect(sent).toHaveLength(3);
    sent[2]?.toWritable(socket);
    expect(sent[2]?.name).toBe('eval');
    expect(sent[2]?.args[0]).toBe(LUA);
    sent[2]?.resolve(7);
    expect(await second).toBe(7);
  });

  it('the resend after NOSCRIPT dropped unwritten: never sent (the NOSCRIPT reply ran nothing)', async () => {
    const client = redis();
    const sent = capture(client);
    const run = trackedScript(client, LUA, SHA, 1, undefined);
    const p = codeOf(run('k'));
    sent[0]?.toWritable({});
    sent[0]?.reject(reply('NOSCRIPT No matching script.', sent[0] as Command));
    sent[1]?.reject(closed());
    expect(await p).toBe('unavailable');
  });

  it('a NOSCRIPT after the command timed out sends nothing more', async () => {
    const client = redis();
    const sent = capture(client);
    const p = codeOf(trackedScript(client, LUA, SHA, 1, undefined)('k'));
    sent[0]?.toWritable({});
    sent[0]?.reject(new Error('Command timed out'));
    expect(await p).toBe('timeout');
    sent[0]?.reject(reply('NOSCRIPT No matching script.', sent[0] as Command));
    expect(sent).toHaveLength(1);
  });
});

describe('CommandNotSentError', () => {
  it("keeps ioredis's message and error as its cause", () => {
    const dropped = closed();
    const err = new CommandNotSentError(dropped);
    expect(err.name).toBe('CommandNotSentError');
    expect(err.message).toBe('Connection is closed.');
    expect(err.cause).toBe(dropped);
  });
});

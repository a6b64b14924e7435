import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandNotSentError, tracksCommands } from './command.js';
import type { RedisClient } from './connection.js';

// Never connected (lazyConnect): only their options are read.
const plain = new Redis({ lazyConnect: true });
const pipelined = new Redis({ lazyConnect: true, enableAutoPipelining: true });
const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
const pipelinedCluster = new Cluster([{ host: '127.0.0.1', port: 1 }], {
  lazyConnect: true,
  enableAutoPipelining: true,
});

afterAll(() => {
  for (const c of [plain, pipelined, cluster, pipelinedCluster]) c.disconnect();
});

describe('tracksCommands', () => {
  it('sends its own commands on a client of its ioredis copy', () => {
    expect(tracksCommands(plain)).toBe(true);
    expect(tracksCommands(cluster)).toBe(true);
  });

  it("leaves an auto-pipelining client's commands to ioredis", () => {
    expect(tracksCommands(pipelined)).toBe(false);
    expect(tracksCommands(pipelinedCluster)).toBe(false);
  });

  it('leaves a client of another ioredis copy to its own commands', () => {
    const foreign = { options: {}, defineCommand() {}, get() {}, on() {} };
    expect(tracksCommands(foreign as unknown as RedisClient)).toBe(false);
  });
});

describe('CommandNotSentError', () => {
  it("keeps ioredis's message and error as its cause", () => {
    const dropped = new Error('Connection is closed.');
    const err = new CommandNotSentError(dropped);
    expect(err.name).toBe('CommandNotSentError');
    expect(err.message).toBe('Connection is closed.');
    expect(err.cause).toBe(dropped);
  });
});

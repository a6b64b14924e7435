import type { SessionStore } from '@greentic/session-core';
import { InMemorySessionStore } from '@greentic/session-memory';
import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { checkCommand } from './check.js';
import { describeFilter, requireAdmin, toFilter } from './command.js';

// A third-party backend that implements only the base contract.
class BareStore {
  get = async () => null;
  put = async () => 1;
  updateCas = async () => ({ ok: false, current: 0, reason: 'missing' }) as const;
  delete = async () => false;
  touch = async () => false;
  forTenant = () => {
    throw new Error('unused');
  };
  close = async () => {};
}
const bare = new BareStore() as unknown as SessionStore;

describe('requireAdmin', () => {
  it('passes a store with the operator capability through', () => {
    const store = new InMemorySessionStore();
    expect(requireAdmin(store)).toBe(store);
  });

  it('refuses a backend without it as unsupported (exit 5), naming the class', () => {
    let caught: unknown;
    try {
      requireAdmin(bare);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect(caught).toMatchObject({ code: 'unsupported', exitCode: 5 });
    expect((caught as Error).message).toContain('BareStore');
  });
});

describe('filters', () => {
  it('leave out what was not given, and describe what was', () => {
    expect(toFilter({ tenant: 'acme' })).toStrictEqual({ tenantId: 'acme' });
    const all = toFilter({ tenant: 'acme', user: 'u1', team: 'blue' });
    expect(all).toStrictEqual({ tenantId: 'acme', userId: 'u1', teamId: 'blue' });
    expect(describeFilter(all)).toBe('tenant acme, user u1, team blue');
  });
});

describe('checkCommand', () => {
  it('on a third-party backend says it offers no health check', async () => {
    const out = await checkCommand(bare, 'custom://x');
    expect(out.json).toStrictEqual({
      url: 'custom://x',
      backend: 'BareStore',
      warnings: ['this backend offers no health check'],
    });
    expect(out.text).toContain('status     ok');
  });
});

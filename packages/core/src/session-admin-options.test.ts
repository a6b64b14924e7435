import { SessionError } from '@greentic/session-types';
import { describe, expect, it } from 'vitest';
import { hasSessionAdmin } from './session-admin.js';
import {
  decodeSessionCursor,
  encodeSessionCursor,
  matchesSessionFilter,
  validateCountSessionsOptions,
  validateListSessionsOptions,
  validatePurgeSessionsOptions,
} from './session-admin-options.js';

const ctx = { pkg: 'p', op: 'listSessions' };

function invalid(fn: () => unknown): SessionError {
  try {
    fn();
  } catch (err) {
    expect(SessionError.isInstance(err)).toBe(true);
    expect((err as SessionError).code).toBe('invalid_input');
    return err as SessionError;
  }
  throw new Error('expected invalid_input');
}

describe('operator call options', () => {
  it('listSessions options: defaults, bounds, and each option read once', () => {
    expect(validateListSessionsOptions({ tenantId: 'acme' }, ctx)).toStrictEqual({
      filter: { tenantId: 'acme', userId: undefined, teamId: undefined },
      cursor: null,
      limit: 100,
    });
    let reads = 0;
    const opts = {
      get tenantId() {
        reads++;
        return reads === 1 ? 'acme' : 'other';
      },
      limit: 1000,
    };
    expect(validateListSessionsOptions(opts, ctx).filter.tenantId).toBe('acme');
    expect(reads).toBe(1);
    expect(
      invalid(() => validateListSessionsOptions({ tenantId: 'acme', limit: 0 }, ctx)).message,
    ).toContain('opts.limit');
    invalid(() => validateListSessionsOptions({ tenantId: 'acme', cursor: 'x'.repeat(2049) }, ctx));
    invalid(() => validateListSessionsOptions({ tenantId: 'acme', userId: 'u'.repeat(1025) }, ctx));
  });

  it('count and purge options: callbacks, signal and dryRun are checked', () => {
    const signal = new AbortController().signal;
    const onProgress = () => undefined;
    expect(
      validatePurgeSessionsOptions({ tenantId: 'a', dryRun: true, signal, onProgress }, ctx),
    ).toStrictEqual({
      filter: { tenantId: 'a', userId: undefined, teamId: undefined },
      onProgress,
      signal,
      dryRun: true,
    });
    expect(validateCountSessionsOptions({ tenantId: 'a' }, ctx).dryRun).toBe(false);
    invalid(() => validateCountSessionsOptions({ tenantId: 'a', dryRun: true }, ctx));
    invalid(() => validatePurgeSessionsOptions({ tenantId: 'a', signal: {} }, ctx));
    invalid(() => validatePurgeSessionsOptions({ tenantId: 'a', onProgress: 1 }, ctx));
  });

  it('a filter matches exactly, and an omitted field matches anything', () => {
    const f = validateListSessionsOptions({ tenantId: 't', userId: 'u' }, ctx).filter;
    expect(matchesSessionFilter(f, 't', 'u', null)).toBe(true);
    expect(matchesSessionFilter(f, 't', 'U', null)).toBe(false);
    expect(matchesSessionFilter(f, 't2', 'u', 'x')).toBe(false);
    expect(matchesSessionFilter(f, 't', null, null)).toBe(false);
  });

  it('a cursor decodes only for its scope and filter, and any change is refused', () => {
    const f = validateListSessionsOptions({ tenantId: 't' }, ctx).filter;
    const g = validateListSessionsOptions({ tenantId: 't', teamId: 'x' }, ctx).filter;
    const c = encodeSessionCursor('scope', f, ['a', 'b c', '']);
    expect(decodeSessionCursor(c, 'scope', f, 3, ctx)).toStrictEqual(['a', 'b c', '']);
    invalid(() => decodeSessionCursor(c, 'other', f, 3, ctx));
    invalid(() => decodeSessionCursor(c, 'scope', g, 3, ctx));
    invalid(() => decodeSessionCursor(c, 'scope', f, 2, ctx));
    for (let i = 0; i < c.length; i++) {
      const changed = c.slice(0, i) + (c[i] === '0' ? '1' : '0') + c.slice(i + 1);
      invalid(() => decodeSessionCursor(changed, 'scope', f, 3, ctx));
    }
  });

  it('hasSessionAdmin needs all three calls', () => {
    const fn = async () => undefined;
    expect(hasSessionAdmin({ listSessions: fn, countSessions: fn, purgeSessions: fn })).toBe(true);
    expect(hasSessionAdmin({ listSessions: fn, countSessions: fn })).toBe(false);
  });
});

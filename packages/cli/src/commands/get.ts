import type { SessionStore } from '@greentic/session-core';
import { CliError } from '../errors.js';
import type { CommandOutput } from './command.js';

/**
 * `get <key> [--tenant T]`: the live session stored under `key` and its cas.
 * With a tenant, a session of another tenant reads as missing (the store's fence).
 *
 * @param store - an open store
 * @param key - the session key
 * @param tenant - the tenant the session must belong to, if given
 * @throws CliError `not_found` when no live session is stored there (for that tenant);
 *   SessionError `invalid_input` for a malformed key or tenant
 */
export async function getCommand(
  store: SessionStore,
  key: string,
  tenant: string | undefined,
): Promise<CommandOutput> {
  const got = await store.get(key, tenant === undefined ? undefined : { tenantId: tenant });
  if (got === null) {
    throw new CliError(
      'not_found',
      `no session ${JSON.stringify(key)}${tenant === undefined ? '' : ` of tenant ${tenant}`}`,
    );
  }
  return {
    json: { cas: got.cas, session: got.session },
    text: `${JSON.stringify({ cas: got.cas, session: got.session }, null, 2)}\n`,
  };
}

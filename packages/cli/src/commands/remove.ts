import type { SessionStore } from '@greentic/session-core';
import { CliError } from '../errors.js';
import type { CommandOutput } from './command.js';

/**
 * `rm <key> --tenant T`: deletes one session of the tenant, through the
 * store's fenced delete (a session of another tenant is left alone and
 * reported as missing).
 *
 * @param store - an open store
 * @param key - the session key
 * @param tenant - the tenant that owns it
 * @throws CliError `not_found` when the tenant has no live session there;
 *   SessionError `invalid_input` for a malformed key or tenant
 */
export async function removeCommand(
  store: SessionStore,
  key: string,
  tenant: string,
): Promise<CommandOutput> {
  if (!(await store.delete(key, { tenantId: tenant }))) {
    throw new CliError('not_found', `no session ${JSON.stringify(key)} of tenant ${tenant}`);
  }
  return {
    json: { key, tenantId: tenant, deleted: true },
    text: `deleted ${key} (tenant ${tenant})\n`,
  };
}

import type { SessionStore } from '@greentic/session-core';
import { InMemorySessionStore } from '@greentic/session-memory';
import { RedisSessionStore } from '@greentic/session-redis';
import type { CommandOutput } from './command.js';

function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

/**
 * `check`: connects and reports what the store depends on. On Redis: every
 * master's address, version, `maxmemory-policy`, cluster state and `PING`
 * round trip, plus the warnings of `RedisSessionStore.ready()` (an eviction
 * policy other than `noeviction`, an old server). Warnings do not fail the
 * check; an unreachable server or a cluster that is not ok does.
 *
 * @param store - an open store
 * @param shownUrl - the URL without credentials
 * @throws SessionError `unavailable` | `timeout` from the server
 */
export async function checkCommand(store: SessionStore, shownUrl: string): Promise<CommandOutput> {
  if (store instanceof RedisSessionStore) {
    const info = await store.ready();
    const lines = [
      `url        ${shownUrl}`,
      `backend    @greentic/session-redis, ${info.mode}, namespace ${store.namespace}`,
      ...info.masters.map(
        (m) =>
          `master     ${m.address}  redis ${m.redisVersion}  maxmemory-policy ${m.maxmemoryPolicy}${m.clusterState === null ? '' : `  cluster_state ${m.clusterState}`}  ping ${ms(m.latencyMs)}`,
      ),
      ...info.warnings.map((w) => `warning    ${w}`),
      `status     ok${info.warnings.length === 0 ? '' : ` (${info.warnings.length} warning${info.warnings.length === 1 ? '' : 's'})`}`,
    ];
    return {
      json: {
        url: shownUrl,
        backend: '@greentic/session-redis',
        mode: info.mode,
        namespace: store.namespace,
        masters: info.masters,
        warnings: info.warnings,
      },
      text: `${lines.join('\n')}\n`,
    };
  }
  const memory = store instanceof InMemorySessionStore;
  const backend = memory ? '@greentic/session-memory' : store.constructor.name;
  const note = memory
    ? 'an in-process memory store: it starts empty in every process, nothing to check'
    : 'this backend offers no health check';
  return {
    json: { url: shownUrl, backend, warnings: [note] },
    text: `url        ${shownUrl}\nbackend    ${backend}\nwarning    ${note}\nstatus     ok\n`,
  };
}

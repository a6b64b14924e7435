/**
 * The script registry: registers each Lua script on the client under its
 * versioned name, and holds, per operation, the one function that builds its
 * arguments and the one that decodes its reply.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import type { UpdateCasResult } from '@greentic/session-core';
import { describeValue, type OpContext, sessionError } from '@greentic/session-core/backend';
import type { Cas, SessionError, SessionKey, SessionSnapshot } from '@greentic/session-types';
import { damaged, encodeTail, VALUE_FORMAT } from './codec.js';
import { trackedScript, tracksCommands } from './command.js';
import type { RedisClient } from './connection.js';
import { LUA_SCRIPTS } from './lua/scripts.generated.js';

type ScriptName = keyof typeof LUA_SCRIPTS;
type ScriptCommand = (...args: string[]) => Promise<unknown>;

/** The store's scripts, bound to one client. */
export type SessionScripts = Readonly<Record<ScriptName, ScriptCommand>>;

/**
 * Registers every script on `client` (ioredis `defineCommand`: EVALSHA, with
 * a fallback to EVAL on NOSCRIPT) and returns them bound to it.
 *
 * @param client - the ioredis client
 */
export function defineScripts(client: RedisClient): SessionScripts {
  const scripts = {} as Record<ScriptName, ScriptCommand>;
  for (const name of Object.keys(LUA_SCRIPTS) as ScriptName[]) {
    const { command, lua, numberOfKeys } = LUA_SCRIPTS[name];
    const target = client as unknown as Record<string, ScriptCommand | undefined>;
    if (typeof target[command] !== 'function') client.defineCommand(command, { lua, numberOfKeys });
    scripts[name] = (target[command] as ScriptCommand).bind(client);
  }
  return Object.freeze(scripts);
}

/** SHA-1 of each script's text, hex: what EVALSHA names it by. */
const SCRIPT_SHAS = Object.fromEntries(
  (Object.keys(LUA_SCRIPTS) as ScriptName[]).map((name) => [
    name,
    createHash('sha1').update(LUA_SCRIPTS[name].lua).digest('hex'),
  ]),
) as Readonly<Record<ScriptName, string>>;

/**
 * The scripts as the store runs them on its client: its own commands, which
 * report a command the connection dropped before writing it as never sent
 * (see `command.ts`), on a client of the store's ioredis copy without
 * auto-pipelining; else the commands {@link defineScripts} registers.
 *
 * @param client - the store's client
 * @param deadlineMs - a reply deadline for each run, where the client has no `commandTimeout`
 */
export function storeScripts(client: RedisClient, deadlineMs: number | undefined): SessionScripts {
  if (!tracksCommands(client)) return defineScripts(client);
  const scripts = {} as Record<ScriptName, ScriptCommand>;
  for (const name of Object.keys(LUA_SCRIPTS) as ScriptName[]) {
    const { lua, numberOfKeys } = LUA_SCRIPTS[name];
    scripts[name] = trackedScript(client, lua, SCRIPT_SHAS[name], numberOfKeys, deadlineMs);
  }
  return Object.freeze(scripts);
}

/** TTL in milliseconds, as the scripts take it ("0" = never expires). */
function ttlMs(ttlSecs: number): string {
  return String(ttlSecs * 1000);
}

/** Arguments of `put`: KEYS then ARGV, as put.lua documents them. */
export function putArgs(
  redisKey: string,
  snapshot: SessionSnapshot,
  updatedAtMs: number,
): string[] {
  return [
    redisKey,
    encodeTail(snapshot, updatedAtMs),
    snapshot.meta.tenantId,
    ttlMs(snapshot.ttlSecs),
  ];
}

/**
 * Arguments of `updateCas`, as update-cas.lua documents them. The value is
 * whole, with the cas a successful write gives (`expected + 1`), so the
 * script stores it as it is instead of building a copy.
 */
export function updateCasArgs(
  redisKey: string,
  snapshot: SessionSnapshot,
  updatedAtMs: number,
  expected: Cas,
): string[] {
  return [
    redisKey,
    `${VALUE_FORMAT}:${expected + 1}:${encodeTail(snapshot, updatedAtMs)}`,
    snapshot.meta.tenantId,
    ttlMs(snapshot.ttlSecs),
    snapshot.id,
    String(expected),
  ];
}

/** Arguments of `touch`, as touch.lua documents them. */
export function touchArgs(
  redisKey: string,
  tenantId: string | undefined,
  updatedAtMs: number,
  ttlSecs: number | null,
): string[] {
  return [redisKey, tenantId ?? '', String(updatedAtMs), ttlSecs === null ? '' : String(ttlSecs)];
}

/**
 * Arguments of `delete`, as delete.lua documents them.
 *
 * @param id - delete only this incarnation (a purge); omitted: any
 */
export function deleteArgs(redisKey: string, tenantId: string | undefined, id?: string): string[] {
  return [redisKey, tenantId ?? '', id ?? ''];
}

function isCas(value: unknown): value is Cas {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function unexpected(ctx: OpContext, reply: unknown): SessionError {
  return sessionError('internal', ctx, `unexpected reply from Redis: ${describeValue(reply)}`);
}

/** The error of a write to a key another tenant owns. */
export function tenantMismatch(ctx: OpContext, key: SessionKey, tenantId: string): SessionError {
  return sessionError(
    'tenant_mismatch',
    ctx,
    `key ${JSON.stringify(key)} belongs to another tenant than ${JSON.stringify(tenantId)}; nothing was written`,
  );
}

function codeReply(ctx: OpContext, reply: unknown): [number, unknown] {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') throw unexpected(ctx, reply);
  return [reply[0], reply[1]];
}

/** Decodes the reply of `put`: the new cas, or the error it stands for. */
export function decodePutReply(ctx: OpContext, reply: unknown, snapshot: SessionSnapshot): Cas {
  const [code, cas] = codeReply(ctx, reply);
  if (code === 1 && isCas(cas) && cas >= 1) return cas;
  if (code === -1) throw tenantMismatch(ctx, snapshot.key, snapshot.meta.tenantId);
  if (code === -2) throw damaged(ctx, snapshot.key, 'not a g1 session value; nothing was written');
  throw unexpected(ctx, reply);
}

/** Decodes the reply of `updateCas`. */
export function decodeUpdateCasReply(
  ctx: OpContext,
  reply: unknown,
  snapshot: SessionSnapshot,
  expected: Cas,
): UpdateCasResult {
  const [code, cas] = codeReply(ctx, reply);
  switch (code) {
    case 1:
      if (cas === expected + 1) return { ok: true, cas, session: snapshot };
      break;
    case 0:
      return { ok: false, current: 0, reason: 'missing' };
    case 2:
      if (isCas(cas)) return { ok: false, current: cas, reason: 'replaced' };
      break;
    case 3:
      if (isCas(cas)) return { ok: false, current: cas, reason: 'stale' };
      break;
    case -1:
      throw tenantMismatch(ctx, snapshot.key, snapshot.meta.tenantId);
    case -2:
      throw damaged(ctx, snapshot.key, 'not a g1 session value; nothing was written');
  }
  throw unexpected(ctx, reply);
}

/** Decodes the reply of `touch` and `delete`: whether a session was affected. */
export function decodeFlagReply(ctx: OpContext, reply: unknown, key: SessionKey): boolean {
  if (reply === 1) return true;
  if (reply === 0) return false;
  if (reply === -2) throw damaged(ctx, key, 'not a g1 session value');
  throw unexpected(ctx, reply);
}

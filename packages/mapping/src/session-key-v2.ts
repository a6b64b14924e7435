import { Buffer } from 'node:buffer';
import { SessionError, type SessionKey } from '@greentic/session-types';
import { keyPartText, mappingError, type SessionKeyPart, sha256HexUtf8 } from './key-part.js';

/** Version tag that starts every v2 preimage; changing it would move every key. */
export const SESSION_KEY_V2_TAG = 'greentic-session-key:v2';

const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The v2 preimage: the tag, then for the namespace and each part
 * `:<UTF-8 byte length in decimal>:<text>`. A reader can parse it back field by
 * field, so no two distinct inputs share a preimage (and hence, barring a
 * SHA-256 collision, a key). Internal (not re-exported); the README specifies
 * the format for ports to other languages.
 *
 * @param namespace - already validated namespace
 * @param texts - already validated part texts
 */
export function encodeSessionKeyV2(namespace: string, texts: readonly string[]): string {
  let out = SESSION_KEY_V2_TAG;
  for (const field of [namespace, ...texts]) {
    out += `:${Buffer.byteLength(field, 'utf8')}:${field}`;
  }
  return out;
}

function deriveV2(op: string, namespace: unknown, named: readonly [string, unknown][]): SessionKey {
  if (typeof namespace !== 'string' || !NAMESPACE_PATTERN.test(namespace)) {
    throw mappingError(
      op,
      'namespace must be 1..64 characters of a-z, 0-9, ".", "_", "-" starting with a letter or digit',
    );
  }
  const texts = named.map(([name, value]) => keyPartText(op, name, value));
  return sha256HexUtf8(encodeSessionKeyV2(namespace, texts));
}

/**
 * Unambiguous session key from a namespace and any number of parts, for new
 * code: every part is length-prefixed under a version tag (see the package
 * README for the exact format), so `['a:b', 'c']` and `['a', 'b:c']` get
 * different keys, unlike {@link telegramUpdateToSessionKey}. Parts are
 * ordered: `['a', 'b']` and `['b', 'a']` differ too.
 *
 * Not compatible with the Rust crate (it has no such function). Avoid secrets
 * and raw PII in the parts: pass stable, non-sensitive ids.
 *
 * @example
 * ```ts
 * sessionKeyFromParts('crm.contact', [tenantId, contactId]);
 * ```
 *
 * @param namespace - what the parts identify, 1..64 characters of
 *   `a-z 0-9 . _ -` (e.g. `telegram`, `webhook`, `crm.contact`)
 * @param parts - at least one non-empty string or safe integer; a number and
 *   its decimal string give the same key
 * @returns 64 lowercase hex characters, a valid `SessionKey`
 * @throws SessionError `invalid_input` naming the bad argument (e.g. `parts[1]`,
 *   a hole in a sparse array included), for more than 1024 parts, or when
 *   reading `parts` throws
 */
export function sessionKeyFromParts(
  namespace: string,
  parts: readonly SessionKeyPart[],
): SessionKey {
  const op = 'sessionKeyFromParts';
  const named = readParts(op, parts);
  return deriveV2(op, namespace, named);
}

/** Most parts {@link sessionKeyFromParts} accepts. */
export const MAX_SESSION_KEY_PARTS = 1024;

/**
 * Reads `parts` once: its length, then each index in order (a hole reads as
 * `undefined` and is rejected by name). A getter or Proxy trap that throws
 * gives `invalid_input`, never a raw error.
 */
function readParts(op: string, parts: unknown): [string, unknown][] {
  const read = <T>(get: () => T): T => {
    try {
      return get();
    } catch (err) {
      throw new SessionError(
        'invalid_input',
        `[@greentic/session-mapping] ${op}: parts could not be read: a getter or Proxy trap threw`,
        { cause: err },
      );
    }
  };
  if (!read(() => Array.isArray(parts))) throw mappingError(op, 'parts must be a non-empty array');
  const list = parts as readonly unknown[];
  const length: unknown = read(() => list.length);
  if (!(typeof length === 'number' && length >= 1))
    throw mappingError(op, 'parts must be a non-empty array');
  if (length > MAX_SESSION_KEY_PARTS) {
    throw mappingError(op, `parts must hold at most ${MAX_SESSION_KEY_PARTS} parts, got ${length}`);
  }
  const named: [string, unknown][] = [];
  for (let i = 0; i < length; i++) named.push([`parts[${i}]`, read(() => list[i])]);
  return named;
}

/**
 * Unambiguous session key of a Telegram conversation, for new code:
 * `sessionKeyFromParts('telegram', [botId, chatId, userId])`. Differs from
 * {@link telegramUpdateToSessionKey}; switching moves existing conversations
 * to new keys.
 *
 * @param botId - bot identifier (string, or safe integer formatted in decimal)
 * @param chatId - chat id; Telegram's are integers and may be negative
 * @param userId - user id
 * @returns 64 lowercase hex characters, a valid `SessionKey`
 * @throws SessionError `invalid_input` naming the bad argument
 */
export function telegramSessionKeyV2(
  botId: SessionKeyPart,
  chatId: SessionKeyPart,
  userId: SessionKeyPart,
): SessionKey {
  return deriveV2('telegramSessionKeyV2', 'telegram', [
    ['botId', botId],
    ['chatId', chatId],
    ['userId', userId],
  ]);
}

/**
 * Unambiguous session key of a webhook event, for new code:
 * `sessionKeyFromParts('webhook', [source, subject, idHint])`. Differs from
 * {@link webhookToSessionKey}; switching moves existing conversations to new keys.
 *
 * @param source - system that sent the webhook, e.g. `crm`
 * @param subject - kind of object, e.g. `ticket`
 * @param idHint - id of the object; may contain `:`
 * @returns 64 lowercase hex characters, a valid `SessionKey`
 * @throws SessionError `invalid_input` naming the bad argument
 */
export function webhookSessionKeyV2(
  source: SessionKeyPart,
  subject: SessionKeyPart,
  idHint: SessionKeyPart,
): SessionKey {
  return deriveV2('webhookSessionKeyV2', 'webhook', [
    ['source', source],
    ['subject', subject],
    ['idHint', idHint],
  ]);
}

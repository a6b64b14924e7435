import type { SessionKey } from '@greentic/session-types';
import { keyPartText, type SessionKeyPart, sha256HexUtf8 } from './key-part.js';

/**
 * Session key of a Telegram conversation, byte-identical to the Rust crate's
 * `greentic_session::mapping::telegram_update_to_session_key` (0.2): the
 * lowercase hex SHA-256 of the UTF-8 bytes of `tg:${botId}:${chatId}:${userId}`.
 * Use it when a Rust service and a TypeScript service must route the same
 * update to the same session.
 *
 * **Ambiguous:** the parts are joined with `:` unescaped, so different inputs
 * can share a key — `('a:b', 'c', 'x')` and `('a', 'b:c', 'x')` both hash
 * `tg:a:b:c:x`. Only safe when no id can contain `:` (Telegram's numeric ids
 * cannot). For new code without a Rust peer, prefer {@link telegramSessionKeyV2}.
 *
 * Avoid secrets and raw PII in the inputs: pass stable, non-sensitive ids.
 *
 * @example
 * ```ts
 * telegramUpdateToSessionKey(botId, update.message.chat.id, update.message.from.id);
 * ```
 *
 * @param botId - bot identifier (string, or safe integer formatted in decimal)
 * @param chatId - chat id; Telegram's are integers and may be negative
 * @param userId - user id
 * @returns 64 lowercase hex characters, a valid `SessionKey`
 * @throws SessionError `invalid_input` when an argument is not a string
 *   (without lone surrogates: a Rust `&str` cannot hold one) or a safe integer.
 *   Empty strings are accepted and hashed as the crate hashes them
 *   (`('', '', '')` hashes `tg:::`): a channel post has no sender, and Rust
 *   and TypeScript services must agree on its key. The v2 functions reject
 *   empty parts instead.
 */
export function telegramUpdateToSessionKey(
  botId: SessionKeyPart,
  chatId: SessionKeyPart,
  userId: SessionKeyPart,
): SessionKey {
  const op = 'telegramUpdateToSessionKey';
  const bot = keyPartText(op, 'botId', botId, true);
  const chat = keyPartText(op, 'chatId', chatId, true);
  const user = keyPartText(op, 'userId', userId, true);
  return sha256HexUtf8(`tg:${bot}:${chat}:${user}`);
}

/**
 * Session key of a generic webhook event, byte-identical to the Rust crate's
 * `greentic_session::mapping::webhook_to_session_key` (0.2): the lowercase hex
 * SHA-256 of the UTF-8 bytes of `wh:${source}:${subject}:${idHint}`.
 *
 * **Ambiguous:** `('crm:eu', 'ticket', '42')` and `('crm', 'eu:ticket', '42')`
 * share a key, as do `('a', 'b', 'c:d')` and `('a', 'b:c', 'd')`. Free-form
 * webhook ids often contain `:` (URNs, composite ids), so for new code prefer
 * {@link webhookSessionKeyV2}.
 *
 * Avoid secrets and raw PII in the inputs: pass stable, non-sensitive ids.
 *
 * @param source - system that sent the webhook, e.g. `crm`
 * @param subject - kind of object, e.g. `ticket`
 * @param idHint - id of the object
 * @returns 64 lowercase hex characters, a valid `SessionKey`
 * @throws SessionError `invalid_input` when an argument is not a string
 *   (without lone surrogates) or a safe integer; empty strings are accepted
 *   and hashed as the crate hashes them (`wh:::` for three empty parts)
 */
export function webhookToSessionKey(
  source: SessionKeyPart,
  subject: SessionKeyPart,
  idHint: SessionKeyPart,
): SessionKey {
  const op = 'webhookToSessionKey';
  const src = keyPartText(op, 'source', source, true);
  const subj = keyPartText(op, 'subject', subject, true);
  const id = keyPartText(op, 'idHint', idHint, true);
  return sha256HexUtf8(`wh:${src}:${subj}:${id}`);
}

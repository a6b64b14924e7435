export type { SessionKeyPart } from './key-part.js';
export { telegramUpdateToSessionKey, webhookToSessionKey } from './rust-compatible-keys.js';
export {
  MAX_SESSION_KEY_PARTS,
  sessionKeyFromParts,
  telegramSessionKeyV2,
  webhookSessionKeyV2,
} from './session-key-v2.js';

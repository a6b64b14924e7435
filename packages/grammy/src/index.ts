export { describeCall, isReadOnlyMethod, placeholderResult } from '@greentic/session-turn';
export { type SessionStorageOptions, sessionStorage } from './storage-adapter.js';
export {
  defaultGrammySessionKey,
  TurnSession,
  type TurnSessionOptions,
  turnSession,
} from './turn-session.js';

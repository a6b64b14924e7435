export { isReadOnlyMethod, placeholderResult } from './placeholder.js';
export { type SessionStorageOptions, sessionStorage } from './storage-adapter.js';
export {
  defaultGrammySessionKey,
  describeCall,
  TurnSession,
  type TurnSessionOptions,
  turnSession,
} from './turn-session.js';

export { isReadOnlyMethod, placeholderResult } from './placeholder.js';
export {
  type TelegrafSessionStore,
  type TelegrafSessionStoreOptions,
  telegrafSessionStore,
} from './session-store.js';
export {
  defaultTelegrafSessionKey,
  describeCall,
  TurnSession,
  type TurnSessionContext,
  type TurnSessionOptions,
  turnSession,
} from './turn-session.js';

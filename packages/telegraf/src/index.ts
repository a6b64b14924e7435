export { describeCall, isReadOnlyMethod, placeholderResult } from '@greentic/session-turn';
export {
  type TelegrafSessionStore,
  type TelegrafSessionStoreOptions,
  telegrafSessionStore,
} from './session-store.js';
export {
  defaultTelegrafSessionKey,
  TurnSession,
  type TurnSessionContext,
  type TurnSessionOptions,
  turnSession,
} from './turn-session.js';

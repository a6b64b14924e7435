export { type CreateIfAbsentOptions, createIfAbsent, writeSession } from './create-if-absent.js';
export {
  createTurnMiddleware,
  defineTurnSession,
  describeCall,
  readAdapterOptions,
  type TurnMiddlewareAdapter,
  type TurnMiddlewareFn,
  type TurnMiddlewareOptions,
} from './middleware.js';
export {
  type DataStorage,
  dataStorage,
  type ResolvedStorageOptions,
  readStorageOptions,
  type StorageOptions,
  type TenantTarget,
  tenantViewOf,
} from './store-options.js';
export { isReadOnlyMethod, placeholderResult } from './telegram.js';
export {
  createTurnRunner,
  type EffectPayload,
  type RunTurnOptions,
  type Turn,
  type TurnHandler,
  type TurnResult,
  type TurnRunner,
  type TurnRunnerOptions,
} from './turn-runner.js';
export {
  encodeEventId,
  MAX_EVENT_ID_LENGTH,
  nextTurnLabel,
  normalizeEventId,
  readTurnState,
  TURN_LABEL,
  type TurnLabel,
  type TurnState,
} from './turn-state.js';

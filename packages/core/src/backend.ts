// `@greentic/session-core/backend`: what a backend author needs to implement
// the `SessionStore` contract exactly like the first-party backends (the
// validation steps in their order, error builders, the tenant view) and to
// register with the factory. Applications use the main entry.
export {
  describeValue,
  invalidInput,
  type OpContext,
  readInput,
  sessionError,
} from './context.js';
export { registerSessionStoreBackend, type SessionStoreBackend } from './factory.js';
export { approxJsonBytes, frozenJsonCopy } from './json.js';
export { LISTENER_WARNING_TYPE, SessionEventEmitter } from './observe.js';
export {
  decodeSessionCursor,
  encodeSessionCursor,
  MAX_SESSION_CURSOR_LENGTH,
  matchesSessionFilter,
  SESSION_PAGE_LIMITS,
  sessionSummaryOf,
  type ValidatedListOptions,
  type ValidatedScanOptions,
  type ValidatedSessionFilter,
  validateCountSessionsOptions,
  validateListSessionsOptions,
  validatePurgeSessionsOptions,
} from './session-admin-options.js';
export { approxSessionBytes, expiresAtMs } from './session-helpers.js';
export {
  instrumentStore,
  type MutateObservation,
  OBSERVED_STORE_OPERATIONS,
  observerOf,
  STORE_OBSERVER,
  StoreObserver,
  type StoreObserverOptions,
} from './store-observer.js';
export {
  type CounterLike,
  type HistogramLike,
  type Instruments,
  loadOtelApi,
  type MeterLike,
  type ObservableLike,
  type ObservableResultLike,
  type OtelApi,
  type SpanLike,
  Telemetry,
  type TelemetryAttributes,
  type TracerLike,
} from './telemetry.js';
export { createTenantView } from './tenant-view.js';
export {
  assertTenantFence,
  isIsoUtcTimestamp,
  isValidatedOutboxEntry,
  type PreviousSnapshotLookup,
  prepareSessionWrite,
  readOptions,
  resolveSessionLimits,
  validateCas,
  validateCount,
  validateSessionKey,
  validateTenantId,
  validateTenantOptions,
  validateText,
  validateTouchTtl,
  validateTtlSecs,
} from './validate.js';

// The application API. Plumbing for backend authors (validation steps,
// error builders, the tenant view, backend registration) is in
// `@greentic/session-core/backend` (src/backend.ts).
export {
  type CreateSessionStoreOptions,
  createSessionStore,
  registeredSessionStoreSchemes,
} from './factory.js';
export { mutableJsonCopy } from './json.js';
export * from './model.js';
export { type MutateOptions, type MutateResult, mutate, type SessionMutation } from './mutate.js';
export type {
  SessionConflictEvent,
  SessionConnectEvent,
  SessionDisconnectEvent,
  SessionErrorEvent,
  SessionEventSource,
  SessionExpiredEvent,
  SessionOperationName,
  SessionRetryEvent,
  SessionStoreEventMap,
  SessionStoreEventName,
  SessionStoreListener,
} from './observe.js';
export {
  type CountSessionsOptions,
  hasSessionAdmin,
  type ListSessionsOptions,
  type PurgeSessionsOptions,
  type PurgeSessionsResult,
  type SessionAdmin,
  type SessionFilter,
  type SessionPage,
  type SessionScanProgress,
  type SessionSummary,
} from './session-admin.js';
export {
  appendOutbox,
  type CreateSessionInput,
  createOutboxEntry,
  createSession,
  sha256Hex,
} from './session-helpers.js';
export type {
  SessionInput,
  SessionStore,
  TenantSessionStore,
  UpdateCasConflictReason,
  UpdateCasResult,
} from './session-store.js';
export type {
  MeterProviderLike,
  SessionTelemetryOptions,
  TracerProviderLike,
} from './telemetry.js';
export { isValidSession, parseSession, type TenantOptions } from './validate.js';

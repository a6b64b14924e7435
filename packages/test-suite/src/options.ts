import type { SessionStore } from '@greentic/session-core';

/** What a backend tells the suite about itself. */
export interface SessionStoreCapabilities {
  /**
   * `'fake'`: the store reads `Date.now()` and the test file installs vitest
   * fake timers for `Date`, so TTL tests run instantly. `'real'`: expiry is
   * enforced by a server (Redis), so TTL tests wait real seconds.
   */
  clock: 'fake' | 'real';
  /** Lets `ms` milliseconds pass for the store (fake: advance timers; real: sleep). */
  advanceTime(ms: number): Promise<void>;
}

/** Options of {@link describeSessionStore}. */
export interface DescribeSessionStoreOptions {
  /** Name of the backend, used as the describe title. */
  name: string;
  /** Returns a fresh, empty-looking store; called once per test, closed by the suite. */
  createStore(): SessionStore | Promise<SessionStore>;
  /** Clock model of the backend. */
  capabilities: SessionStoreCapabilities;
  /** Writers in the concurrency tests. @default 50 */
  concurrentWriters?: number;
}

/** What each group of tests receives. */
export interface SuiteContext {
  /** Opens a store for the current test; closed after it. */
  open(): Promise<SessionStore>;
  readonly capabilities: SessionStoreCapabilities;
  readonly concurrentWriters: number;
}

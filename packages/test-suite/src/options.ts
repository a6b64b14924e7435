import type { SessionStore } from '@greentic/session-core';
import type { SessionLimits } from '@greentic/session-types';

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
  /**
   * The shortest TTL, in seconds, the backend honours exactly (a store whose
   * expiry runs once a minute says 60). The TTL group scales its TTLs and
   * waits by it. @default 1
   */
  minTtlSecs?: number;
}

/** The groups of the suite, each usable alone or left out with `skip`. */
export type SuiteGroup =
  | 'basic'
  | 'cas'
  | 'outbox'
  | 'data'
  | 'ttl'
  | 'tenant'
  | 'concurrency'
  | 'badInput'
  | 'hostileInput'
  | 'fuzz'
  /** The operator calls (`SessionAdmin`: list, count, purge); the store must implement them. */
  | 'admin';

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
  /**
   * Groups to leave out, for a backend that cannot run them here (a TTL
   * group that would wait minutes on a real clock, say). Say why in the
   * backend's README: a store that skips a group does not claim its behaviour.
   */
  skip?: readonly SuiteGroup[];
  /**
   * Returns a fresh store with the given size limits (the backend's `limits`
   * option). When omitted, the tests of per-store limits are skipped; the
   * default limits are tested either way.
   */
  createStoreWithLimits?(limits: Partial<SessionLimits>): SessionStore | Promise<SessionStore>;
  /**
   * Runs of each property of the fuzz group; 0 leaves the group out.
   * @default the FUZZ_RUNS environment variable, else 200
   */
  fuzzRuns?: number;
}

/** What each group of tests receives. */
export interface SuiteContext {
  /** Opens a store for the current test; closed after it. */
  open(): Promise<SessionStore>;
  /** Opens a store with these limits, closed after the test; undefined when the backend gave no way. */
  readonly openWithLimits: ((limits: Partial<SessionLimits>) => Promise<SessionStore>) | undefined;
  /** Runs of each fuzz property (0: no fuzz group). */
  readonly fuzzRuns: number;
  readonly capabilities: SessionStoreCapabilities;
  readonly concurrentWriters: number;
}

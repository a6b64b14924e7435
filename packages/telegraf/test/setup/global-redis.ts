// One standalone Redis for this package's tests (installed when missing; never skipped).
export { setup, teardown } from '@greentic/redis-test-server/vitest-standalone';

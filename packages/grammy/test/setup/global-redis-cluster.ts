// A 3-master Redis Cluster for the concurrency tests (installed when missing; never skipped).
export { setup, teardown } from '@greentic/redis-test-server/vitest-cluster';

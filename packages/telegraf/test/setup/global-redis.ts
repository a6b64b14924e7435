// Standalone Redis and a 3-master cluster for the tests (see tools/redis-test-server).
export { setup, teardown } from '@greentic/redis-test-server/vitest-cluster';

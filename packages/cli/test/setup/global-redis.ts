// Standalone server and 3-master cluster, shared with the other Redis test packages.
export { setup, teardown } from '@greentic/redis-test-server/vitest-cluster';

import { packageTestConfig } from '../vitest.shared.ts';

// The smoke test runs every suite with tiny iteration counts; coverage of
// benchmark code would measure nothing useful, so it is off here.
export default packageTestConfig({
  include: ['test/**/*.test.ts'],
  coverage: { enabled: false },
  testTimeout: 120_000,
  hookTimeout: 60_000,
});

export { CLI_NAME, runCli } from './cli.js';
export { checkCommand } from './commands/check.js';
export {
  type CommandOutput,
  describeFilter,
  type FilterOptions,
  type ProgressOptions,
  requireAdmin,
  toFilter,
} from './commands/command.js';
export { countCommand } from './commands/count.js';
export { getCommand } from './commands/get.js';
export { type ListOptions, listCommand } from './commands/list.js';
export { type PurgeOptions, purgeCommand } from './commands/purge.js';
export { removeCommand } from './commands/remove.js';
export { confirm } from './confirm.js';
export {
  CliError,
  type CliErrorCode,
  describeFailure,
  EXIT_CODES,
  type ExitCode,
  type FailureReport,
} from './errors.js';
export {
  type CliInput,
  type CliIo,
  type CliOutput,
  scrubbed,
  URL_ENV,
  urlSecrets,
} from './io.js';
export {
  createProgress,
  formatCount,
  PROGRESS_REDRAW_MS,
  type ProgressReporter,
} from './progress.js';
export {
  openStore,
  resolveStoreTarget,
  type StoreOptions,
  type StoreTarget,
} from './store-url.js';
export { terminalSafe } from './terminal-text.js';

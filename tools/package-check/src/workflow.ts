import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** A step of a GitHub Actions job, as far as these checks read it. */
export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: string;
}

/** A job of a GitHub Actions workflow. */
export interface WorkflowJob {
  'runs-on'?: string;
  permissions?: Record<string, string> | string;
  services?: Record<string, { image?: string; ports?: string[] }>;
  env?: Record<string, unknown>;
  steps?: WorkflowStep[];
  [field: string]: unknown;
}

/** A parsed workflow file. */
export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: Record<string, string> | string;
  env?: Record<string, unknown>;
  concurrency?: unknown;
  jobs: Record<string, WorkflowJob>;
}

/**
 * Parses a workflow file with the `yaml` package (YAML 1.2, so `on:` stays a
 * string key).
 *
 * @throws Error when the file is not YAML or has no `jobs`
 */
export function readWorkflow(path: string): Workflow {
  const doc = parse(readFileSync(path, 'utf8')) as Workflow | null;
  if (doc === null || typeof doc !== 'object' || typeof doc.jobs !== 'object') {
    throw new Error(`${path}: not a workflow with jobs`);
  }
  return doc;
}

/** The steps of a job that use an action, matched by name before the `@`. */
export function stepsUsing(job: WorkflowJob, action: string): WorkflowStep[] {
  return (job.steps ?? []).filter((step) => step.uses?.split('@')[0] === action);
}

/** Every `run:` script of a job, joined by newlines. */
export function runScripts(job: WorkflowJob): string {
  return (job.steps ?? [])
    .map((step) => step.run ?? '')
    .filter((run) => run !== '')
    .join('\n');
}

/**
 * `uses:` references that are not pinned to a release: no `@`, or a branch
 * such as `@main`. A major tag (`@v4`) or a commit SHA counts as pinned.
 */
export function unpinnedActions(workflow: Workflow): string[] {
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps ?? [])
    .map((step) => step.uses)
    .filter((uses): uses is string => uses !== undefined && !uses.startsWith('./'))
    .filter((uses) => !/@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(uses));
}

/**
 * Scripts invoked as `pnpm <name>` or `pnpm run <name>` in `run:` lines that
 * the root package.json does not define (pnpm's own commands excluded).
 */
export function unknownPnpmScripts(workflow: Workflow, scripts: Record<string, string>): string[] {
  const builtins = new Set(['install', 'i', 'add', 'exec', 'dlx', 'turbo', 'store', 'pack']);
  const missing = new Set<string>();
  for (const job of Object.values(workflow.jobs)) {
    for (const match of runScripts(job).matchAll(
      /(?:^|[\s;&|])pnpm\s+(?:run\s+)?([a-z][\w:-]*)/g,
    )) {
      const name = match[1] as string;
      if (!builtins.has(name) && scripts[name] === undefined) missing.add(name);
    }
  }
  return [...missing];
}

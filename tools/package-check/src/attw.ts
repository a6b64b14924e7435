/** One problem as `attw --format json` reports it. */
export interface AttwProblem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
  [field: string]: unknown;
}

/** Resolutions the `esm-only` profile does not judge: CommonJS and node10 consumers. */
export const ESM_ONLY_IGNORED_RESOLUTIONS: readonly string[] = ['node10', 'node16-cjs'];

/**
 * The problems of an `attw --format json` report that count under
 * `--profile esm-only`. The JSON lists every problem, including those the
 * profile ignores (an ESM-only package always "fails" for `require`).
 *
 * @throws Error when the report has no `analysis.problems` array
 */
export function esmOnlyProblems(report: unknown): AttwProblem[] {
  const problems = (report as { analysis?: { problems?: unknown } } | null)?.analysis?.problems;
  if (!Array.isArray(problems)) throw new Error('attw report has no analysis.problems array');
  return (problems as AttwProblem[]).filter(
    (problem) =>
      problem.resolutionKind === undefined ||
      !ESM_ONLY_IGNORED_RESOLUTIONS.includes(problem.resolutionKind),
  );
}

/** One problem as `attw --format json` reports it. */
export interface AttwProblem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
  [field: string]: unknown;
}

/** Resolutions the `node16` profile does not judge: node10 (no `exports` support). */
export const NODE16_IGNORED_RESOLUTIONS: readonly string[] = ['node10'];

/**
 * Problem kinds we accept under `node16`, with the reason:
 *
 * - `CJSResolvesToESM`: our packages are ESM only, and `require()` of ESM
 *   works without a flag since Node 20.19 / 22.12 (`require(esm)`). attw
 *   0.18 does not model that yet (arethetypeswrong issue 252) and flags every
 *   ESM-only package. That `require()` really works is proven by the install
 *   smoke test, which runs CommonJS consumers against the packed tarballs.
 *   The CLI name of this rule is `cjs-resolves-to-esm`.
 */
export const NODE16_ACCEPTED_KINDS: readonly string[] = ['CJSResolvesToESM'];

/** The `--ignore-rules` names matching {@link NODE16_ACCEPTED_KINDS}, for the attw CLI. */
export const NODE16_IGNORED_RULES: readonly string[] = ['cjs-resolves-to-esm'];

/**
 * The problems of an `attw --format json` report that count under
 * `--profile node16 --ignore-rules cjs-resolves-to-esm`. The JSON lists every
 * problem, including those the profile and the rule list leave out.
 *
 * @throws Error when the report has no `analysis.problems` array
 */
export function node16Problems(report: unknown): AttwProblem[] {
  const problems = (report as { analysis?: { problems?: unknown } } | null)?.analysis?.problems;
  if (!Array.isArray(problems)) throw new Error('attw report has no analysis.problems array');
  return (problems as AttwProblem[]).filter(
    (problem) =>
      !NODE16_ACCEPTED_KINDS.includes(problem.kind) &&
      (problem.resolutionKind === undefined ||
        !NODE16_IGNORED_RESOLUTIONS.includes(problem.resolutionKind)),
  );
}

/**
 * Objects this copy of core produced by validating and deeply freezing its
 * input. A frozen object cannot change, so once validated it stays valid: a
 * write that passes back parts of a stored snapshot (the usual
 * get → spread → updateCas) skips re-validating and re-copying them, and
 * pays only for what changed. Internal: not exported from the package.
 */
const trusted = new WeakSet<object>();

/** Whether `value` is a validated, deeply frozen object from this module. */
export function isTrusted(value: unknown): boolean {
  return typeof value === 'object' && value !== null && trusted.has(value);
}

/** Records a validated, deeply frozen object and returns it. */
export function trust<T extends object>(value: T): T {
  trusted.add(value);
  return value;
}

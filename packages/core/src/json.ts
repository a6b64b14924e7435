import { Buffer } from 'node:buffer';
import { type JsonValue, SESSION_LIMITS, type SessionLimits } from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext, readInput } from './context.js';

/** Counts what a copy has taken so far, so an oversized input is rejected early. */
interface Budget {
  /** Object keys plus array elements copied so far. */
  values: number;
  /** UTF-16 code units of every key and string copied so far. */
  units: number;
  readonly maxValues: number;
  readonly maxBytes: number;
  /** What the values are called in messages (`label values`, `data values`). */
  readonly noun: string;
}

const UNBOUNDED = { maxLabelValues: Infinity, maxLabelsBytes: Infinity } as const;

/**
 * Validates that `value` is plain JSON and returns a deeply frozen copy of it.
 * Rejects `undefined`, functions, symbols, bigints, non-finite numbers, class
 * instances, cycles and nesting deeper than `SESSION_LIMITS.maxLabelDepth`.
 * `-0` becomes `0` (JSON has no negative zero). Each property of the input is
 * read exactly once; a getter or Proxy trap that throws gives `invalid_input`.
 *
 * @param value - candidate JSON value
 * @param path - field name used in error messages
 * @param ctx - operation context for errors
 * @param limits - `maxLabelValues` and `maxLabelsBytes` to enforce on the
 *   value @default no size limit (depth is always limited)
 * @throws SessionError `invalid_input` naming the offending path
 */
export function frozenJsonCopy(
  value: unknown,
  path: string,
  ctx: OpContext,
  limits: Pick<SessionLimits, 'maxLabelValues' | 'maxLabelsBytes'> = UNBOUNDED,
): JsonValue {
  return readInput(ctx, path, () => {
    const budget = newBudget(limits);
    const out = copy(value, path, ctx, 0, budget);
    checkBytes(out, budget, path, ctx);
    return out;
  });
}

function newBudget(
  limits: Pick<SessionLimits, 'maxLabelValues' | 'maxLabelsBytes'>,
  noun = 'label values',
): Budget {
  return {
    values: 0,
    units: 0,
    maxValues: limits.maxLabelValues,
    maxBytes: limits.maxLabelsBytes,
    noun,
  };
}

function addUnits(units: number, budget: Budget, path: string, ctx: OpContext): void {
  budget.units += units;
  // A UTF-16 code unit is at least one UTF-8 byte of the JSON text, so the
  // running sum is a lower bound of the final size: over it, reject at once.
  if (budget.units > budget.maxBytes) {
    throw invalidInput(ctx, `${path} exceeds the limit of ${budget.maxBytes} bytes of JSON`);
  }
}

function addValues(count: number, budget: Budget, path: string, ctx: OpContext): void {
  // `!(… <= …)` also rejects a NaN length a Proxy may report.
  if (!(count >= 0 && budget.values + count <= budget.maxValues)) {
    throw invalidInput(
      ctx,
      `${path} exceeds the limit of ${budget.maxValues} ${budget.noun} (object keys and array elements)`,
    );
  }
  budget.values += count;
}

// Upper bound of the JSON bytes a value adds besides its string contents: a
// number (at most 24 characters), key quotes, colon, comma, brackets.
const MAX_OVERHEAD_PER_VALUE = 32;
// A UTF-16 code unit takes at most 6 bytes in JSON text (`\uXXXX`).
const MAX_BYTES_PER_UNIT = 6;

// What {@link approxJsonBytes} counts for each value besides string contents.
const APPROX_BYTES_PER_VALUE = 8;

/** Approximate JSON size of the large deep-frozen copies made here, by identity. */
const APPROX_SIZES = new WeakMap<object, number>();

// Smaller copies are measured again when asked (a walk of under ~1 µs):
// remembering every copy would cost each write a WeakMap entry.
const REMEMBER_SIZE_FROM_BYTES = 1024;

/** Remembers the approximate size of a large fresh copy from the budget its copy filled. */
function noteApproxSize(out: JsonValue, budget: Budget): void {
  const size = budget.units + (budget.values + 1) * APPROX_BYTES_PER_VALUE;
  if (size >= REMEMBER_SIZE_FROM_BYTES && typeof out === 'object' && out !== null) {
    APPROX_SIZES.set(out, size);
  }
}

/**
 * About how many bytes of JSON text `value` is: the UTF-16 length of its
 * strings and keys plus 8 bytes per value (a number, punctuation). Within a
 * small factor of the real UTF-8 size for ordinary data, and a stable
 * measure of what a cache of such values holds (their heap is typically 1
 * to 4 times as much: more for many tiny values). Known at no cost for the
 * large `data` and labels copies core validated (a store's snapshot parts,
 * frozen all the way down); any other value is walked each time.
 *
 * @param value - plain JSON (frozen or not), at most `SESSION_LIMITS.maxLabelDepth` levels
 *   deep: a stored value, not untrusted input
 */
export function approxJsonBytes(value: unknown): number {
  if (typeof value !== 'object' || value === null) {
    return (typeof value === 'string' ? value.length : 0) + APPROX_BYTES_PER_VALUE;
  }
  const known = APPROX_SIZES.get(value);
  if (known !== undefined) return known;
  const tally = { units: 0, values: 0 };
  measure(value, tally);
  return tally.units + (tally.values + 1) * APPROX_BYTES_PER_VALUE;
}

function measure(value: unknown, tally: { units: number; values: number }): void {
  if (typeof value === 'string') tally.units += value.length;
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    tally.values += value.length;
    for (const v of value) measure(v, tally);
    return;
  }
  for (const k of Object.keys(value)) {
    tally.values++;
    tally.units += k.length;
    measure((value as Record<string, unknown>)[k], tally);
  }
}

/** Exact check of the UTF-8 size of the copy, skipped when a bound proves it fits. */
function checkBytes(out: JsonValue, budget: Budget, path: string, ctx: OpContext): void {
  const bound = budget.units * MAX_BYTES_PER_UNIT + (budget.values + 1) * MAX_OVERHEAD_PER_VALUE;
  if (bound <= budget.maxBytes) return;
  const bytes = Buffer.byteLength(JSON.stringify(out), 'utf8');
  if (bytes > budget.maxBytes) {
    throw invalidInput(
      ctx,
      `${path} is ${bytes} bytes of JSON, over the limit of ${budget.maxBytes}`,
    );
  }
}

function copy(
  value: unknown,
  path: string,
  ctx: OpContext,
  depth: number,
  budget: Budget,
): JsonValue {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    addUnits(value.length, budget, path, ctx);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw invalidInput(ctx, `${path} must be a finite number, got ${value}`);
    // -0 + 0 is +0: JSON (and so every other backend) has no negative zero.
    return value + 0;
  }
  if (typeof value !== 'object') {
    throw invalidInput(ctx, `${path} must be a JSON value, got ${describeValue(value)}`);
  }
  if (depth >= SESSION_LIMITS.maxLabelDepth) {
    throw invalidInput(ctx, `${path} nests deeper than ${SESSION_LIMITS.maxLabelDepth} levels`);
  }
  if (Array.isArray(value)) {
    const length: unknown = value.length;
    addValues(length as number, budget, path, ctx);
    const out: JsonValue[] = [];
    for (let i = 0; i < (length as number); i++) {
      // Holes read as undefined and are rejected like any undefined element.
      out.push(copy(value[i], `${path}[${i}]`, ctx, depth + 1, budget));
    }
    return Object.freeze(out) as JsonValue;
  }
  return Object.freeze(copyPlainObject(value, path, ctx, depth, budget)) as JsonValue;
}

/** `Map`, `Date`, … for messages; never lets a hostile prototype throw. */
export function prototypeName(proto: unknown): string {
  try {
    const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,40}$/.test(name) ? name : 'an object';
  } catch {
    return 'an object';
  }
}

function copyPlainObject(
  value: object,
  path: string,
  ctx: OpContext,
  depth: number,
  budget: Budget,
): { [key: string]: JsonValue } {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw invalidInput(ctx, `${path} must be a plain object, got ${prototypeName(proto)}`);
  }
  const keys = Object.keys(value);
  addValues(keys.length, budget, path, ctx);
  const out: { [key: string]: JsonValue } = {};
  for (const k of keys) {
    addUnits(k.length, budget, path, ctx);
    const v = copy((value as Record<string, unknown>)[k], `${path}.${k}`, ctx, depth + 1, budget);
    // `out[k] = v` with k === '__proto__' would replace the prototype instead.
    if (k === '__proto__')
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = v;
  }
  return out;
}

/**
 * Validates a labels record (a plain object of JSON values) and returns a
 * deeply frozen copy, enforcing `maxLabelValues` while copying and
 * `maxLabelsBytes` (UTF-8 bytes of its JSON text) before returning. Each
 * property is read once; throwing getters and Proxy traps give `invalid_input`.
 *
 * @param value - candidate labels
 * @param path - field name used in error messages
 * @param ctx - operation context for errors
 * @param limits - the store's limits
 * @throws SessionError `invalid_input`
 */
export function frozenLabelsCopy(
  value: unknown,
  path: string,
  ctx: OpContext,
  limits: Pick<SessionLimits, 'maxLabelValues' | 'maxLabelsBytes'>,
): Record<string, JsonValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput(
      ctx,
      `${path} must be an object of JSON values, got ${describeValue(value)}`,
    );
  }
  const budget = newBudget(limits);
  const out = Object.freeze(copyPlainObject(value, path, ctx, 0, budget));
  checkBytes(out, budget, path, ctx);
  noteApproxSize(out, budget);
  return out;
}

/**
 * Validates the `data` of a session (any JSON value, nested like a label
 * value: containers at most `SESSION_LIMITS.maxLabelDepth - 1` levels deep)
 * and returns a deeply frozen copy, enforcing `maxDataValues` while copying
 * and `maxDataBytes` before returning, like {@link frozenLabelsCopy}.
 *
 * @param value - candidate data
 * @param path - field name used in error messages
 * @param ctx - operation context for errors
 * @param limits - the store's limits
 * @throws SessionError `invalid_input` naming the offending path
 */
export function frozenDataCopy(
  value: unknown,
  path: string,
  ctx: OpContext,
  limits: Pick<SessionLimits, 'maxDataValues' | 'maxDataBytes'>,
): JsonValue {
  const budget = newBudget(
    { maxLabelValues: limits.maxDataValues, maxLabelsBytes: limits.maxDataBytes },
    'data values',
  );
  const out = copy(value, path, ctx, 1, budget);
  checkBytes(out, budget, path, ctx);
  noteApproxSize(out, budget);
  return out;
}

/**
 * A mutable deep copy of JSON a store returned (a snapshot's `data` or a
 * label value: validated, deeply frozen), for a framework or handler that
 * changes what it reads. Several times cheaper than `structuredClone` on such
 * values. Keys named `__proto__` stay own data properties.
 *
 * @param value - plain JSON: plain objects, arrays, strings, finite numbers,
 *   booleans and null, at most `SESSION_LIMITS.maxLabelDepth` levels deep
 * @param ctx - operation context for errors @default core's own (`mutableJsonCopy`)
 * @param path - what `value` is called in messages @default 'data'
 * @throws SessionError `invalid_input` when `value` holds anything else (a
 *   class instance, a function, `undefined`, a non-finite number) or nests
 *   deeper (a cycle does); a getter or Proxy trap that throws gives it too
 * @example
 * ```ts
 * const got = await store.get(key);
 * const draft = mutableJsonCopy(got.session.data) as { count: number };
 * draft.count += 1;
 * ```
 */
export function mutableJsonCopy(
  value: unknown,
  ctx: OpContext = COPY_CTX,
  path = 'data',
): JsonValue {
  return readInput(ctx, path, () => thaw(value, path, ctx, 0));
}

const COPY_CTX: OpContext = { pkg: '@greentic/session-core', op: 'mutableJsonCopy' };

function thaw(value: unknown, path: string, ctx: OpContext, depth: number): JsonValue {
  if (typeof value !== 'object') {
    if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      return value;
    }
    throw notPlainJson(value, path, ctx);
  }
  if (value === null) return null;
  if (depth >= SESSION_LIMITS.maxLabelDepth) {
    throw invalidInput(ctx, `${path} nests deeper than ${SESSION_LIMITS.maxLabelDepth} levels`);
  }
  if (Array.isArray(value)) {
    const length = value.length;
    const out: JsonValue[] = [];
    for (let i = 0; i < length; i++) out.push(thaw(value[i], path, ctx, depth + 1));
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw invalidInput(ctx, `${path} must be plain JSON, found ${prototypeName(proto)}`);
  }
  const out: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(value)) {
    const v = thaw((value as Record<string, unknown>)[k], path, ctx, depth + 1);
    // `out[k] = v` with k === '__proto__' would replace the prototype instead.
    if (k === '__proto__') {
      Object.defineProperty(out, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[k] = v;
  }
  return out;
}

function notPlainJson(value: unknown, path: string, ctx: OpContext) {
  return invalidInput(
    ctx,
    `${path} must be plain JSON (objects, arrays, strings, finite numbers, booleans, null), found ${describeValue(value)}`,
  );
}

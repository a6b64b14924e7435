import { type JsonValue, SESSION_LIMITS } from '@greentic/session-types';
import { describeValue, invalidInput, type OpContext } from './context.js';

/**
 * Validates that `value` is plain JSON and returns a deeply frozen copy of it.
 * Rejects `undefined`, functions, symbols, bigints, non-finite numbers, class
 * instances, cycles and nesting deeper than `SESSION_LIMITS.maxLabelDepth`.
 *
 * @param value - candidate JSON value
 * @param path - field name used in error messages
 * @param ctx - operation context for errors
 * @throws SessionError `invalid_input` naming the offending path
 */
export function frozenJsonCopy(value: unknown, path: string, ctx: OpContext): JsonValue {
  return copy(value, path, ctx, 0);
}

function copy(value: unknown, path: string, ctx: OpContext, depth: number): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw invalidInput(ctx, `${path} must be a finite number, got ${value}`);
    return value;
  }
  if (typeof value !== 'object') {
    throw invalidInput(ctx, `${path} must be a JSON value, got ${describeValue(value)}`);
  }
  if (depth >= SESSION_LIMITS.maxLabelDepth) {
    throw invalidInput(ctx, `${path} nests deeper than ${SESSION_LIMITS.maxLabelDepth} levels`);
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      // Holes read as undefined and are rejected like any undefined element.
      out[i] = copy(value[i], `${path}[${i}]`, ctx, depth + 1);
    }
    return Object.freeze(out) as JsonValue;
  }
  return Object.freeze(copyPlainObject(value, path, ctx, depth)) as JsonValue;
}

function copyPlainObject(
  value: object,
  path: string,
  ctx: OpContext,
  depth: number,
): { [key: string]: JsonValue } {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw invalidInput(
      ctx,
      `${path} must be a plain object, got ${proto?.constructor?.name ?? 'an object'}`,
    );
  }
  const out: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(value)) {
    const v = copy((value as Record<string, unknown>)[k], `${path}.${k}`, ctx, depth + 1);
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
 * deeply frozen copy.
 *
 * @throws SessionError `invalid_input`
 */
export function frozenLabelsCopy(
  value: unknown,
  path: string,
  ctx: OpContext,
): Record<string, JsonValue> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidInput(
      ctx,
      `${path} must be an object of JSON values, got ${describeValue(value)}`,
    );
  }
  return Object.freeze(copyPlainObject(value, path, ctx, 0));
}

/**
 * Validates the `data` of a session (any JSON value, nested like a label
 * value: containers at most `SESSION_LIMITS.maxLabelDepth - 1` levels deep)
 * and returns a deeply frozen copy.
 *
 * @throws SessionError `invalid_input` naming the offending path
 */
export function frozenDataCopy(value: unknown, path: string, ctx: OpContext): JsonValue {
  return copy(value, path, ctx, 1);
}

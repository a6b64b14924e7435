import { fc } from '@fast-check/vitest';
import { SESSION_LIMITS } from '@greentic/session-types';

// Generators for the agreement tests: valid sessions, a pool of interesting
// replacement values, and mutations that turn a valid session into a mostly
// invalid one (wrong types, bad patterns, boundaries, extra/missing fields...).

const KEY_CHARS = [...Array(0x7e - 0x21 + 1)]
  .map((_, i) => String.fromCharCode(0x21 + i))
  .filter((c) => c !== '{' && c !== '}');
const TENANT_FIRST = [...'ABCXYZabcxyz0189'];
const TENANT_REST = [...TENANT_FIRST, '.', '_', '-'];

const text = (minLength: number) =>
  fc
    .oneof(
      fc.string({ minLength, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength, maxLength: 40 }),
      fc.string({ unit: 'grapheme', minLength, maxLength: 20 }),
    )
    .filter((s) => s.length >= minLength && s.length <= SESSION_LIMITS.maxTextLength);

/** An ISO UTC timestamp core accepts: 0–9 fraction digits, years 0000–9999. */
export const validTimestamp = fc
  .tuple(
    fc.date({
      min: new Date('0000-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    }),
    fc.integer({ min: 0, max: 9 }),
    fc.nat(),
  )
  .map(([d, digits, extra]) => {
    const base = d.toISOString().slice(0, 19);
    const frac = `${d.toISOString().slice(20, 23)}${String(extra).padStart(6, '0')}`.slice(
      0,
      digits,
    );
    return `${base}${digits === 0 ? '' : `.${frac}`}Z`;
  });

/** Nested containers `depth` levels deep, ending in a scalar. */
export function nest(depth: number, useArrays: boolean): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = useArrays && i % 2 === 0 ? [value] : { n: value };
  return value;
}

const labels = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
  fc
    .tuple(fc.integer({ min: 29, max: SESSION_LIMITS.maxLabelDepth - 1 }), fc.boolean())
    .map(([depth, arrays]) => ({ deep: nest(depth, arrays) })),
);

const outboxEntry = fc.record({
  seq: fc.oneof(fc.nat(20), fc.maxSafeNat()),
  payloadSha256: fc.stringMatching(/^[0-9a-f]{64}$/),
  createdAt: validTimestamp,
});

/** Bot data: absent, any JSON value, or containers as deep as allowed. */
const data = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc
    .tuple(fc.integer({ min: 28, max: SESSION_LIMITS.maxLabelDepth - 2 }), fc.boolean())
    .map(([depth, arrays]) => nest(depth, arrays)),
);

/** Sessions core accepts (JSON values, as they arrive over the wire). */
export const validSession = fc.record(
  {
    id: fc.uuid(),
    key: fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 1, maxLength: 80 }),
    cursor: fc.record({
      flowId: text(1),
      nodeId: text(1),
      waitReason: fc.option(text(0)),
      outboxSeq: fc.oneof(fc.nat(100), fc.maxSafeNat()),
    }),
    meta: fc.record({
      tenantId: fc
        .tuple(
          fc.constantFrom(...TENANT_FIRST),
          fc.string({ unit: fc.constantFrom(...TENANT_REST), maxLength: 20 }),
        )
        .map(([a, b]) => a + b)
        .filter((t) => t !== 'lookup'),
      teamId: fc.option(text(1)),
      userId: fc.option(text(1)),
      labels,
    }),
    outbox: fc
      .array(outboxEntry, { maxLength: 4 })
      .chain((entries) =>
        entries.length === 0
          ? fc.constant(entries)
          : fc.boolean().map((dup) => (dup ? [...entries, { ...entries[0] }] : entries)),
      ),
    data,
    updatedAt: validTimestamp,
    ttlSecs: fc.oneof(fc.nat(3600), fc.integer({ min: 0, max: SESSION_LIMITS.maxTtlSecs })),
  },
  { requiredKeys: ['id', 'key', 'cursor', 'meta', 'outbox', 'updatedAt', 'ttlSecs'] },
);

/** Timestamps of the right shape whose calendar day or time may not exist. */
const shapedTimestamp = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 60 }),
    fc.integer({ min: 0, max: 60 }),
  )
  .map(
    ([y, mo, d, h, mi, sec]) =>
      `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(sec, 2)}Z`,
  );

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const lengths = (n: number) => [n - 1, n, n + 1];
const stringsAround = (n: number) =>
  lengths(n).flatMap((len) => ['a'.repeat(len), '😀'.repeat(Math.ceil(len / 2)), 'é'.repeat(len)]);

/** Values worth putting anywhere in a session: most are wrong somewhere, right elsewhere. */
export const interestingValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    undefined,
    0,
    -0,
    1,
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    SESSION_LIMITS.maxTtlSecs,
    SESSION_LIMITS.maxTtlSecs + 1,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    1e300,
    '',
    'x',
    ' ',
    'lookup',
    'Lookup',
    '-tenant',
    '.tenant',
    'ten:ant',
    'a b',
    'a{b',
    'a}b',
    '\u00e9',
    '\ud800',
    'DEADBEEF-0000-4000-8000-000000000000',
    '123e4567-e89b-42d3-a456-426614174000',
    '123e4567e89b42d3a456426614174000',
    'f'.repeat(64),
    'F'.repeat(64),
    'f'.repeat(63),
    '2024-02-29T23:59:59.999999999Z',
    '2023-02-29T00:00:00Z',
    '2016-12-31T23:59:60Z',
    '2026-01-02T03:04:05+00:00',
    '2026-01-02T03:04:05.1234567890Z',
    '2026-13-01T00:00:00Z',
    [],
    {},
    [1, 'a'],
    { a: 1 },
    { seq: 1, payloadSha256: 'a'.repeat(64), createdAt: '2026-01-02T03:04:05Z' },
  ),
  fc.constantFrom<unknown>(
    ...stringsAround(SESSION_LIMITS.maxTenantIdLength),
    ...stringsAround(SESSION_LIMITS.maxKeyLength),
    ...stringsAround(SESSION_LIMITS.maxTextLength),
  ),
  fc
    .tuple(
      fc.integer({ min: SESSION_LIMITS.maxLabelDepth - 2, max: SESSION_LIMITS.maxLabelDepth + 1 }),
      fc.boolean(),
    )
    .map(([depth, arrays]) => nest(depth, arrays)),
  fc.jsonValue({ maxDepth: 2 }),
  shapedTimestamp,
  validTimestamp,
  fc.uuid(),
);

const around = (n: number, unit = 'a') => [unit.repeat(n - 1), unit.repeat(n), unit.repeat(n + 1)];
const texts = [
  '',
  'a',
  ...around(SESSION_LIMITS.maxTextLength),
  ...around(SESSION_LIMITS.maxTextLength / 2, '\u{1F600}'),
  '\ud800',
];
const counts = [0, -0, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, '1', null];
const timestamps = fc.oneof(
  shapedTimestamp,
  validTimestamp,
  fc.constantFrom(
    '2026-01-02T03:04:05+00:00',
    '2026-01-02T03:04:05.1234567890Z',
    '2024-02-29T00:00:00Z',
  ),
);

/** Every field of the model inside a session, with values near its rules. */
const FIELDS: readonly { path: readonly (string | number)[]; values: fc.Arbitrary<unknown> }[] = [
  {
    path: ['id'],
    values: fc.oneof(
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.constantFrom(
        '',
        '123e4567e89b42d3a456426614174000',
        '00000000-0000-0000-0000-000000000000',
      ),
    ),
  },
  {
    path: ['key'],
    values: fc.constantFrom(
      ...around(SESSION_LIMITS.maxKeyLength),
      'a b',
      '{k}',
      'k}',
      '~',
      '|',
      '\x7f',
      '\u00e9',
      '!',
      '',
    ),
  },
  { path: ['cursor'], values: fc.constantFrom(null, [], {}) },
  { path: ['cursor', 'flowId'], values: fc.constantFrom(...texts) },
  { path: ['cursor', 'nodeId'], values: fc.constantFrom(...texts) },
  { path: ['cursor', 'waitReason'], values: fc.constantFrom(null, ...texts) },
  { path: ['cursor', 'outboxSeq'], values: fc.constantFrom(...counts) },
  { path: ['meta'], values: fc.constantFrom(null, [], {}) },
  {
    path: ['meta', 'tenantId'],
    values: fc.constantFrom(
      'lookup',
      'Lookup',
      'lookup1',
      ...around(SESSION_LIMITS.maxTenantIdLength),
      '-a',
      '_a',
      '.a',
      'a-._',
      'a:b',
      'a b',
      '',
      'a\n',
    ),
  },
  { path: ['meta', 'teamId'], values: fc.constantFrom(null, ...texts) },
  { path: ['meta', 'userId'], values: fc.constantFrom(null, ...texts) },
  {
    path: ['meta', 'labels'],
    values: fc.constantFrom(
      {},
      [],
      null,
      { a: undefined },
      { a: Number.NaN },
      { a: nest(SESSION_LIMITS.maxLabelDepth - 1, true) },
      { a: nest(SESSION_LIMITS.maxLabelDepth, false) },
    ),
  },
  {
    path: ['data'],
    values: fc.constantFrom(
      null,
      { a: Number.NaN },
      [undefined],
      nest(SESSION_LIMITS.maxLabelDepth - 2, true),
      nest(SESSION_LIMITS.maxLabelDepth - 1, false),
      nest(SESSION_LIMITS.maxLabelDepth, true),
    ),
  },
  { path: ['outbox'], values: fc.constantFrom([], 'x', {}, [null]) },
  {
    path: ['outbox', 0],
    values: fc.constantFrom(
      null,
      {},
      { seq: 0, payloadSha256: 'a'.repeat(64), createdAt: '2026-01-02T03:04:05Z' },
    ),
  },
  { path: ['outbox', 0, 'seq'], values: fc.constantFrom(...counts) },
  {
    path: ['outbox', 0, 'payloadSha256'],
    values: fc.constantFrom(...around(64, 'f'), 'F'.repeat(64), 'g'.repeat(64)),
  },
  { path: ['outbox', 0, 'createdAt'], values: timestamps },
  { path: ['updatedAt'], values: timestamps },
  {
    path: ['ttlSecs'],
    values: fc.constantFrom(
      0,
      -1,
      1.5,
      SESSION_LIMITS.maxTtlSecs,
      SESSION_LIMITS.maxTtlSecs + 1,
      '60',
      null,
    ),
  },
];

/** One edit of a session tree, applied at the node `at` (modulo the node count). */
export type Mutation =
  | { kind: 'field'; path: readonly (string | number)[]; value: unknown }
  | { kind: 'set'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'add'; at: number; key: string; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...FIELDS).chain(({ path, values }) =>
      fc.record({
        kind: fc.constant('field' as const),
        path: fc.constant(path),
        value: fc.oneof(
          { weight: 3, arbitrary: values },
          { weight: 1, arbitrary: interestingValue },
        ),
      }),
    ),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      at: fc.nat(),
      value: interestingValue,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      at: fc.nat(),
      key: fc.oneof(
        fc.constantFrom('extra', '__proto__', 'id', 'labels', 'constructor'),
        fc.string(),
      ),
      value: interestingValue,
    }),
  },
);

type Node = { parent: Record<string, unknown> | unknown[] | undefined; key: string | number };

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

/** Copies JSON-like data, keeping own `__proto__` keys as plain data properties. */
export function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (!isContainer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value))
    define(out, k, deepCopy((value as Record<string, unknown>)[k]));
  return out;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function nodes(root: { value: unknown }): Node[] {
  const out: Node[] = [{ parent: root as unknown as Record<string, unknown>, key: 'value' }];
  const walk = (value: unknown) => {
    if (!isContainer(value)) return;
    const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    for (const k of keys) {
      out.push({ parent: value, key: k });
      walk((value as Record<string | number, unknown>)[k]);
    }
  };
  walk(root.value);
  return out;
}

function setPath(target: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (!isContainer(node)) return;
    node = (node as Record<string | number, unknown>)[segment];
  }
  if (isContainer(node)) define(node, String(path[path.length - 1]), value);
}

/** Applies mutations to a copy of `session`; the input is left untouched. */
export function mutate(session: unknown, mutations: readonly Mutation[]): unknown {
  const root = { value: deepCopy(session) };
  for (const m of mutations) {
    if (m.kind === 'field') {
      setPath(root.value, m.path, m.value);
      continue;
    }
    const all = nodes(root);
    const node = all[m.at % all.length] as Node;
    const parent = node.parent as Record<string | number, unknown>;
    if (m.kind === 'set') {
      define(parent, String(node.key), m.value);
    } else if (m.kind === 'delete') {
      if (parent === (root as unknown)) continue;
      if (Array.isArray(parent)) parent.splice(node.key as number, 1);
      else delete parent[node.key];
    } else {
      const target = parent[node.key];
      if (Array.isArray(target)) target.push(m.value);
      else if (isContainer(target)) define(target, m.key, m.value);
    }
  }
  return root.value;
}

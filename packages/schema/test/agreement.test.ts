import { readFileSync } from 'node:fs';
import { fc, test } from '@fast-check/vitest';
import { isValidSession } from '@greentic/session-core';
import { SESSION_LIMITS } from '@greentic/session-types';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionValidator } from '../src/validate.js';
import { deepCopy, mutate, mutation, nest, validSession } from './arbitraries.js';

// A second, independent validator: the committed .json file, loaded by a
// stock ajv with the standard ajv-formats `uuid`/`date-time`. Only the length
// unit is set to match JavaScript (UTF-16 code units), as the README tells users.
const stock = new Ajv2020({ unicode: false, allowUnionTypes: true, logger: false });
addFormats.default(stock);
const committed = JSON.parse(
  readFileSync(new URL('../schemas/session.schema.json', import.meta.url), 'utf8'),
);
const stockIsValid = stock.compile(committed);

const verdicts = { accepted: 0, rejected: 0 };

function expectAgreement(value: unknown): void {
  const core = isValidSession(value);
  const ours = sessionValidator.is(value);
  const standard = stockIsValid(value);
  if (core !== ours || core !== standard) {
    const result = sessionValidator.validate(value);
    throw new Error(
      `disagreement: core=${core} schema=${ours} stock-ajv=${standard} (${result.ok ? 'ok' : result.message}) on ${JSON.stringify(value)?.slice(0, 2000)}`,
    );
  }
  verdicts[core ? 'accepted' : 'rejected']++;
}

describe('schema and core agree', () => {
  test.prop([validSession], { numRuns: 500 })('on valid sessions (all accept)', (session) => {
    expect(isValidSession(session)).toBe(true);
    expectAgreement(session);
  });

  test.prop([validSession, fc.array(mutation, { minLength: 1, maxLength: 3 })], {
    numRuns: 3000,
  })(
    'on mutated sessions (wrong types, patterns, bounds, extra and missing fields)',
    (session, edits) => {
      expectAgreement(mutate(session, edits));
    },
  );

  test.prop([fc.anything({ withNullPrototype: false, maxDepth: 3 })], { numRuns: 300 })(
    'on arbitrary values',
    (value) => expectAgreement(value),
  );

  test.prop(
    [validSession, fc.integer({ min: 0, max: SESSION_LIMITS.maxLabelDepth + 2 }), fc.boolean()],
    {
      numRuns: 200,
    },
  )('on labels nested around the depth limit', (session, depth, arrays) => {
    const copy = deepCopy(session) as { meta: { labels: Record<string, unknown> } };
    copy.meta.labels = { deep: nest(depth, arrays) };
    expectAgreement(copy);
    expect(isValidSession(copy)).toBe(depth < SESSION_LIMITS.maxLabelDepth);
  });

  it.each([SESSION_LIMITS.maxOutboxEntries, SESSION_LIMITS.maxOutboxEntries + 1])(
    'on an outbox of %i entries',
    (n) => {
      const session = fc.sample(validSession, { numRuns: 1, seed: 7 })[0] as { outbox: unknown[] };
      const entry = { seq: 1, payloadSha256: 'a'.repeat(64), createdAt: '2026-01-02T03:04:05Z' };
      const big = { ...session, outbox: Array.from({ length: n }, () => ({ ...entry })) };
      expectAgreement(big);
      expect(isValidSession(big)).toBe(n <= SESSION_LIMITS.maxOutboxEntries);
    },
  );

  afterAll(() => {
    // Both outcomes must have been exercised, or the agreement proves little.
    expect(verdicts.accepted).toBeGreaterThan(500);
    expect(verdicts.rejected).toBeGreaterThan(1000);
  });
});

// The generators must be strong enough to notice a schema that is slightly
// wrong: each variant below breaks one rule, and the property must fail.
describe('the agreement property catches a schema that drifts', () => {
  // biome-ignore lint/suspicious/noExplicitAny: free-form edits of a parsed JSON schema
  type Schema = Record<string, any>;
  const variant = (edit: (s: Schema) => void, unicode = false) => {
    const schema = JSON.parse(JSON.stringify(committed)) as Schema;
    delete schema.$id;
    edit(schema);
    const ajv = new Ajv2020({ unicode, allowUnionTypes: true, logger: false });
    addFormats.default(ajv);
    return ajv.compile(schema);
  };
  const catches = (isValid: (v: unknown) => boolean) => {
    const result = fc.check(
      fc.property(validSession, fc.array(mutation, { maxLength: 3 }), (session, edits) => {
        const value = mutate(session, edits);
        return isValid(value) === isValidSession(value);
      }),
      { numRuns: 5000, seed: 42 },
    );
    return result.failed;
  };

  it.each<[string, () => (v: unknown) => boolean]>([
    ['lengths counted in code points', () => variant(() => {}, true)],
    [
      'labels one level deeper',
      () =>
        variant((s) => {
          s.$defs.LabelValueDepth32 = {
            ...s.$defs.LabelValueDepth31,
            items: true,
            additionalProperties: true,
          };
        }),
    ],
    [
      'reserved tenant id allowed',
      () =>
        variant((s) => {
          delete s.$defs.SessionMeta.properties.tenantId.not;
        }),
    ],
    [
      'empty waitReason rejected',
      () =>
        variant((s) => {
          s.$defs.SessionCursor.properties.waitReason.minLength = 1;
        }),
    ],
    [
      'outboxSeq unbounded',
      () =>
        variant((s) => {
          delete s.$defs.SessionCursor.properties.outboxSeq.maximum;
        }),
    ],
    [
      'ttlSecs one larger',
      () =>
        variant((s) => {
          s.properties.ttlSecs.maximum += 1;
        }),
    ],
    [
      'no calendar check on updatedAt',
      () =>
        variant((s) => {
          s.properties.updatedAt = {
            type: 'string',
            pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z$',
          };
        }),
    ],
    [
      'unknown meta fields allowed',
      () =>
        variant((s) => {
          s.$defs.SessionMeta.additionalProperties = true;
        }),
    ],
  ])('%s', (_name, build) => {
    expect(catches(build())).toBe(true);
  });
});

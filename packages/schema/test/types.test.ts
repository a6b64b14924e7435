import type {
  DeepReadonly,
  OutboxEntry,
  Session,
  SessionCursor,
  SessionMeta,
  StoredSession,
} from '@greentic/session-types';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type outboxEntrySchema,
  type StoredSessionEnvelope,
  sessionCursorSchema,
  type sessionMetaSchema,
  sessionSchema,
  type storedEnvelopeSchema,
  type storedSessionSchema,
} from '../src/index.js';
import type { NotClosedOrNotRequired, SchemaToType } from './schema-to-type.js';

// These assertions are checked by `tsc` (the package's typecheck script): a
// field added, removed, renamed, made nullable or retyped on one side only
// fails to compile.
describe('schemas and TypeScript types', () => {
  it('sessionSchema describes Session', () => {
    expectTypeOf<SchemaToType<typeof sessionSchema>>().toEqualTypeOf<Session>();
  });

  it('sessionMetaSchema describes SessionMeta', () => {
    expectTypeOf<SchemaToType<typeof sessionMetaSchema>>().toEqualTypeOf<SessionMeta>();
  });

  it('sessionCursorSchema describes SessionCursor', () => {
    expectTypeOf<SchemaToType<typeof sessionCursorSchema>>().toEqualTypeOf<SessionCursor>();
  });

  it('outboxEntrySchema describes OutboxEntry', () => {
    expectTypeOf<SchemaToType<typeof outboxEntrySchema>>().toEqualTypeOf<OutboxEntry>();
  });

  it('storedSessionSchema describes StoredSession (as a deeply read-only snapshot)', () => {
    expectTypeOf<
      DeepReadonly<SchemaToType<typeof storedSessionSchema>>
    >().toEqualTypeOf<StoredSession>();
  });

  it('storedEnvelopeSchema describes StoredSessionEnvelope', () => {
    expectTypeOf<
      SchemaToType<typeof storedEnvelopeSchema>
    >().toEqualTypeOf<StoredSessionEnvelope>();
  });

  it('the mapper itself notices a missing field, an open object and a wrong type', () => {
    const open = {
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'string' } },
    } as const;
    expectTypeOf<SchemaToType<typeof open>>().toEqualTypeOf<NotClosedOrNotRequired>();
    const notRequired = {
      type: 'object',
      additionalProperties: false,
      required: ['a'],
      properties: { a: { type: 'string' }, b: { type: 'string' } },
    } as const;
    // A property left out of `required` is optional, so a model that requires it differs.
    expectTypeOf<SchemaToType<typeof notRequired>>().toEqualTypeOf<{ a: string; b?: string }>();
    expectTypeOf<SchemaToType<typeof notRequired>>().not.toEqualTypeOf<{ a: string; b: string }>();
    const sessionWithRequiredData = {
      ...sessionSchema,
      required: [...sessionSchema.required, 'data'],
    } as const;
    expectTypeOf<SchemaToType<typeof sessionWithRequiredData>>().not.toEqualTypeOf<Session>();
    const cursorWithNumberFlow = {
      ...sessionCursorSchema,
      properties: { ...sessionCursorSchema.properties, flowId: { type: 'integer' } },
    } as const;
    expectTypeOf<SchemaToType<typeof cursorWithNumberFlow>>().not.toEqualTypeOf<SessionCursor>();
    const cursorNonNullReason = {
      ...sessionCursorSchema,
      properties: { ...sessionCursorSchema.properties, waitReason: { type: 'string' } },
    } as const;
    expectTypeOf<SchemaToType<typeof cursorNonNullReason>>().not.toEqualTypeOf<SessionCursor>();
  });
});

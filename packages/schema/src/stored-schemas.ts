import type { Cas, Session } from '@greentic/session-types';
import { JSON_SCHEMA_DIALECT, SCHEMA_ID_BASE } from './json-schema.js';
import { cas, tenantId, timestamp, ttlSecs } from './keywords.js';
import { sessionDefs, sessionShapeForDefs } from './session-schemas.js';

const sessionRef = { $ref: '#/$defs/Session' } as const;

/** JSON Schema of `StoredSession`, the `{ session, cas }` pair `get` returns for a live session. */
export const storedSessionSchema = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: `${SCHEMA_ID_BASE}stored-session.schema.json`,
  title: 'StoredSession',
  type: 'object',
  description: 'What `get` returns for a live session: the session and its compare-and-set token.',
  additionalProperties: false,
  required: ['session', 'cas'],
  properties: {
    session: sessionRef,
    cas: cas('Its current compare-and-set token (at least 1).'),
  },
  $defs: { Session: sessionShapeForDefs, ...sessionDefs() },
} as const;

/**
 * The logical record a backend stores for one key: the session plus the
 * fields a store keeps beside it so it never has to re-encode the session
 * (cas, owning tenant, write time, TTL). The Redis backend keeps these as hash
 * fields and may refine this schema for its exact layout.
 */
export interface StoredSessionEnvelope {
  /** The stored session. */
  session: Session;
  /** Compare-and-set token of the stored session (at least 1). */
  cas: Cas;
  /** Owning tenant; equals `session.meta.tenantId`. */
  tenantId: string;
  /** Time of the last write or touch; equals `session.updatedAt`. */
  updatedAt: string;
  /** Lifetime in seconds after `updatedAt`, 0 = never expires; equals `session.ttlSecs`. */
  ttlSecs: number;
}

/**
 * JSON Schema of {@link StoredSessionEnvelope}. The equalities between the
 * envelope fields and the session's own fields cannot be written in JSON
 * Schema; they are stated in the descriptions and enforced by the stores.
 */
export const storedEnvelopeSchema = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: `${SCHEMA_ID_BASE}stored-envelope.schema.json`,
  title: 'StoredSessionEnvelope',
  type: 'object',
  description:
    'The logical record a backend stores for one key: the session plus its cas, owning tenant, write time and TTL. `tenantId`, `updatedAt` and `ttlSecs` equal `session.meta.tenantId`, `session.updatedAt` and `session.ttlSecs`.',
  additionalProperties: false,
  required: ['session', 'cas', 'tenantId', 'updatedAt', 'ttlSecs'],
  properties: {
    session: sessionRef,
    cas: cas('Compare-and-set token of the stored session (at least 1).'),
    tenantId: tenantId('Owning tenant; equals `session.meta.tenantId`.'),
    updatedAt: timestamp('Time of the last write or touch; equals `session.updatedAt`.'),
    ttlSecs: ttlSecs(
      'Lifetime in seconds after `updatedAt`, 0 = never expires; equals `session.ttlSecs`.',
    ),
  },
  $defs: { Session: sessionShapeForDefs, ...sessionDefs() },
} as const;

import { SESSION_LIMITS } from '@greentic/session-types';
import { JSON_SCHEMA_DIALECT, SCHEMA_ID_BASE } from './json-schema.js';
import {
  count,
  labelValueDefName,
  labelValueDefs,
  nullableText,
  PATTERNS,
  sessionKey,
  tenantId,
  text,
  timestamp,
  ttlSecs,
  uuid,
} from './keywords.js';

// Each exported schema is self-contained (its own `$defs`, no cross-file
// `$ref`), so any one `.json` file can be loaded alone by any validator.

const labelsRef = { $ref: `#/$defs/${labelValueDefName(1)}` } as const;

const cursorShape = {
  type: 'object',
  description: 'Where a paused flow resumes.',
  additionalProperties: false,
  required: ['flowId', 'nodeId', 'waitReason', 'outboxSeq'],
  properties: {
    flowId: text('Flow the session is running.'),
    nodeId: text('Node of the flow to resume at.'),
    waitReason: {
      type: ['string', 'null'],
      maxLength: SESSION_LIMITS.maxTextLength,
      description: 'Why the flow is waiting (for example `"user_reply"`), or `null`.',
    },
    outboxSeq: count('Sequence number of the last outbox entry the flow produced.'),
  },
} as const;

const outboxEntryShape = {
  type: 'object',
  description: 'One message handed to a connector, identified by its sequence and payload digest.',
  additionalProperties: false,
  required: ['seq', 'payloadSha256', 'createdAt'],
  properties: {
    seq: count('Sequence number within the session; non-negative safe integer.'),
    payloadSha256: {
      type: 'string',
      pattern: PATTERNS.sha256Hex,
      description: 'SHA-256 of the payload bytes, 64 lowercase hex characters.',
    },
    createdAt: timestamp('When the entry was created, ISO-8601 UTC (`2026-01-02T03:04:05.678Z`).'),
  },
} as const;

const metaShape = {
  type: 'object',
  description: 'Who a session belongs to.',
  additionalProperties: false,
  required: ['tenantId', 'teamId', 'userId', 'labels'],
  properties: {
    tenantId: tenantId('Owning tenant. A key belongs to the tenant that created it.'),
    teamId: nullableText('Team within the tenant, or `null`.'),
    userId: nullableText('End user, or `null`. Prefer a stable pseudonymous id over raw PII.'),
    labels: {
      type: 'object',
      description: `Free-form JSON labels, nested at most ${SESSION_LIMITS.maxLabelDepth} levels deep.`,
      additionalProperties: labelsRef,
    },
  },
} as const;

const sessionShape = {
  type: 'object',
  description: "A connector flow's session: cursor, ownership, outbox and expiry.",
  additionalProperties: false,
  required: ['id', 'key', 'cursor', 'meta', 'outbox', 'updatedAt', 'ttlSecs'],
  properties: {
    id: uuid('UUID of this session incarnation (lowercase, canonical form).'),
    key: sessionKey('Key the session is stored under.'),
    cursor: { $ref: '#/$defs/SessionCursor' },
    meta: { $ref: '#/$defs/SessionMeta' },
    outbox: {
      type: 'array',
      description: 'Messages handed off, deduplicated by `(seq, payloadSha256)`.',
      maxItems: SESSION_LIMITS.maxOutboxEntries,
      items: { $ref: '#/$defs/OutboxEntry' },
    },
    data: {
      ...labelsRef,
      description: `Free-form JSON state of the application or bot framework, nested like a label value (at most ${SESSION_LIMITS.maxLabelDepth - 1} levels of arrays and objects). Absent when the session has none.`,
    },
    updatedAt: timestamp('Last write or touch, ISO-8601 UTC; stamped by the store on every write.'),
    ttlSecs: ttlSecs('Lifetime in seconds after `updatedAt`; 0 means the session never expires.'),
  },
} as const;

/** The `Session` object schema, without `$schema`/`$id`: for embedding in other schemas' `$defs`. */
export const sessionShapeForDefs = sessionShape;

/** `$defs` the session shape refers to (cursor, meta, outbox entry, label values). */
export const sessionDefs = () =>
  ({
    SessionCursor: cursorShape,
    SessionMeta: metaShape,
    OutboxEntry: outboxEntryShape,
    ...labelValueDefs(),
  }) as const;

/** JSON Schema of `SessionCursor`: where a paused flow resumes. */
export const sessionCursorSchema = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: `${SCHEMA_ID_BASE}session-cursor.schema.json`,
  title: 'SessionCursor',
  ...cursorShape,
} as const;

/** JSON Schema of `OutboxEntry`: one message handed to a connector. */
export const outboxEntrySchema = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: `${SCHEMA_ID_BASE}outbox-entry.schema.json`,
  title: 'OutboxEntry',
  ...outboxEntryShape,
} as const;

/** JSON Schema of `SessionMeta`: tenant, team, user and labels of a session. */
export const sessionMetaSchema = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: `${SCHEMA_ID_BASE}session-meta.schema.json`,
  title: 'SessionMeta',
  ...metaShape,
  $defs: labelValueDefs(),
} as const;

/**
 * JSON Schema of `Session`. Accepts exactly what core's `isValidSession`
 * accepts for any JSON value, when string lengths are counted in UTF-16 code
 * units as JavaScript does (see the package README).
 */
export const sessionSchema = {
  $schema: JSON_SCHEMA_DIALECT,
  $id: `${SCHEMA_ID_BASE}session.schema.json`,
  title: 'Session',
  ...sessionShape,
  $defs: sessionDefs(),
} as const;

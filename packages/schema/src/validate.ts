import type { OutboxEntry, Session, SessionCursor, SessionMeta } from '@greentic/session-types';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ISO_UTC_TIMESTAMP_PATTERN } from './iso-utc-pattern.js';
import type { JsonSchema } from './json-schema.js';
import { PATTERNS } from './keywords.js';
import {
  outboxEntrySchema,
  sessionCursorSchema,
  sessionMetaSchema,
  sessionSchema,
} from './session-schemas.js';
import {
  type StoredSessionEnvelope,
  storedEnvelopeSchema,
  storedSessionSchema,
} from './stored-schemas.js';

/** One reason a value does not match a schema. */
export interface SchemaIssue {
  /** Where, in the style of core's messages: `session.cursor.flowId`, `session.outbox[3].seq`. */
  readonly path: string;
  /** The JSON Schema keyword that failed (`required`, `pattern`, `maxLength`, ...). */
  readonly keyword: string;
  /** Readable sentence naming the path: `session.meta.teamId must be string,null`. */
  readonly message: string;
}

/** Outcome of a schema validation: the value, typed, or why it was rejected. */
export type SchemaValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      /** The first failure found (validation stops at the first one). */
      readonly issues: readonly SchemaIssue[];
      /** The issues joined into one line. */
      readonly message: string;
    };

/** A compiled schema: validate with typed results, or use it as a type guard. */
export interface SchemaValidator<T> {
  /** The `$id` of the schema this validator checks. */
  readonly schemaId: string;
  /** Validates `value` and says why it was rejected. */
  validate(value: unknown): SchemaValidationResult<T>;
  /** Type guard: true when `value` matches the schema. */
  is(value: unknown): value is T;
}

let ajv: Ajv2020 | undefined;

// Drops ajv's notice about the deprecated `unicode` option, which we set on purpose.
const quietLogger = {
  log: (...args: unknown[]) => console.log(...args),
  warn: (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('DEPRECATED: option unicode')) return;
    console.warn(...args);
  },
  error: (...args: unknown[]) => console.error(...args),
};

function sharedAjv(): Ajv2020 {
  if (ajv !== undefined) return ajv;
  ajv = new Ajv2020({
    // Core measures strings with `.length` (UTF-16 code units); so must we.
    // The option is marked deprecated but is still how ajv 8 turns off
    // code-point counting in minLength/maxLength.
    unicode: false,
    logger: quietLogger,
    allowUnionTypes: true,
    // The patterns already enforce these formats exactly; registering the
    // same rules keeps ajv strict mode happy without ajv-formats.
    formats: {
      uuid: new RegExp(PATTERNS.uuid),
      'date-time': new RegExp(ISO_UTC_TIMESTAMP_PATTERN),
    },
  });
  return ajv;
}

function jsonPointerToPath(root: string, pointer: string): string {
  if (pointer === '') return root;
  let path = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^(?:0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function toIssue(root: string, error: ErrorObject): SchemaIssue {
  const at = jsonPointerToPath(root, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const path = jsonPointerToPath(root, `${error.instancePath}/${params.missingProperty}`);
      return { path, keyword: error.keyword, message: `${path} is required` };
    }
    case 'additionalProperties': {
      const path = jsonPointerToPath(root, `${error.instancePath}/${params.additionalProperty}`);
      return { path, keyword: error.keyword, message: `${path} is not a known field` };
    }
    case 'type': {
      const types = ([] as unknown[]).concat(params.type).join(' or ');
      return { path: at, keyword: error.keyword, message: `${at} must be ${types}` };
    }
    case 'not':
      return { path: at, keyword: error.keyword, message: `${at} is a reserved value` };
    default:
      return {
        path: at,
        keyword: error.keyword,
        message: `${at} ${error.message ?? 'is invalid'}`,
      };
  }
}

/**
 * Compiles a JSON Schema into a {@link SchemaValidator}. Compilation happens
 * on first use and is cached. Strings are measured in UTF-16 code units, like
 * core; `uuid` and `date-time` formats are checked with this package's rules.
 *
 * @param schema - a schema with a unique `$id` (for example {@link sessionSchema})
 * @param root - name of the value in issue paths
 * @default root `'value'`
 */
export function createSchemaValidator<T>(schema: JsonSchema, root = 'value'): SchemaValidator<T> {
  let compiled: ValidateFunction | undefined;
  const compile = (): ValidateFunction => {
    if (compiled !== undefined) return compiled;
    const instance = sharedAjv();
    const id = schema.$id as string;
    compiled = instance.getSchema(id) ?? instance.compile(schema);
    return compiled;
  };
  return {
    schemaId: schema.$id as string,
    validate(value: unknown): SchemaValidationResult<T> {
      const fn = compile();
      if (fn(value)) return { ok: true, value: value as T };
      const issues = (fn.errors ?? []).map((e) => toIssue(root, e));
      return { ok: false, issues, message: issues.map((i) => i.message).join('; ') };
    },
    is(value: unknown): value is T {
      return compile()(value);
    },
  };
}

/** Validator of {@link sessionSchema}; issue paths start with `session`. */
export const sessionValidator: SchemaValidator<Session> = createSchemaValidator<Session>(
  sessionSchema,
  'session',
);

/** Validator of {@link sessionMetaSchema}; issue paths start with `meta`. */
export const sessionMetaValidator: SchemaValidator<SessionMeta> =
  createSchemaValidator<SessionMeta>(sessionMetaSchema, 'meta');

/** Validator of {@link sessionCursorSchema}; issue paths start with `cursor`. */
export const sessionCursorValidator: SchemaValidator<SessionCursor> =
  createSchemaValidator<SessionCursor>(sessionCursorSchema, 'cursor');

/** Validator of {@link outboxEntrySchema}; issue paths start with `entry`. */
export const outboxEntryValidator: SchemaValidator<OutboxEntry> =
  createSchemaValidator<OutboxEntry>(outboxEntrySchema, 'entry');

/** Validator of {@link storedSessionSchema} (`{ session, cas }`); issue paths start with `stored`. */
export const storedSessionValidator: SchemaValidator<{ session: Session; cas: number }> =
  createSchemaValidator<{ session: Session; cas: number }>(storedSessionSchema, 'stored');

/** Validator of {@link storedEnvelopeSchema}; issue paths start with `envelope`. */
export const storedEnvelopeValidator: SchemaValidator<StoredSessionEnvelope> =
  createSchemaValidator<StoredSessionEnvelope>(storedEnvelopeSchema, 'envelope');

/**
 * Validates a value against the `Session` schema.
 *
 * @example
 * const result = validateSession(JSON.parse(body));
 * if (!result.ok) throw new Error(result.message);
 */
export function validateSession(value: unknown): SchemaValidationResult<Session> {
  return sessionValidator.validate(value);
}

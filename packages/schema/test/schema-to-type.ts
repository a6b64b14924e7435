import type { JsonValue } from '@greentic/session-types';

// A small JSON-Schema-to-TypeScript mapper covering the keywords this package
// uses. Any object schema without `additionalProperties: false` maps to an
// "open" marker type, so that slip fails the type tests too; a property
// missing from `required` maps to an optional property, which then must be
// optional in the model as well.

/** Flattens an intersection so type equality reads it as one object type. */
type Flatten<T> = { [K in keyof T]: T[K] };

/** Marker produced for object schemas the model would not accept. */
export interface NotClosedOrNotRequired {
  readonly __schemaProblem: 'object schema must set additionalProperties: false';
}

type RootDefs<S> = S extends { $defs: infer D } ? D : Record<never, never>;

type ScalarOf<T> = T extends 'string'
  ? string
  : T extends 'null'
    ? null
    : T extends 'integer' | 'number'
      ? number
      : T extends 'boolean'
        ? boolean
        : never;

type ObjectOf<S, D> = S extends {
  properties: infer P;
  required: readonly (infer R)[];
  additionalProperties: false;
}
  ? Flatten<
      { -readonly [K in keyof P as K extends R ? K : never]: SchemaToType<P[K], D> } & {
        -readonly [K in keyof P as K extends R ? never : K]?: SchemaToType<P[K], D>;
      }
    >
  : S extends { properties: unknown }
    ? NotClosedOrNotRequired
    : S extends { additionalProperties: infer A }
      ? Record<string, SchemaToType<A, D>>
      : Record<string, unknown>;

type TypeOf<T, S, D> = T extends 'array'
  ? S extends { items: infer I }
    ? SchemaToType<I, D>[]
    : unknown[]
  : T extends 'object'
    ? ObjectOf<S, D>
    : ScalarOf<T>;

/**
 * TypeScript type described by schema `S`, resolving `#/$defs/...` refs in
 * `D`. Label values (the unrolled `LabelValueDepthN` chain) map to
 * `JsonValue`; their depth bound is checked at run time by the property test.
 */
export type SchemaToType<S, D = RootDefs<S>> = S extends {
  $ref: `#/$defs/LabelValueDepth${string}`;
}
  ? JsonValue
  : S extends { $ref: `#/$defs/${infer N}` }
    ? N extends keyof D
      ? SchemaToType<D[N], D>
      : never
    : S extends { type: readonly (infer T)[] }
      ? TypeOf<T, S, D>
      : S extends { type: infer T }
        ? TypeOf<T, S, D>
        : unknown;

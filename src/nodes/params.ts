/**
 * How a node kind declares its params, once: a TypeBox schema gives the JSON Schema the engine validates with (and
 * `pipe ls --kinds` and the generated pipeline schema show), the TypeScript type (`Params<typeof schema>`), each
 * param's one-line `description` and its `default`. A kind's run() reads defaults through `withDefaults`, so no
 * default is written twice.
 */
import { Type, type Static, type TArray, type TObject, type TOptional, type TProperties, type TSchema, type TUnsafe, type SchemaOptions } from '@sinclair/typebox';
import { validator } from '../engine/validate.js';

export { Type };
export type { Static, TObject };

/**
 * An optional param with a default: filled in for the node when the pipeline leaves it out. `inKey` keeps the filled
 * value in the cache key and node seed (the engine's `defaultInKey`), for params whose defaults always were.
 */
export function Default<T extends TSchema>(schema: T, value: Static<T>, options: { readonly inKey?: boolean } = {}): TDefault<T> {
  const withValue = { ...schema, default: value, ...(options.inKey === true ? { defaultInKey: true } : {}) } as T;
  return Type.Optional(withValue) as TDefault<T>;
}

/** The schema of a param with a default (`Default`): optional in the pipeline, always present for the node. */
export type TDefault<T extends TSchema> = TOptional<T> & { readonly default: Static<T> };

/** One of a fixed set of strings, as a JSON Schema `enum` (one clear error message instead of a union's). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, enum: [...values] });
}

/** A params object: unknown params are errors (so a typo is reported at its key). */
export function ParamsObject<P extends TProperties>(properties: P, options: SchemaOptions = {}): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

type Prettify<T> = { [K in keyof T]: T[K] } & {};
type IsOptional<S> = S extends { readonly default: unknown } ? false : S extends TOptional<TSchema> ? true : false;
type Filled<S> = S extends TObject<infer P> ? FilledProps<P> : S extends TArray<infer I> ? Filled<I>[] : S extends TSchema ? Static<S> : never;
type FilledProps<P extends TProperties> = Prettify<
  { readonly [K in keyof P as IsOptional<P[K]> extends true ? never : K]: Filled<P[K]> } & {
    readonly [K in keyof P as IsOptional<P[K]> extends true ? K : never]?: Filled<P[K]>;
  }
>;

/** A kind's params as its run() sees them: params with a `Default` are always present. */
export type Params<S extends TObject> = Filled<S>;

/** The params as written in a pipeline (defaulted params may be left out): the `NodeKind` type argument. */
export type ParamsIn<S extends TObject> = Static<S>;

/**
 * `params` with every missing defaulted value filled in from `schema` (a copy; `params` is not changed), by the same
 * validator the engine fills them with before a node runs: this makes run() correct for any caller (tests call it
 * directly) and gives it the filled type.
 */
export function withDefaults<S extends TObject>(schema: S, params: Static<S>): Params<S> {
  const filled = structuredClone(params);
  validator(schema)(filled);
  return filled as Params<S>;
}

import { Type } from 'typebox';

/** `schema` or JSON null: the shape of every optional column in a response. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** A union of string literals whose static type is the union of the values. */
export const literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(values.map((value) => Type.Literal(value))));

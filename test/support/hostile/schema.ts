import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** A JSON Schema node as found in the OpenAPI document: read loosely, never trusted to be complete. */
export type JsonSchema = Record<string, unknown>;

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The JSON types a schema admits, looking through anyOf/oneOf/allOf/enum/const. */
export function typesOf(schema: JsonSchema): Set<JsonType> {
  const out = new Set<JsonType>();
  const declared = schema.type;
  for (const type of Array.isArray(declared) ? declared : [declared]) {
    if (typeof type === 'string') out.add(type as JsonType);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const branches = schema[key];
    if (Array.isArray(branches))
      for (const branch of branches) if (isRecord(branch)) typesOf(branch).forEach((t) => out.add(t));
  }
  const literals = Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : [];
  for (const literal of literals) out.add(jsonTypeOf(literal));
  if (out.size === 0 && isRecord(schema.properties)) out.add('object');
  return out;
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as 'string' | 'boolean' | 'object';
}

export const propertiesOf = (schema: JsonSchema): Record<string, JsonSchema> =>
  isRecord(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};

export const requiredOf = (schema: JsonSchema): string[] =>
  Array.isArray(schema.required) ? schema.required.filter((k): k is string => typeof k === 'string') : [];

export const itemsOf = (schema: JsonSchema): JsonSchema | undefined =>
  isRecord(schema.items) ? schema.items : undefined;

export const numberOf = (schema: JsonSchema, key: string): number | undefined =>
  typeof schema[key] === 'number' ? schema[key] : undefined;

/**
 * Inlines local `$ref`s (`#/components/...`) so each operation's schema stands alone. Cycles are
 * cut at a fixed depth with an empty schema: the harness only needs a few levels.
 */
export function resolveRefs(node: unknown, document: unknown, depth = 0): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, document, depth));
  if (!isRecord(node)) return node;
  if (typeof node.$ref === 'string') {
    if (depth > 8 || !node.$ref.startsWith('#/')) return {};
    const target = node.$ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (at, part) => (isRecord(at) ? at[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
        document,
      );
    return resolveRefs(target ?? {}, document, depth + 1);
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolveRefs(value, document, depth)]));
}

/**
 * The oracle: an Ajv of its own (not the server's), validating JSON bodies exactly as sent and
 * text inputs (query, path) with string coercion, as the API promises. A request this oracle
 * rejects must never be answered with a 2xx.
 */
function oracleAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes, removeAdditional: false, useDefaults: false, allErrors: false, strict: false });
  addFormats.default(ajv);
  return ajv;
}

const exact = oracleAjv(false);
const textual = oracleAjv(true);
const compiled = new Map<string, ValidateFunction>();

export function conforms(schema: JsonSchema, value: unknown, kind: 'exact' | 'textual'): boolean {
  const key = `${kind}:${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = (kind === 'exact' ? exact : textual).compile(schema);
    compiled.set(key, validate);
  }
  // Ajv with coercion rewrites its input in place; validate a copy.
  return validate(structuredClone(value));
}

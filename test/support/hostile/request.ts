import { fillPath, type Operation } from './openapi.js';
import { conforms, type JsonSchema } from './schema.js';
import { validInstance } from './valid.js';
import { percentEncode } from './values.js';

/** The parts of a request before they are put on the wire; strings as the server should decode them. */
export interface RequestParts {
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  /** `undefined`: no body. */
  body: unknown;
}

/** What a case demands of the answer, beyond the rules every answer obeys. */
export interface Expectation {
  /** Why the request must be refused, e.g. "body does not match its schema". */
  reason: string;
  /** When set, the refusal must carry one of these statuses (a refusal at the door, 401/403/429, always may). */
  statuses?: readonly number[];
}

/** One hostile request, ready to send with any identity. */
export interface HostileCase {
  family: 'baseline' | 'body' | 'raw-body' | 'media' | 'path' | 'query' | 'header' | 'method' | 'url' | 'random';
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer | undefined;
  expect: Expectation | undefined;
  /** Sent with every identity rather than a rotating few (cheap, and where scope matters). */
  everyIdentity: boolean;
}

/** Ids already in the store, the fixture's participants first: path parameters that reach real rows. */
export type KnownIds = readonly string[];

/**
 * A request the schemas accept: path parameters taken from ids already in the store when one
 * fits (so bodies reach the handler), everything else drawn by json-schema-faker.
 */
export function baselineOf(op: Operation, seed: number, knownIds: KnownIds): RequestParts {
  const path: Record<string, string> = {};
  for (const param of op.pathParams) {
    const known = knownIds.find((id) => conforms(param.schema, id, 'textual'));
    path[param.name] = known ?? textOf(validInstance(param.schema, seed + hash(param.name), 'textual').value);
  }
  const query: Record<string, string> = {};
  for (const param of op.query) {
    const { value, valid } = validInstance(param.schema, seed + hash(param.name), 'textual');
    if (valid || param.required) query[param.name] = textOf(value);
  }
  const headers: Record<string, string> = {};
  for (const param of op.headers) headers[param.name] = textOf(validInstance(param.schema, seed, 'textual').value);
  const body = op.body ? validInstance(op.body.schema, seed, 'exact').value : undefined;
  return { path, query, headers, body };
}

export const textOf = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h >>> 0;
}

export function urlOf(
  op: Operation,
  parts: Pick<RequestParts, 'path' | 'query'>,
  rawPath?: Record<string, string>,
): string {
  const segments = Object.fromEntries(op.pathParams.map((p) => [p.name, percentEncode(parts.path[p.name] ?? '')]));
  const pathname = fillPath(op.path, { ...segments, ...rawPath });
  const pairs = Object.entries(parts.query).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `${percentEncode(name)}=${percentEncode(v)}`),
  );
  return pairs.length > 0 ? `${pathname}?${pairs.join('&')}` : pathname;
}

export function jsonHeaders(parts: RequestParts): Record<string, string> {
  return parts.body === undefined ? parts.headers : { ...parts.headers, 'content-type': 'application/json' };
}

export const jsonPayload = (body: unknown): string | undefined =>
  body === undefined ? undefined : JSON.stringify(body);

/** Builds a case from parts, with the schema oracle deciding whether it must be refused. */
export function caseOf(
  op: Operation,
  parts: RequestParts,
  family: HostileCase['family'],
  label: string,
  options: { expect?: Expectation; everyIdentity?: boolean } = {},
): HostileCase {
  return {
    family,
    label,
    method: op.method,
    url: urlOf(op, parts),
    headers: jsonHeaders(parts),
    payload: jsonPayload(parts.body),
    expect: options.expect ?? oracle(op, parts),
    everyIdentity: options.everyIdentity ?? false,
  };
}

/** The refusal the declared schemas demand of these parts, if any. */
export function oracle(op: Operation, parts: RequestParts): Expectation | undefined {
  if (op.body && parts.body !== undefined && !conforms(op.body.schema, wireValue(parts.body), 'exact')) {
    return { reason: 'the body does not match its declared schema' };
  }
  if (op.body?.required && parts.body === undefined) return { reason: 'the required body is missing' };
  for (const param of op.pathParams) {
    if (!conforms(param.schema, parts.path[param.name], 'textual')) {
      return { reason: `path parameter '${param.name}' does not match its schema` };
    }
  }
  if (op.query.length > 0 && !conforms(querySchema(op), parts.query, 'textual')) {
    return { reason: 'the query string does not match its declared parameters' };
  }
  return undefined;
}

/** What JSON.parse on the server gives back for this value (undefined members vanish, NaN becomes null). */
export const wireValue = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null');

function querySchema(op: Operation): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(op.query.map((p) => [p.name, p.schema])),
    required: op.query.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

/** A value as JSON text, cut to `max` characters with its full length noted. */
export function excerpt(value: unknown, max = 60): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

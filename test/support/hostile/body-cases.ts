import { BODY_METHODS, type Operation } from './openapi.js';
import { caseOf, excerpt, jsonPayload, oracle, urlOf, type HostileCase, type RequestParts } from './request.js';
import { isRecord, itemsOf, propertiesOf, requiredOf, typesOf, type JsonSchema } from './schema.js';
import { HOSTILE_STRINGS, LONG_STRING, nested, wrongValues } from './values.js';

type Path = readonly (string | number)[];

/** A place in the body to attack: a property (present or not) or an array item, with its schema. */
interface Point {
  path: Path;
  schema: JsonSchema;
  required: boolean;
}

const describePath = (path: Path): string => (path.length === 0 ? 'body' : `body.${path.join('.')}`);

/** Every property and first array item of the schema, down to a few levels. */
export function pointsOf(schema: JsonSchema, value: unknown, path: Path = [], required = true): Point[] {
  const points: Point[] = [{ path, schema, required }];
  if (path.length >= 4) return points;
  const properties = propertiesOf(schema);
  const requiredKeys = requiredOf(schema);
  for (const [key, child] of Object.entries(properties)) {
    const present = isRecord(value) ? value[key] : undefined;
    points.push(...pointsOf(child, present, [...path, key], requiredKeys.includes(key)));
  }
  const items = itemsOf(schema);
  if (items) {
    const first = Array.isArray(value) ? value[0] : undefined;
    points.push(...pointsOf(items, first, [...path, 0], true));
  }
  return points;
}

/** A copy of `root` with `value` at `path` (creating containers on the way); `undefined` deletes. */
export function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: Record<string | number, unknown> | unknown[] = Array.isArray(root)
    ? [...root]
    : isRecord(root)
      ? { ...root }
      : typeof head === 'number'
        ? []
        : {};
  const current = (container as Record<string | number, unknown>)[head!];
  const next = setAt(current, rest, value);
  if (next === undefined && !Array.isArray(container)) delete (container as Record<string, unknown>)[head as string];
  else (container as Record<string | number, unknown>)[head!] = next;
  return container;
}

export function getAt(root: unknown, path: Path): unknown {
  let at = root;
  for (const key of path) {
    if (Array.isArray(at) && typeof key === 'number') at = at[key];
    else if (isRecord(at) && typeof key === 'string') at = at[key];
    else return undefined;
  }
  return at;
}

/** Structured mutations of the valid body, one change each, judged by the schema oracle. */
export function bodyMutationCases(op: Operation, base: RequestParts): HostileCase[] {
  if (!op.body) return [];
  const cases: HostileCase[] = [];
  const mutate = (label: string, path: Path, value: unknown) =>
    cases.push(caseOf(op, { ...base, body: setAt(base.body, path, value) }, 'body', label));
  for (const point of pointsOf(op.body.schema, base.body)) {
    const where = describePath(point.path);
    if (point.path.length > 0)
      mutate(`${where} removed (${point.required ? 'required' : 'optional'})`, point.path, undefined);
    for (const value of wrongValues(point.schema)) mutate(`${where} = ${excerpt(value)}`, point.path, value);
    if (typesOf(point.schema).has('string')) {
      for (const value of HOSTILE_STRINGS) mutate(`${where} = ${excerpt(value)}`, point.path, value);
    }
    mutate(`${where} = 100k-character string`, point.path, LONG_STRING);
    mutate(`${where} = object nested 200 deep`, point.path, nested(200));
    if (typesOf(point.schema).has('object')) cases.push(...objectLevelCases(op, base, point.path, where));
  }
  return cases;
}

/** Unknown fields and prototype-polluting keys inside an object of the body. */
function objectLevelCases(op: Operation, base: RequestParts, path: Path, where: string): HostileCase[] {
  const target = getAt(base.body, path);
  const object = isRecord(target) ? target : {};
  const withKey = (key: string, value: unknown) => rawKeyBody(base.body, path, object, key, value);
  const cases = [
    caseOf(
      op,
      { ...base, body: setAt(base.body, path, { ...object, unknownField: 1 }) },
      'body',
      `${where} + unknown field`,
    ),
  ];
  const polluting: [string, string, unknown][] = [
    ['__proto__', '{"__proto__":{"isAdmin":true}}', { isAdmin: true }],
    ['constructor', '{"constructor":{"prototype":{"isAdmin":true}}}', { prototype: { isAdmin: true } }],
  ];
  for (const [key, label, value] of polluting) {
    cases.push({
      ...caseOf(op, base, 'body', `${where} + ${label}`),
      payload: withKey(key, value),
      expect: { reason: `a '${key}' key in the body must be refused`, statuses: [400] },
    });
  }
  return cases;
}

/** JSON text with `key` added to the object at `path`: JSON.stringify cannot write `__proto__`. */
function rawKeyBody(body: unknown, path: Path, object: Record<string, unknown>, key: string, value: unknown): string {
  const marker = '__hostile_marker_key__';
  return JSON.stringify(setAt(body, path, { ...object, [marker]: value })).replace(`"${marker}"`, JSON.stringify(key));
}

/** Bodies that are not what the route reads: malformed, polluted, oversized, deep, not UTF-8. */
export function rawBodyCases(op: Operation, base: RequestParts, bodyLimit: number): HostileCase[] {
  if (!BODY_METHODS.has(op.method)) {
    return [raw(op, base, 'GET-style body over the limit (ignored)', oversized(bodyLimit), undefined)];
  }
  const valid = jsonPayload(base.body) ?? '{}';
  const refuse = (reason: string, statuses?: number[]) => ({ reason, ...(statuses ? { statuses } : {}) });
  const malformed = refuse('malformed JSON must be refused', [400]);
  const notUtf8 = (bytes: number[]) => withBytesInAString(op, base, bytes);
  const notUtf8Refused = refuse('a body that is not valid UTF-8 must be refused', [400]);
  return [
    raw(op, base, 'empty body', '', op.body?.required ? refuse('the required body is missing', [400]) : undefined),
    raw(op, base, 'truncated JSON', valid.slice(0, Math.max(1, valid.length - 1)), malformed),
    raw(op, base, 'trailing comma', valid.replace(/}$/, ',}'), valid.endsWith('}') ? malformed : undefined),
    raw(op, base, 'two JSON documents', `${valid}${valid}`, malformed),
    raw(op, base, 'single-quoted JSON', valid.replace(/"/g, "'"), valid.includes('"') ? malformed : undefined),
    raw(op, base, 'NaN literal', '{"a":NaN}', malformed),
    raw(op, base, 'BOM before JSON', `\ufeff${valid}`, undefined),
    raw(op, base, 'root __proto__', '{"__proto__":{"isAdmin":true}}', refuse('a __proto__ key must be refused', [400])),
    raw(
      op,
      base,
      'root constructor.prototype',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      refuse('a constructor key must be refused', [400]),
    ),
    raw(op, base, 'body over the limit', oversized(bodyLimit), refuse('a body over the limit must be refused', [413])),
    raw(
      op,
      base,
      'array nested 100 000 deep',
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      bodyOracle(op, base, []),
    ),
    raw(
      op,
      base,
      'object nested 10 000 deep',
      `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
      bodyOracle(op, base, { a: {} }),
    ),
    raw(op, base, 'invalid UTF-8 (C3 28)', notUtf8([0xc3, 0x28]), notUtf8Refused),
    raw(op, base, 'invalid UTF-8 (lone continuation 80)', notUtf8([0x80]), notUtf8Refused),
    raw(op, base, 'overlong UTF-8 (C0 AF)', notUtf8([0xc0, 0xaf]), notUtf8Refused),
    raw(op, base, 'invalid UTF-8 (F8 88 80 80 80)', notUtf8([0xf8, 0x88, 0x80, 0x80, 0x80]), notUtf8Refused),
    raw(op, base, 'UTF-8 encoded surrogate (ED A0 80)', notUtf8([0xed, 0xa0, 0x80]), notUtf8Refused),
    raw(op, base, 'UTF-16LE body', Buffer.from(valid, 'utf16le'), malformed),
    ...['null', '[]', '"text"', '0', 'true'].map((text) =>
      raw(op, base, `root ${text}`, text, bodyOracle(op, base, JSON.parse(text))),
    ),
  ];
}

function bodyOracle(op: Operation, base: RequestParts, body: unknown): HostileCase['expect'] {
  return op.body ? oracle(op, { ...base, body }) : undefined;
}

/**
 * The valid body with raw bytes inside its first string value (or a body of one such string):
 * the JSON is well formed, only its encoding is broken.
 */
function withBytesInAString(op: Operation, base: RequestParts, bytes: number[]): Buffer {
  const marker = 'HOSTILEBYTESMARKER';
  const point = op.body ? pointsOf(op.body.schema, base.body).find((p) => typesOf(p.schema).has('string')) : undefined;
  const text = point ? JSON.stringify(setAt(base.body, point.path, marker)) : JSON.stringify({ text: marker });
  const [before = '', after = ''] = text.split(marker);
  return Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from(bytes), Buffer.from(after, 'utf8')]);
}

const oversized = (limit: number): string => `{"pad":"${'x'.repeat(limit)}"}`;

function raw(
  op: Operation,
  base: RequestParts,
  label: string,
  payload: string | Buffer,
  expect: HostileCase['expect'],
): HostileCase {
  return {
    family: 'raw-body',
    label,
    method: op.method,
    url: urlOf(op, base),
    headers: { ...base.headers, 'content-type': 'application/json' },
    payload,
    expect,
    everyIdentity: false,
  };
}

/** The valid body under the wrong content types, or none at all. */
export function mediaCases(op: Operation, base: RequestParts): HostileCase[] {
  if (!BODY_METHODS.has(op.method)) return [];
  const valid = jsonPayload(base.body) ?? '{}';
  const refuse = op.body ? { reason: 'a JSON body route must refuse other media types' } : undefined;
  const variants: [string, string | undefined, string, HostileCase['expect']][] = [
    ['text/plain', 'text/plain', valid, refuse],
    ['form-urlencoded', 'application/x-www-form-urlencoded', 'id=x&name=y&__proto__[isAdmin]=true', refuse],
    [
      'multipart',
      'multipart/form-data; boundary=X',
      `--X\r\nContent-Disposition: form-data; name="a"\r\n\r\n${valid}\r\n--X--\r\n`,
      refuse,
    ],
    [
      'no content-type',
      undefined,
      valid,
      op.body ? { reason: 'a body without a content type', statuses: [400, 415] } : undefined,
    ],
    ['application/xml', 'application/xml', '<a>1</a>', refuse],
    ['application/problem+json', 'application/problem+json', valid, undefined],
    ['charset=utf-16', 'application/json; charset=utf-16', valid, undefined],
    ['content type ";;;"', ';;;', valid, undefined],
    ['content type with 2 000 parameters', `application/json${'; a=b'.repeat(2000)}`, valid, undefined],
  ];
  return variants.map(([label, type, payload, expect]) => ({
    family: 'media' as const,
    label: `content type: ${label}`,
    method: op.method,
    url: urlOf(op, base),
    headers: type === undefined ? { ...base.headers } : { ...base.headers, 'content-type': type },
    payload,
    expect,
    everyIdentity: false,
  }));
}

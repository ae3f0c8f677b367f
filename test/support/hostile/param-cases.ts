import fc from 'fast-check';
import { HTTP_METHODS, operationName, type Operation } from './openapi.js';
import {
  caseOf,
  excerpt,
  jsonHeaders,
  jsonPayload,
  textOf,
  urlOf,
  type HostileCase,
  type KnownIds,
  type RequestParts,
} from './request.js';
import { conforms } from './schema.js';
import { HOSTILE_STRINGS, RAW_SEGMENTS, asReceived, nastyString, wrongValues } from './values.js';

/** Text forms of wrong and edge values, as a query string or path segment would carry them. */
function textualWrongValues(param: { schema: Record<string, unknown> }): string[] {
  const extra = ['', 'true', '1.5', '-1', '0', '1e309', '99999999999999999999', '0x10', ' 1', '[]', '{}'];
  return [...new Set([...wrongValues(param.schema).map(textOf), ...extra])];
}

/** Seeded random strings (fast-check), the same on every run with the same seed. */
const randomTexts = (seed: number, count: number): string[] => fc.sample(nastyString(), { seed, numRuns: count });

/** Path parameters: wrong, hostile and random values (encoded), raw traversal segments, known ids of others. */
export function pathCases(op: Operation, base: RequestParts, knownIds: KnownIds, seed: number): HostileCase[] {
  const cases: HostileCase[] = [];
  for (const param of op.pathParams) {
    const values = [
      ...knownIds,
      ...textualWrongValues(param),
      ...HOSTILE_STRINGS.filter((s) => s.length > 0),
      'x'.repeat(5_000),
      ...randomTexts(seed, 12).filter((s) => s.length > 0),
    ];
    // The first few ids that fit go to every identity: that is where one participant meets another's data.
    const scoped = knownIds.filter((id) => conforms(param.schema, id, 'textual')).slice(0, 4);
    for (const value of new Set(values)) {
      const parts = { ...base, path: { ...base.path, [param.name]: asReceived(value) } };
      const everyIdentity = scoped.includes(value);
      cases.push(caseOf(op, parts, 'path', `path ${param.name} = ${excerpt(value)}`, { everyIdentity }));
    }
    for (const segment of RAW_SEGMENTS) {
      cases.push({
        ...caseOf(op, base, 'path', `path ${param.name} = raw ${JSON.stringify(segment)}`),
        url: urlOf(op, base, { [param.name]: segment }),
        expect: undefined,
      });
    }
  }
  return cases;
}

/** Query parameters: each one wrong, hostile, repeated or huge; unknown and polluting names. */
export function queryCases(op: Operation, base: RequestParts, seed: number): HostileCase[] {
  const cases: HostileCase[] = [];
  const withQuery = (label: string, query: RequestParts['query']) =>
    cases.push(caseOf(op, { ...base, query }, 'query', label));
  for (const param of op.query) {
    const rest = Object.fromEntries(Object.entries(base.query).filter(([name]) => name !== param.name));
    if (param.required) withQuery(`query ${param.name} missing (required)`, rest);
    const values = [...textualWrongValues(param), ...HOSTILE_STRINGS, ...randomTexts(seed + 1, 6)];
    for (const value of new Set(values))
      withQuery(`query ${param.name} = ${excerpt(value)}`, { ...rest, [param.name]: asReceived(value) });
    withQuery(`query ${param.name} repeated`, { ...rest, [param.name]: [base.query[param.name] ?? 'a', 'b'].flat() });
  }
  withQuery('query + unknown parameter', { ...base.query, unknownParam: '1' });
  withQuery('query + __proto__', { ...base.query, ['__proto__']: '1', 'constructor[prototype][isAdmin]': 'true' });
  withQuery('query + 500 parameters', {
    ...base.query,
    ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`p${i}`, 'x'])),
  });
  const url = urlOf(op, { ...base, query: {} });
  for (const raw of ['%ZZ=1', 'a=%00', 'limit=%C3%28', '&&&==&', '=1', 'a[b][c]=1', `q=${'%41'.repeat(30_000)}`]) {
    cases.push({ ...caseOf(op, base, 'query', `raw query ${excerpt(raw)}`), url: `${url}?${raw}`, expect: undefined });
  }
  return cases;
}

/** Declared header parameters (printable values only: the transport refuses the rest), and headers every route reads. */
export function headerCases(op: Operation, base: RequestParts): HostileCase[] {
  const printable = (value: string) => /^[\x20-\x7e]{0,8000}$/.test(value);
  const variants: [string, Record<string, string>][] = [];
  for (const param of op.headers) {
    for (const value of [...textualWrongValues(param), ...HOSTILE_STRINGS].filter(printable)) {
      variants.push([`header ${param.name} = ${excerpt(value)}`, { [param.name]: value }]);
    }
  }
  for (const requestId of ['../../etc/passwd', '<script>alert(1)</script>', "' OR 1=1 --", 'r'.repeat(65), 'short']) {
    variants.push([`x-request-id ${excerpt(requestId)}`, { 'x-request-id': requestId }]);
  }
  variants.push(['accept: application/xml', { accept: 'application/xml' }]);
  variants.push(['x-forwarded-for junk', { 'x-forwarded-for': "'; DROP TABLE x; --, 999.999.1.1" }]);
  variants.push(['user-agent 10 000 characters', { 'user-agent': 'u'.repeat(10_000) }]);
  variants.push(['cookie junk', { cookie: 'tl_session=../../x; tl_session=tok_aaaaaaaaaaaaaaaa.x; __proto__=1' }]);
  return variants.map(([label, headers]) => ({
    family: 'header' as const,
    label,
    method: op.method,
    url: urlOf(op, base),
    headers: { ...jsonHeaders(base), ...headers },
    payload: jsonPayload(base.body),
    expect: undefined,
    everyIdentity: false,
  }));
}

/** Odd spellings of the operation's own URL. */
export function urlCases(op: Operation, base: RequestParts): HostileCase[] {
  const url = urlOf(op, { ...base, query: {} });
  const variants = [
    `${url}/`,
    `${url}//`,
    url.replace('/', '//'),
    url.toUpperCase(),
    `${url}/..`,
    `${url}/%2e%2e/`,
    `${url}%2F`,
    `${url};a=b`,
    `${url}/./`,
  ];
  return variants.map((variant) => ({
    ...caseOf(op, base, 'url', `url ${JSON.stringify(variant)}`),
    url: variant,
    expect: undefined,
  }));
}

/** Methods a path does not declare (HEAD is Fastify's for every GET): each must be refused. */
export function methodCases(operations: readonly Operation[]): HostileCase[] {
  const byPath = new Map<string, Operation[]>();
  for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  const cases: HostileCase[] = [];
  for (const [path, ops] of byPath) {
    const declared = new Set(ops.map((op) => op.method));
    const example = ops[0]!;
    const url = urlOf(example, { path: Object.fromEntries(example.pathParams.map((p) => [p.name, 'x'])), query: {} });
    for (const method of HTTP_METHODS) {
      if (declared.has(method) || (method === 'HEAD' && declared.has('GET'))) continue;
      cases.push({
        family: 'method',
        label: `undeclared method on ${path}`,
        method,
        url,
        headers: { 'content-type': 'application/json' },
        payload: method === 'GET' || method === 'HEAD' ? undefined : '{}',
        expect: { reason: `${operationName({ method, path })} is not declared` },
        everyIdentity: true,
      });
    }
  }
  return cases;
}

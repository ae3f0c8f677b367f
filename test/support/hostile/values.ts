import fc from 'fast-check';
import { numberOf, typesOf, type JsonSchema } from './schema.js';

/** 100 000 characters: far past any declared maxLength, well under the body limit. */
export const LONG_STRING = 'A'.repeat(100_000);

/** Strings that have broken parsers, queries, templates and terminals before. */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR 1=1 --",
  "'; DROP TABLE participants; --",
  '" OR ""="',
  "%' UNION SELECT secret_hash FROM api_tokens --",
  '\\',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202egnp.exe',
  '\ufeff\u200b\u2028\u2029',
  'e\u0301\u0301\u0301\u0301',
  '𝕏'.repeat(40),
  ' ',
  '',
  '\r\nX-Injected: 1',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '-1',
  '9'.repeat(40),
  LONG_STRING,
];

/** `depth` objects nested in one another: `{"a":{"a":…}}`. */
export function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

/** Values of every JSON type the schema does not admit, and edge values of the types it does. */
export function wrongValues(schema: JsonSchema): unknown[] {
  const types = typesOf(schema);
  const out: unknown[] = [];
  if (!types.has('string')) out.push('text', '1', '');
  if (!types.has('number') && !types.has('integer')) out.push(0, -1, 1.5);
  if (!types.has('boolean')) out.push(true, false);
  if (!types.has('null')) out.push(null);
  if (!types.has('object')) out.push({}, { a: 1 });
  if (!types.has('array')) out.push([], ['x']);
  if (types.has('integer') || types.has('number')) out.push(...numericEdges(schema));
  if (types.has('string')) out.push(...stringEdges(schema));
  if (Array.isArray(schema.enum) || hasLiteralBranches(schema)) out.push('ADMIN', 'not-a-member', ' admin');
  return out;
}

function numericEdges(schema: JsonSchema): unknown[] {
  const min = numberOf(schema, 'minimum');
  const max = numberOf(schema, 'maximum');
  return [
    ...(min !== undefined ? [min - 1, min - 0.5] : []),
    ...(max !== undefined ? [max + 1, max + 0.5] : []),
    2 ** 53 + 2,
    -(2 ** 63),
    1e308,
    0.1,
    -0,
  ];
}

function stringEdges(schema: JsonSchema): unknown[] {
  const min = numberOf(schema, 'minLength');
  const max = numberOf(schema, 'maxLength');
  return [
    ...(min !== undefined && min > 0 ? ['x'.repeat(min - 1)] : []),
    ...(max !== undefined ? ['x'.repeat(max + 1)] : []),
    ...(schema.format !== undefined ? ['not a ' + String(schema.format)] : []),
  ];
}

const hasLiteralBranches = (schema: JsonSchema): boolean =>
  Array.isArray(schema.anyOf) && schema.anyOf.some((b) => typeof b === 'object' && b !== null && 'enum' in b);

/** Percent-encodes the UTF-8 bytes of `text` (lone surrogates become U+FFFD, as on the wire). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** What the server sees after decoding `percentEncode(text)`. */
export const asReceived = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

/**
 * Path segments inserted as they are, not encoded: traversal, broken and overlong percent
 * escapes, separators. They may route elsewhere or nowhere, which is part of the test.
 */
export const RAW_SEGMENTS: readonly string[] = [
  '..',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%2e%2e',
  '%00',
  'a%00b',
  '%C3%28',
  '%C0%AF',
  '%E0%A4%A',
  '%',
  '%ZZ',
  '%FF%FE',
  ';x=1',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  "'%20OR%201=1%20--",
  '%u002e',
  '.',
  '',
];

/** Characters that matter to parsers, SQL, HTML and terminals, mixed with arbitrary code points. */
const nastyUnit = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\ud800',
      '\udfff',
      '\u202e',
      '\n',
      '\t',
      "'",
      '"',
      '\\',
      '<',
      '>',
      '&',
      '%',
      '/',
      '.',
      '`',
      '$',
      '{',
      ';',
      '-',
      '#',
      '?',
      '*',
      '_',
      '\ufeff',
      '\u2028',
      'é',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

/** Seeded random strings for fast-check: short, dense in dangerous characters. */
export const nastyString = (maxLength = 24): fc.Arbitrary<string> => fc.string({ unit: nastyUnit, maxLength });

/** Random JSON of any shape, with nasty strings inside. */
export const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(nastyString(8), nastyString(), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
);

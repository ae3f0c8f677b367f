import * as canonicalizeModule from 'canonicalize';

// The package is CommonJS (`module.exports = fn`); under NodeNext its typings miss the call signature.
const serialize = (canonicalizeModule as unknown as { default: (value: unknown) => string | undefined }).default;

/** RFC 8785 JSON Canonicalization Scheme: the one form hashed and signed across Trustloop. */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/**
 * The same bytes as `canonicalJson(record)`, several times faster, for a flat record built with its
 * keys already in RFC 8785 order (UTF-16 code-unit order): the audit chain hashes one per event.
 * RFC 8785 takes its string and number forms from ECMAScript's JSON.stringify, so for sorted keys
 * and primitive values the native JSON.stringify already writes the canonical form. Any other
 * record (unsorted keys, a nested object, a non-finite number) goes through the library.
 */
export function canonicalJsonOfSortedRecord(record: Readonly<Record<string, unknown>>): string {
  return isSortedAndFlat(record) ? JSON.stringify(record) : canonicalJson(record);
}

/**
 * `canonicalJson(record)` for any record: a flat one is rebuilt with its keys sorted and takes the
 * fast path; anything else goes through the library. Audit details are usually small flat records
 * written in whatever order their caller chose.
 */
export function canonicalJsonOfRecord(record: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(record);
  if (!keys.every((key) => isJsonPrimitive(record[key]))) return canonicalJson(record);
  const sorted: Record<string, unknown> = {};
  for (const key of keys.sort()) sorted[key] = record[key];
  return canonicalJsonOfSortedRecord(sorted);
}

function isSortedAndFlat(record: Readonly<Record<string, unknown>>): boolean {
  // Object.keys yields the order JSON.stringify writes in (integer-like keys first), so checking
  // it rather than the literal's source order also catches keys the engine would reorder.
  let previous: string | undefined;
  for (const key of Object.keys(record)) {
    if (previous !== undefined && !(previous < key)) return false;
    if (!isJsonPrimitive(record[key])) return false;
    previous = key;
  }
  return true;
}

const isJsonPrimitive = (value: unknown): boolean =>
  value === null ||
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value));

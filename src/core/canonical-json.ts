import * as canonicalizeModule from 'canonicalize';

// The package is CommonJS (`module.exports = fn`); under NodeNext its typings miss the call signature.
const serialize = (canonicalizeModule as unknown as { default: (value: unknown) => string | undefined }).default;

/** RFC 8785 JSON Canonicalization Scheme: the one form hashed and signed across Trustloop. */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

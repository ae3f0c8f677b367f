import { createDecipheriv, type KeyObject } from 'node:crypto';
import { FlattenedEncrypt } from 'jose';
import { TrustloopError } from '../../core/errors.js';
import { decodeBase64Url, parseJsonObject } from '../message.js';

/** One entry of the `FSPIOP-Encryption` header (Encryption standard, table 3). */
export interface EncryptedField {
  fieldName: string;
  encryptedKey: string;
  protectedHeader: string;
  initializationVector: string;
  authenticationTag: string;
}

/** Unwraps a JWE Encrypted Key into the CEK: the recipient's CPM key, or a KeyObject in tests. */
export type CekUnwrapper = (encryptedKey: Buffer, algorithm: string) => Promise<Buffer>;

/** The standard allows only RSA-OAEP-256 to protect the CEK. */
export const FSPIOP_KEY_ALGORITHMS = ['RSA-OAEP-256'] as const;
const CONTENT_ALGORITHMS: Record<string, { cipher: 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'; cekBytes: number }> =
  {
    A128GCM: { cipher: 'aes-128-gcm', cekBytes: 16 },
    A192GCM: { cipher: 'aes-192-gcm', cekBytes: 24 },
    A256GCM: { cipher: 'aes-256-gcm', cekBytes: 32 },
  };
const SEGMENT = /^[A-Za-z0-9_]{1,128}$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);
const malformed = (message: string) => new TrustloopError('ERR_FSPIOP_ENCRYPTION_MALFORMED', message);

type JsonObject = Record<string, unknown>;

/** `payer.personalInfo.dateOfBirth` → its segments, refusing anything that is not a plain member name. */
export function fieldPath(fieldName: string): string[] {
  const segments = fieldName.split('.');
  if (fieldName.length > 512 || segments.some((s) => !SEGMENT.test(s) || FORBIDDEN_SEGMENTS.has(s)))
    throw malformed(`fieldName '${fieldName.slice(0, 64)}' must be member names joined by '.'`);
  return segments;
}

function locate(body: JsonObject, fieldName: string): { parent: JsonObject; member: string } {
  const segments = fieldPath(fieldName);
  let parent: unknown = body;
  for (const segment of segments.slice(0, -1)) {
    parent = isObject(parent) && Object.hasOwn(parent, segment) ? parent[segment] : undefined;
  }
  const member = segments.at(-1)!;
  if (!isObject(parent) || !Object.hasOwn(parent, member))
    throw new TrustloopError('ERR_FSPIOP_FIELD_NOT_FOUND', `the body has no field '${fieldName.slice(0, 64)}'`);
  return { parent, member };
}

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A string field is encrypted as its UTF-8 text (as the standard's partyIdentifier example), any
 * other value as its JSON text (as the `payer` object example).
 */
const fieldPlaintext = (value: unknown): Buffer =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

/** The inverse: an object or array comes back as JSON; anything else stays the decrypted text. */
function fieldValue(plaintext: Buffer): unknown {
  const text = plaintext.toString('utf8');
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Encrypts each named field for the recipient (RSA-OAEP-256 + A256GCM, a fresh CEK per field, by
 * `jose`), replaces its value with the BASE64URL ciphertext, and returns the new body and the
 * `FSPIOP-Encryption` header value. Sign the result afterwards, with FSPIOP-Encryption protected.
 */
export async function encryptFields(
  body: JsonObject,
  fieldNames: readonly string[],
  recipient: KeyObject,
): Promise<{ body: JsonObject; header: string; fields: EncryptedField[] }> {
  if (new Set(fieldNames).size !== fieldNames.length) throw malformed('a field is named twice');
  const copy = structuredClone(body);
  const fields: EncryptedField[] = [];
  for (const fieldName of fieldNames) {
    const { parent, member } = locate(copy, fieldName);
    const jwe = await new FlattenedEncrypt(fieldPlaintext(parent[member]))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' })
      .encrypt(recipient);
    parent[member] = jwe.ciphertext;
    fields.push({
      fieldName,
      encryptedKey: jwe.encrypted_key!,
      protectedHeader: jwe.protected!,
      initializationVector: jwe.iv!,
      authenticationTag: jwe.tag!,
    });
  }
  return { body: copy, header: JSON.stringify({ encryptedFields: fields }), fields };
}

/** Parses the `FSPIOP-Encryption` header value: `{"encryptedFields": [ {…}, … ]}`. */
export function parseEncryptionHeader(value: string): EncryptedField[] {
  const parsed = parseJsonObject(value, 'FSPIOP-Encryption', 'ERR_FSPIOP_ENCRYPTION_MALFORMED');
  const list = parsed.encryptedFields;
  if (!Array.isArray(list) || list.length === 0 || list.length > 64)
    throw malformed('FSPIOP-Encryption.encryptedFields must be a list of 1-64 fields');
  const names = ['fieldName', 'encryptedKey', 'protectedHeader', 'initializationVector', 'authenticationTag'];
  return list.map((entry: unknown, index) => {
    if (!isObject(entry) || Object.keys(entry).some((k) => !names.includes(k)))
      throw malformed(`encryptedFields[${index}] must have exactly ${names.join(', ')}`);
    for (const name of names) {
      if (typeof entry[name] !== 'string' || (entry[name] as string).length === 0)
        throw malformed(`encryptedFields[${index}].${name} must be a non-empty string`);
    }
    return entry as unknown as EncryptedField;
  });
}

/**
 * Decrypts one field: checks its JWE Protected Header, unwraps the CEK with `unwrap`, and opens
 * the ciphertext with AES-GCM under ASCII(BASE64URL(protected header)) as AAD. A wrong tag,
 * key or header refuses the field without returning any plaintext.
 */
export async function decryptField(
  field: EncryptedField,
  ciphertext: string,
  unwrap: CekUnwrapper,
  keyAlgorithms: readonly string[] = FSPIOP_KEY_ALGORITHMS,
): Promise<Buffer> {
  const code = 'ERR_FSPIOP_ENCRYPTION_MALFORMED';
  const header = parseJsonObject(
    decodeBase64Url(field.protectedHeader, `${field.fieldName}: protectedHeader`, code),
    `${field.fieldName}: the JWE protected header`,
    code,
  );
  const { alg, enc } = header;
  const extra = Object.keys(header).filter((k) => !['alg', 'enc', 'kid', 'typ', 'cty'].includes(k));
  if (extra.length > 0) throw malformed(`${field.fieldName}: JWE header parameter '${extra[0]}' is not supported`);
  if (typeof alg !== 'string' || !keyAlgorithms.includes(alg))
    throw malformed(`${field.fieldName}: alg must be ${keyAlgorithms.join(' or ')}`);
  const content = typeof enc === 'string' ? CONTENT_ALGORITHMS[enc] : undefined;
  if (!content) throw malformed(`${field.fieldName}: enc must be A128GCM, A192GCM or A256GCM`);
  const iv = decodeBase64Url(field.initializationVector, `${field.fieldName}: initializationVector`, code);
  const tag = decodeBase64Url(field.authenticationTag, `${field.fieldName}: authenticationTag`, code);
  const data = decodeBase64Url(ciphertext, `${field.fieldName}: ciphertext`, code);
  const encryptedKey = decodeBase64Url(field.encryptedKey, `${field.fieldName}: encryptedKey`, code);
  // RFC 7518 §5.3: a 96-bit IV and a 128-bit tag.
  if (iv.length !== 12) throw malformed(`${field.fieldName}: the initialization vector must be 96 bits`);
  if (tag.length !== 16) throw malformed(`${field.fieldName}: the authentication tag must be 128 bits`);
  const cek = await unwrap(encryptedKey, alg);
  try {
    if (cek.length !== content.cekBytes)
      throw new TrustloopError('ERR_DECRYPTION_FAILED', `${field.fieldName}: the key does not unwrap this field`);
    const decipher = createDecipheriv(content.cipher, cek, iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(field.protectedHeader, 'ascii'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      throw new TrustloopError('ERR_DECRYPTION_FAILED', `${field.fieldName}: the authentication tag does not match`);
    }
  } finally {
    cek.fill(0);
  }
}

/**
 * Decrypts every field the `FSPIOP-Encryption` header lists and puts the plaintext values back
 * into the body. All must succeed, or the message is refused (Encryption standard, decryption).
 */
export async function decryptFields(
  body: JsonObject,
  encryptionHeader: string,
  unwrap: CekUnwrapper,
): Promise<{ body: JsonObject; fieldNames: string[] }> {
  const fields = parseEncryptionHeader(encryptionHeader);
  const copy = structuredClone(body);
  for (const field of fields) {
    const { parent, member } = locate(copy, field.fieldName);
    const ciphertext = parent[member];
    if (typeof ciphertext !== 'string')
      throw malformed(`${field.fieldName}: the body holds no ciphertext string for this field`);
    parent[member] = fieldValue(await decryptField(field, ciphertext, unwrap));
  }
  return { body: copy, fieldNames: fields.map((f) => f.fieldName) };
}

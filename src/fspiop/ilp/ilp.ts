import { createHash, timingSafeEqual } from 'node:crypto';
import { deserializeIlpPrepare, serializeIlpPrepare } from 'ilp-packet';
import { canonicalJson } from '../../core/canonical-json.js';
import { TrustloopError } from '../../core/errors.js';
import { MINOR_UNITS } from './currencies.js';

/** The ILP address Mojaloop's ILP v4 packets carry: parties are named in the transaction, not the address. */
export const MOJALOOP_ILP_ADDRESS = 'g.mojaloop';

/** HMAC-SHA-256 over the given bytes with the scheme secret: a CPM MAC key, or a raw secret in tests. */
export type FulfilmentMac = (data: Buffer) => Promise<Buffer>;

type Json = Record<string, unknown>;
export interface FspiopAmount {
  amount: string;
  currency: string;
}

export interface IlpResult {
  ilpPacket: string;
  condition: string;
  fulfilment: string;
}

const invalid = (message: string) => new TrustloopError('ERR_ILP_INVALID', message);

/**
 * The FSPIOP Transaction object the payee commits to for a quote: the request's ids, parties and
 * type, with the amount, expiration and note of the payee's quote response.
 */
export function quoteTransaction(quoteRequest: Json, quoteResponse: Json): Json {
  const pick = (from: Json, name: string) => {
    if (from[name] === undefined)
      throw invalid(`${from === quoteRequest ? 'quoteRequest' : 'quoteResponse'}.${name} is required`);
    return from[name];
  };
  const note = quoteResponse.note;
  return {
    quoteId: pick(quoteRequest, 'quoteId'),
    transactionId: pick(quoteRequest, 'transactionId'),
    transactionType: pick(quoteRequest, 'transactionType'),
    payee: pick(quoteRequest, 'payee'),
    payer: pick(quoteRequest, 'payer'),
    expiration: pick(quoteResponse, 'expiration'),
    amount: pick(quoteResponse, 'transferAmount'),
    ...(typeof note === 'string' && note.length > 0 ? { note } : {}),
  };
}

/** An FSPIOP amount ("150.5" USD) as the ILP integer in the currency's smallest unit ("15050"). */
export function ilpAmount(amount: FspiopAmount): string {
  const digits = MINOR_UNITS.get(amount.currency);
  if (digits === undefined)
    throw invalid(`currency '${String(amount.currency).slice(0, 8)}' has no ISO 4217 minor unit`);
  const match = /^([0-9]{1,18})(?:\.([0-9]{1,4}))?$/.exec(String(amount.amount));
  if (!match) throw invalid('amount must be a non-negative decimal number');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) throw invalid(`${amount.currency} amounts have at most ${digits} decimal places`);
  const scaled = BigInt(match[1]! + fraction.padEnd(digits, '0'));
  if (scaled > 0xffff_ffff_ffff_ffffn) throw invalid('amount does not fit an ILP UInt64');
  return scaled.toString();
}

/**
 * Fulfilment, condition and ILP v4 Prepare packet for a transaction, as Mojaloop computes them:
 * fulfilment = HMAC-SHA-256 over ASCII(BASE64(canonical JSON of the transaction)); condition =
 * SHA-256(fulfilment); the packet's data = ASCII(BASE64URL(the same JSON)). Canonical JSON is RFC
 * 8785 (key-sorted), so every party derives the same bytes from the same transaction.
 */
export async function ilpForTransaction(transaction: Json, mac: FulfilmentMac): Promise<IlpResult> {
  const json = canonicalJson(transaction);
  const amount = transaction.amount as FspiopAmount | undefined;
  if (!amount || typeof amount !== 'object') throw invalid('transaction.amount is required');
  const expiresAt = new Date(String(transaction.expiration));
  if (Number.isNaN(expiresAt.getTime())) throw invalid('transaction.expiration must be a date-time');
  const fulfilment = await mac(Buffer.from(Buffer.from(json, 'utf8').toString('base64'), 'ascii'));
  const condition = createHash('sha256').update(fulfilment).digest();
  const packet = serializeIlpPrepare({
    amount: ilpAmount(amount),
    destination: MOJALOOP_ILP_ADDRESS,
    expiresAt,
    executionCondition: condition,
    data: Buffer.from(Buffer.from(json, 'utf8').toString('base64url'), 'ascii'),
  });
  return {
    ilpPacket: packet.toString('base64url'),
    condition: condition.toString('base64url'),
    fulfilment: fulfilment.toString('base64url'),
  };
}

/** True when SHA-256 of the 32-byte fulfilment is the condition (FSPIOP API §6.7 / ILP). */
export function fulfilmentMatches(fulfilment: string, condition: string): boolean {
  const preimage = Buffer.from(fulfilment, 'base64url');
  const expected = Buffer.from(condition, 'base64url');
  // Exactly 32 bytes in canonical BASE64URL: the unused low bits of the last character must be zero.
  if (preimage.length !== 32 || expected.length !== 32) return false;
  if (preimage.toString('base64url') !== fulfilment || expected.toString('base64url') !== condition) return false;
  return timingSafeEqual(createHash('sha256').update(preimage).digest(), expected);
}

/** Decodes an ILP v4 Prepare packet and the FSPIOP transaction in its data. */
export function decodeIlpPacket(ilpPacket: string): {
  amount: string;
  destination: string;
  expiresAt: string;
  condition: string;
  transaction: Json;
} {
  if (!/^[A-Za-z0-9_+/=-]{1,65536}$/.test(ilpPacket)) throw invalid('ilpPacket must be base64url');
  let prepare;
  let transaction: unknown;
  try {
    prepare = deserializeIlpPrepare(Buffer.from(ilpPacket, 'base64url'));
    transaction = JSON.parse(Buffer.from(prepare.data.toString('ascii'), 'base64url').toString('utf8'));
  } catch {
    throw invalid('ilpPacket is not an ILP v4 Prepare packet carrying an FSPIOP transaction');
  }
  if (transaction === null || typeof transaction !== 'object' || Array.isArray(transaction))
    throw invalid('the ILP packet data is not an FSPIOP transaction object');
  return {
    amount: prepare.amount,
    destination: prepare.destination,
    expiresAt: prepare.expiresAt.toISOString(),
    condition: prepare.executionCondition.toString('base64url'),
    transaction: transaction as Json,
  };
}

import type { AuditService } from '../audit/service.js';
import type { RequestContext } from '../core/context.js';
import { TrustloopError, isTrustloopError } from '../core/errors.js';
import type { KeyService } from '../cpm/keys/service.js';
import { parseVersioned, versioned, type CryptoService } from '../cpm/ops/service.js';
import type { CertificateRegistry } from './certificates/service.js';
import { decryptFields, encryptFields, type CekUnwrapper } from './jwe/fields.js';
import {
  FSPIOP_SIGNING_ALGORITHMS,
  signFspiopRequest,
  type FspiopSigningAlgorithm,
  type JwsSigner,
} from './jws/sign.js';
import { verifyFspiopRequest, type VerifiedFspiopRequest } from './jws/verify.js';
import {
  decodeIlpPacket,
  fulfilmentMatches,
  ilpForTransaction,
  quoteTransaction,
  type FulfilmentMac,
} from './ilp/ilp.js';
import { MAX_FSPIOP_BODY_BYTES, lowerCaseHeaders, parseJsonObject, type FspiopRequest } from './message.js';

type JsonObject = Record<string, unknown>;

/** The algorithm a CPM key type signs FSPIOP messages with by default. */
const DEFAULT_ALGORITHM: Partial<Record<string, FspiopSigningAlgorithm>> = {
  'rsa-2048': 'RS256',
  'rsa-3072': 'RS256',
  'rsa-4096': 'RS256',
  'ec-p256': 'ES256',
};

/**
 * FSPIOP message security over the CPM and the certificate registry: sign with a CPM key (software
 * or HSM), verify against the sender's registered certificate, encrypt fields to the recipient's
 * certificate, decrypt with a CPM key, and the ILP condition / fulfilment. Every operation is
 * audited with who, which key or certificate, source and destination — never the message.
 */
export class FspiopService {
  constructor(
    private readonly audit: AuditService,
    private readonly keys: KeyService,
    private readonly crypto: CryptoService,
    readonly certificates: CertificateRegistry,
  ) {}

  async sign(ctx: RequestContext, keyId: string, request: FspiopRequest, algorithm?: FspiopSigningAlgorithm) {
    const headers = lowerCaseHeaders(request.headers);
    const source = headers.get('fspiop-source') ?? null;
    const facts = { keyId, source, destination: headers.get('fspiop-destination') ?? null };
    return this.audited(
      ctx,
      'fspiop.sign',
      facts,
      async () => {
        if (ctx.actor.participantId !== null && source !== ctx.actor.participantId)
          throw new TrustloopError('ERR_FORBIDDEN', 'a participant signs only messages whose FSPIOP-Source is itself');
        const { key } = await this.keys.forOperation(ctx, keyId, 'sign');
        const chosen = algorithm ?? DEFAULT_ALGORITHM[key.type];
        if (!chosen || !FSPIOP_SIGNING_ALGORITHMS.includes(chosen) || !fits(key.type, chosen))
          throw new TrustloopError(
            'ERR_FSPIOP_ALGORITHM',
            `a ${key.type} key cannot make an FSPIOP signature${chosen ? ` with ${chosen}` : ''} (RS256 or PS256 with RSA, ES256 with P-256)`,
          );
        let keyVersion = 0;
        const signer: JwsSigner = async (input, alg) => {
          const signed = await this.crypto.sign(ctx, keyId, input, {
            algorithm: alg,
            auditDetails: { fspiop: clip({ source: facts.source, destination: facts.destination }) },
          });
          keyVersion = signed.keyVersion;
          return parseVersioned(signed.signature, 'signature').bytes;
        };
        const result = await signFspiopRequest(request, chosen, signer);
        return { result: { ...result, keyVersion }, details: { algorithm: chosen, keyVersion } };
      },
      // A signature is audited once, as the CPM's key.sign event carrying the message's source and
      // destination; refusals before the CPM is reached are audited here.
      false,
    );
  }

  /** Verifies against the registered certificates of the request's FSPIOP-Source; throws the reason on failure. */
  async verify(ctx: RequestContext, request: FspiopRequest): Promise<VerifiedFspiopRequest> {
    const headers = lowerCaseHeaders(request.headers);
    const facts = {
      source: headers.get('fspiop-source') ?? null,
      destination: headers.get('fspiop-destination') ?? null,
    };
    return this.audited(ctx, 'fspiop.verify', facts, async () => {
      const verified = await verifyFspiopRequest(request, (source) => this.certificates.verificationKeys(source));
      return {
        result: verified,
        details: { algorithm: verified.algorithm, certificateId: verified.certificateId },
      };
    });
  }

  /** Encrypts the named fields of a JSON body to the recipient's registered encryption certificate. */
  async encrypt(ctx: RequestContext, recipient: string, body: string, fields: readonly string[]) {
    return this.audited(ctx, 'fspiop.encrypt', { destination: recipient, fields: fields.length }, async () => {
      const parsed = jsonBody(body);
      const key = await this.certificates.encryptionKey(recipient);
      const encrypted = await encryptFields(parsed, fields, key.key);
      return {
        result: {
          body: JSON.stringify(encrypted.body),
          headers: { 'FSPIOP-Encryption': encrypted.header },
          certificateId: key.id,
        },
        details: { certificateId: key.id },
      };
    });
  }

  /**
   * Decrypts the fields an FSPIOP-Encryption header lists with an RSA CPM key: the CEK is unwrapped
   * inside the CPM (RSA-OAEP-256), the field opened here with AES-GCM. An HSM without OAEP-SHA-256
   * answers ERR_HSM_UNSUPPORTED.
   */
  async decrypt(ctx: RequestContext, keyId: string, body: string, encryption: string) {
    return this.audited(ctx, 'fspiop.decrypt', { keyId }, async () => {
      const parsed = jsonBody(body);
      const { ref } = await this.keys.forOperation(ctx, keyId, 'decrypt');
      const unwrap: CekUnwrapper = async (encryptedKey) => {
        try {
          const { plaintext } = await this.crypto.decrypt(ctx, keyId, versioned(ref.version, encryptedKey), undefined);
          return plaintext;
        } catch (error) {
          if (isTrustloopError(error) && error.code === 'ERR_DECRYPTION_FAILED')
            throw new TrustloopError('ERR_DECRYPTION_FAILED', 'the encrypted key does not open with this key');
          throw error;
        }
      };
      const decrypted = await decryptFields(parsed, encryption, unwrap);
      return {
        result: { body: JSON.stringify(decrypted.body), fields: decrypted.fieldNames, keyVersion: ref.version },
        details: { keyVersion: ref.version, fields: decrypted.fieldNames.length },
      };
    });
  }

  /** The payee's ILP packet and condition for a quote; the fulfilment stays derivable only with the MAC key. */
  async ilpQuote(ctx: RequestContext, keyId: string, quoteRequest: JsonObject, quoteResponse: JsonObject) {
    return this.audited(ctx, 'fspiop.ilp.quote', { keyId }, async () => {
      const { ilpPacket, condition } = await ilpForTransaction(
        quoteTransaction(quoteRequest, quoteResponse),
        this.mac(ctx, keyId),
      );
      return { result: { ilpPacket, condition }, details: {} };
    });
  }

  /** Regenerates the fulfilment for a packet this key made; refuses a packet whose condition it cannot meet. */
  async ilpFulfil(ctx: RequestContext, keyId: string, ilpPacket: string) {
    return this.audited(ctx, 'fspiop.ilp.fulfil', { keyId }, async () => {
      const decoded = decodeIlpPacket(ilpPacket);
      const regenerated = await ilpForTransaction(decoded.transaction, this.mac(ctx, keyId));
      if (regenerated.condition !== decoded.condition)
        throw new TrustloopError(
          'ERR_ILP_INVALID',
          'the packet was not made with this key or was changed: no fulfilment',
        );
      return { result: { fulfilment: regenerated.fulfilment, condition: regenerated.condition }, details: {} };
    });
  }

  async ilpCheck(ctx: RequestContext, fulfilment: string, condition: string) {
    return this.audited(ctx, 'fspiop.ilp.check', {}, async () => {
      const valid = fulfilmentMatches(fulfilment, condition);
      return { result: { valid }, details: { valid } };
    });
  }

  ilpDecode(ilpPacket: string) {
    return decodeIlpPacket(ilpPacket);
  }

  private mac(ctx: RequestContext, keyId: string): FulfilmentMac {
    return async (data) => parseVersioned((await this.crypto.mac(ctx, keyId, data)).mac, 'mac').bytes;
  }

  /** Runs an operation and audits it, success or failure, with facts about the message but never its content. */
  private async audited<T>(
    ctx: RequestContext,
    action: string,
    facts: Record<string, unknown>,
    run: () => Promise<{ result: T; details: Record<string, unknown> }>,
    recordSuccess = true,
  ): Promise<T> {
    // The caller's own participant: header values are the caller's claims until verified.
    const participantId = ctx.actor.participantId;
    const resource = { type: 'fspiop-message' };
    let outcome: { result: T; details: Record<string, unknown> };
    try {
      outcome = await run();
    } catch (error) {
      const code = isTrustloopError(error) ? error.code : 'ERR_INTERNAL';
      await this.audit.record(ctx, {
        action,
        resource,
        participantId,
        outcome: code === 'ERR_INTERNAL' ? 'failure' : 'denied',
        errorCode: code,
        details: clip(facts),
      });
      throw error;
    }
    if (recordSuccess) {
      await this.audit.record(ctx, {
        action,
        resource,
        participantId,
        details: { ...clip(facts), ...outcome.details },
      });
    }
    return outcome.result;
  }
}

const fits = (keyType: string, algorithm: FspiopSigningAlgorithm): boolean =>
  algorithm === 'ES256' ? keyType === 'ec-p256' : keyType.startsWith('rsa-');

/** Header values come from the caller: keep audit details short. */
function clip(facts: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(facts).map(([name, value]) => [name, typeof value === 'string' ? value.slice(0, 64) : value]),
  );
}

function jsonBody(body: string): JsonObject {
  if (Buffer.byteLength(body, 'utf8') > MAX_FSPIOP_BODY_BYTES)
    throw new TrustloopError('ERR_PAYLOAD_TOO_LARGE', `the FSPIOP body exceeds ${MAX_FSPIOP_BODY_BYTES} bytes`);
  return parseJsonObject(body, 'body', 'ERR_FSPIOP_BODY_NOT_JSON');
}

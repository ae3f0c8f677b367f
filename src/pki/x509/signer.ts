import { AsnEcSignatureFormatter } from './peculiar.js';
import type { RequestContext } from '../../core/context.js';
import { TrustloopError } from '../../core/errors.js';
import { parseVersioned, type CryptoService } from '../../cpm/ops/service.js';
import { SIGNING_BY_KEY_TYPE, type CaKeyType } from './algorithms.js';
import { toArrayBuffer, type CaSigner } from './build.js';

/** The actor the PKI signs as: CA and responder keys carry a policy that only this role may sign. */
export const PKI_SIGNER_ROLE = 'pki-service';

export function signerContext(ctx: RequestContext): RequestContext {
  return { ...ctx, actor: { type: 'system', id: 'pki', role: PKI_SIGNER_ROLE, participantId: null } };
}

const ecFormatter = new AsnEcSignatureFormatter();
const CURVE: Partial<Record<CaKeyType, string>> = { 'ec-p256': 'P-256', 'ec-p384': 'P-384' };

/**
 * Signs with a CPM key. The CPM returns ECDSA signatures as JOSE r‖s; X.509 wants a DER
 * ECDSA-Sig-Value, which @peculiar/x509's formatter (over @peculiar/asn1-ecc) produces. The key
 * version is pinned: a certificate names one public key, so a CA whose key was rotated in the CPM
 * keeps signing with the version its certificate holds (and the answer is checked to be it).
 */
export function cpmSigner(
  crypto: CryptoService,
  ctx: RequestContext,
  key: { id: string; type: CaKeyType; version: number },
): CaSigner {
  const { jose, oid } = SIGNING_BY_KEY_TYPE[key.type];
  return {
    signatureOid: oid,
    async sign(data) {
      const result = await crypto.sign(signerContext(ctx), key.id, data, { algorithm: jose, version: key.version });
      if (result.keyVersion !== key.version) {
        throw new TrustloopError(
          'ERR_CA_KEY_ROTATED',
          `key '${key.id}' is at version ${result.keyVersion} but the CA certificate holds version ${key.version}; issue a new CA`,
        );
      }
      const raw = parseVersioned(result.signature, 'signature').bytes;
      const curve = CURVE[key.type];
      if (!curve) return raw;
      const der = ecFormatter.toAsnSignature(
        { name: 'ECDSA', namedCurve: curve, hash: 'SHA-256' } as never,
        toArrayBuffer(raw),
      );
      if (!der) throw new TrustloopError('ERR_INTERNAL', 'the ECDSA signature could not be encoded');
      return Buffer.from(der);
    },
  };
}

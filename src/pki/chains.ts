import type { RequestContext } from '../core/context.js';
import { scopeOf } from '../core/context.js';
import { TrustloopError, isTrustloopError } from '../core/errors.js';
import { isoNow } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { PkiDeps } from './context.js';
import { judgeKey } from './profiles.js';
import { insertChain, listChains, type ChainRow } from './store.js';
import type { Check } from './validation.js';
import { keyInfo } from './x509/algorithms.js';
import { readCertificatesPem, signedBy, type ReadCertificate } from './x509/certificate.js';

const MAX_CHAIN = 5;
export const MAX_CHAIN_PEM_BYTES = 32 * 1024;

export interface ChainCheck {
  id: 'CHAIN_ORDER' | 'CHAIN_SIGNATURES' | 'CHAIN_CA_FLAGS' | 'CHAIN_VALIDITY' | 'CHAIN_KEY_STRENGTH' | 'CHAIN_ROOT';
  status: Check['status'];
  message: string;
}

/**
 * A participant's own CA chain for its outbound mTLS, uploaded leaf-most CA first and ending at
 * its self-signed root. Each link is checked (issuer name, signature, CA flags, validity, key
 * strength); a chain with any INVALID check is refused and nothing is stored.
 */
export class ChainService {
  constructor(private readonly deps: PkiDeps) {}

  async upload(
    ctx: RequestContext,
    input: { participantId?: string | undefined; chainPem: string },
  ): Promise<ChainRow & { parsedChecks: ChainCheck[] }> {
    const participantId = ctx.actor.participantId ?? input.participantId;
    try {
      if (participantId === undefined)
        throw new TrustloopError('ERR_VALIDATION', 'participantId: required for hub callers');
      if (
        ctx.actor.participantId !== null &&
        input.participantId !== undefined &&
        input.participantId !== ctx.actor.participantId
      )
        throw new TrustloopError('ERR_FORBIDDEN', 'a participant can only upload its own chain');
      if (Buffer.byteLength(input.chainPem) > MAX_CHAIN_PEM_BYTES)
        throw new TrustloopError('ERR_CSR_TOO_LARGE', `the chain is larger than ${MAX_CHAIN_PEM_BYTES} bytes`);
      const certs = readCertificatesPem(input.chainPem, 'chainPem');
      if (certs.length > MAX_CHAIN)
        throw new TrustloopError('ERR_CHAIN_INVALID', `a chain has at most ${MAX_CHAIN} certificates`);
      const checks = await this.check(certs);
      const failed = checks.filter((c) => c.status === 'INVALID');
      if (failed.length > 0)
        throw new TrustloopError('ERR_CHAIN_INVALID', failed.map((c) => `${c.id}: ${c.message}`).join('; '));
      const root = certs.at(-1)!;
      const row: ChainRow = {
        id: newId('chn'),
        participant_id: participantId,
        chain_pem: input.chainPem,
        subject: certs[0]!.subject,
        root_fingerprint_sha256: root.fingerprint,
        not_after: new Date(Math.min(...certs.map((c) => c.notAfter.getTime()))).toISOString(),
        checks: JSON.stringify(checks),
        created_at: isoNow(this.deps.clock),
      };
      await this.deps.database.transaction(async (tx) => {
        await insertChain(tx, row);
        await this.deps.audit.append(tx, ctx, {
          action: 'pki.chain.upload',
          resource: { type: 'pki-chain', id: row.id },
          participantId,
          details: {
            subject: row.subject,
            rootFingerprintSha256: row.root_fingerprint_sha256,
            certificates: certs.length,
          },
        });
      });
      return { ...row, parsedChecks: checks };
    } catch (error) {
      if (isTrustloopError(error) && error.status < 500) {
        await this.deps.audit.record(ctx, {
          action: 'pki.chain.upload',
          resource: { type: 'pki-chain' },
          participantId: participantId?.slice(0, 32) ?? null,
          outcome: 'denied',
          errorCode: error.code,
          details: { reason: error.message },
        });
      }
      throw error;
    }
  }

  list(ctx: RequestContext): Promise<ChainRow[]> {
    return listChains(this.deps.database.db, scopeOf(ctx.actor));
  }

  private async check(certs: ReadCertificate[]): Promise<ChainCheck[]> {
    const now = this.deps.clock.now();
    const links = certs.slice(0, -1).map((cert, i) => [cert, certs[i + 1]!] as const);
    const root = certs.at(-1)!;
    const order = links.every(([child, parent]) => child.x509.issuer === parent.subject);
    const signatures = await Promise.all(links.map(([child, parent]) => signedBy(child, parent)));
    const weak = certs
      .map((cert) => judgeKey(keyInfo(cert.spki), this.deps.config.pkiAllowRsa2048))
      .find((v) => !v.sizeOk);
    const rootSelfSigned = root.x509.issuer === root.subject && (await signedBy(root, root));
    return [
      {
        id: 'CHAIN_ORDER',
        status: order ? 'VALID' : 'INVALID',
        message: order ? 'each certificate is issued by the next' : 'certificates are not in issuer order',
      },
      {
        id: 'CHAIN_SIGNATURES',
        status: links.length === 0 ? 'NOT_AVAILABLE' : signatures.every(Boolean) ? 'VALID' : 'INVALID',
        message:
          links.length === 0
            ? 'a single root'
            : signatures.every(Boolean)
              ? 'every signature verifies'
              : 'a signature does not verify',
      },
      {
        id: 'CHAIN_CA_FLAGS',
        status: certs.every((c) => c.canSignCertificates) ? 'VALID' : 'INVALID',
        message: certs.every((c) => c.canSignCertificates)
          ? 'all are CAs with keyCertSign'
          : 'every certificate in the chain must be a CA with keyCertSign',
      },
      {
        id: 'CHAIN_VALIDITY',
        status: certs.every((c) => c.notBefore <= now && c.notAfter > now) ? 'VALID' : 'INVALID',
        message: certs.every((c) => c.notBefore <= now && c.notAfter > now)
          ? 'all within validity'
          : 'a certificate is expired or not yet valid',
      },
      {
        id: 'CHAIN_KEY_STRENGTH',
        status: weak ? 'INVALID' : 'VALID',
        message: weak ? weak.message : 'keys meet the scheme minimum',
      },
      {
        id: 'CHAIN_ROOT',
        status: rootSelfSigned ? 'VALID' : 'INVALID',
        message: rootSelfSigned ? 'ends at a self-signed root' : 'the last certificate must be a self-signed root',
      },
    ];
  }
}

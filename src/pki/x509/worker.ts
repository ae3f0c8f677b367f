import { parentPort } from 'node:worker_threads';
import type * as asn from '@peculiar/asn1-x509';
import { isTrustloopError } from '../../core/errors.js';
import { parseCsr } from './csr.js';
import { assembleCertificate, buildTbs, decodeName, encodeName } from './build.js';
import type { OffloadRequest, WireCertificateParams } from './offload.js';

/**
 * The PKI's DER worker: parses CSRs and builds and assembles certificates off the main thread.
 * A TBSCertificate stays here between `tbs` and `assemble` (the CA signs in between on the main
 * thread, through the CPM), so it is serialised once.
 */
const built = new Map<number, asn.TBSCertificate>();
function run(request: OffloadRequest): unknown {
  switch (request.op) {
    case 'parseCsr':
      return parseCsr(request.pem);
    case 'tbs': {
      const params: WireCertificateParams = request.params;
      const { tbs, der } = buildTbs(
        {
          ...params,
          serial: Buffer.from(params.serial),
          issuerSpki: Buffer.from(params.issuerSpki),
          issuerKeyId: params.issuerKeyId && Buffer.from(params.issuerKeyId),
          subjectSpki: Buffer.from(params.subjectSpki),
          issuer: decodeName(params.issuerDer),
          subject: encodeName(params.subject),
        },
        request.signatureOid,
      );
      built.set(request.id, tbs);
      return der;
    }
    case 'assemble': {
      const tbs = built.get(request.id);
      built.delete(request.id);
      if (!tbs) throw new Error(`no certificate ${request.id} is being built`);
      return assembleCertificate(tbs, request.signatureOid, request.signature);
    }
    case 'drop':
      built.delete(request.id);
      return null;
  }
}

parentPort!.on('message', (request: OffloadRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, result: run(request) });
  } catch (error) {
    parentPort!.postMessage({
      id: request.id,
      error: isTrustloopError(error)
        ? { code: error.code, message: error.message }
        : { code: null, message: error instanceof Error ? error.message : String(error) },
    });
  }
});

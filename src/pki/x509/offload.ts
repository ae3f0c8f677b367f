import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { AsnConvert } from '@peculiar/asn1-schema';
import type * as asn from '@peculiar/asn1-x509';
import { TrustloopError, type ErrorCode } from '../../core/errors.js';
import { startTypeScriptWorker } from '../../core/worker.js';
import {
  assembleCertificate,
  buildTbs,
  decodeName,
  encodeName,
  type CaSigner,
  type CertificateParams,
  type SubjectFields,
} from './build.js';
import { parseCsr, type ParsedCsr } from './csr.js';

/** Certificate parameters as they cross to the worker: names as DER and fields, not objects. */
export type WireCertificateParams = Omit<CertificateParams, 'issuer' | 'subject'> & {
  issuerDer: Uint8Array;
  subject: SubjectFields;
};

export type OffloadRequest =
  | { id: number; op: 'parseCsr'; pem: string }
  | { id: number; op: 'tbs'; params: WireCertificateParams; signatureOid: string }
  | { id: number; op: 'assemble'; signatureOid: string; signature: Uint8Array }
  | { id: number; op: 'drop' };

type Answer = { id: number; result?: unknown; error?: { code: ErrorCode | null; message: string } };
type Call = { resolve: (value: unknown) => void; reject: (error: unknown) => void };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

const issuerDers = new WeakMap<asn.Name, Uint8Array>();

/**
 * Where the PKI does its DER work: CSR parsing and certificate building are most of an issuance's
 * CPU time, so on a machine with more than one core they run on a worker thread and the main
 * thread keeps the database, the CPM and HTTP. On one core, or with `inline`, they run in place.
 * Results are the same either way; the worker is started on first use and stopped by `close`.
 */
export class X509Offload {
  private worker: Worker | undefined;
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private readonly useWorker: boolean;

  constructor(options: { inline?: boolean } = {}) {
    this.useWorker = !options.inline && availableParallelism() > 1;
  }

  async parseCsr(pem: string): Promise<ParsedCsr> {
    if (!this.useWorker) return parseCsr(pem);
    const parsed = (await this.call({ op: 'parseCsr', pem })) as ParsedCsr;
    // Buffers arrive as plain Uint8Arrays; the KeyObject arrives whole.
    return { ...parsed, der: Buffer.from(parsed.der), key: { ...parsed.key, spki: Buffer.from(parsed.key.spki) } };
  }

  /** Builds the certificate, has `signer` sign its TBSCertificate, and returns the DER. */
  async issue(params: WireCertificateParams, signer: CaSigner): Promise<Buffer> {
    if (!this.useWorker) {
      const { tbs, der } = buildTbs(
        { ...params, issuer: decodeName(params.issuerDer), subject: encodeName(params.subject) },
        signer.signatureOid,
      );
      return assembleCertificate(tbs, signer.signatureOid, await signer.sign(der));
    }
    const id = this.nextId++;
    const tbs = (await this.call({ op: 'tbs', params, signatureOid: signer.signatureOid }, id)) as Uint8Array;
    let signature: Buffer;
    try {
      signature = await signer.sign(Buffer.from(tbs));
    } catch (error) {
      void this.call({ op: 'drop' }, id).catch(() => undefined);
      throw error;
    }
    return Buffer.from(
      (await this.call({ op: 'assemble', signatureOid: signer.signatureOid, signature }, id)) as Uint8Array,
    );
  }

  async close(): Promise<void> {
    if (this.worker) await this.worker.terminate();
  }

  private call(request: WithoutId<OffloadRequest>, id = this.nextId++): Promise<unknown> {
    const worker = this.start();
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startTypeScriptWorker(new URL('./worker.ts', import.meta.url), null);
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const call = this.calls.get(answer.id);
      if (!call) return;
      this.calls.delete(answer.id);
      if (!answer.error) call.resolve(answer.result);
      else if (answer.error.code) call.reject(new TrustloopError(answer.error.code, answer.error.message));
      else call.reject(new Error(answer.error.message));
    });
    const fail = (error: unknown) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const call of this.calls.values()) call.reject(error);
      this.calls.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the PKI worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** The DER of a CA's subject name, kept per parsed name (a CA's name never changes). */
export function nameDer(name: asn.Name): Uint8Array {
  let der = issuerDers.get(name);
  if (!der) {
    der = new Uint8Array(AsnConvert.serialize(name));
    issuerDers.set(name, der);
  }
  return der;
}

/**
 * What Node.js itself does on this machine, with nothing of Trustloop around it: the ceilings the
 * benchmarks print beside their targets. A target above a ceiling measured in the same run cannot
 * be reached by any Node program here, however lean.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';

export type SigningKeyType = 'rsa-2048' | 'ec-p256' | 'ed25519';
export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/**
 * One thread signing 256 bytes in a tight loop with node:crypto for `ms`: plain JavaScript,
 * evaluated, so it measures node:crypto and nothing else. Answers signatures per second.
 */
const TIGHT_LOOP = `
const { workerData, parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const { type, algorithm, ms } = workerData;
const privateKey = type === 'rsa-2048'
  ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  : type === 'ec-p256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    : crypto.generateKeyPairSync('ed25519').privateKey;
const key = algorithm === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
const digest = algorithm === 'EdDSA' ? null : 'sha256';
const data = Buffer.alloc(256, 7);
let signed = 0;
const start = performance.now();
while (performance.now() - start < ms) {
  for (let i = 0; i < 20; i++) crypto.sign(digest, data, key);
  signed += 20;
}
parentPort.postMessage(signed / ((performance.now() - start) / 1000));
`;

/** A worker thread running `code`, answering the one message it posts. */
function inThread<T>(code: string, workerData: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData });
    worker.once('message', (value: T) => {
      resolve(value);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * Signatures per second with one thread per core signing in a tight loop, as
 * `openssl speed -multi N` runs one process per core.
 */
export async function nodeSignRate(type: SigningKeyType, algorithm: SigningAlgorithm, ms: number): Promise<number> {
  const rates = await Promise.all(
    Array.from({ length: availableParallelism() }, () => inThread<number>(TIGHT_LOOP, { type, algorithm, ms })),
  );
  return rates.reduce((sum, one) => sum + one, 0);
}

/** A bare node:http server on loopback answering every request with the same bytes. */
const FIXED_ANSWER_SERVER = `
const { workerData, parentPort } = require('node:worker_threads');
const http = require('node:http');
const answer = Buffer.from(workerData.answer);
const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': workerData.contentType, 'content-length': answer.length });
    response.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

export interface BareHttpResult {
  /** Answers per second. */
  rate: number;
  /** CPU seconds per answer, server and autocannon together. */
  cpuPerRequest: number;
}

/**
 * A bare node:http server (in a thread of this process) answering `answer` to every request,
 * driven by autocannon with the benchmark's own settings: the most any Node server answers here.
 */
export async function bareHttpRate(
  answer: Buffer,
  contentType: string,
  load: { bodies: Buffer[]; requestType: string; connections: number; seconds: number },
): Promise<BareHttpResult> {
  const worker = new Worker(FIXED_ANSWER_SERVER, { eval: true, workerData: { answer, contentType } });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const run = (duration: number) =>
      autocannon({
        url: `http://127.0.0.1:${port}/`,
        connections: load.connections,
        pipelining: 1,
        duration,
        requests: load.bodies.map((body) => ({
          method: 'POST' as const,
          headers: { 'content-type': load.requestType },
          body,
        })),
      });
    await run(2);
    const before = process.cpuUsage();
    const result = await run(load.seconds);
    const used = process.cpuUsage(before);
    const answered = result['2xx'];
    return { rate: answered / result.duration, cpuPerRequest: (used.user + used.system) / 1e6 / Math.max(1, answered) };
  } finally {
    await worker.terminate();
  }
}

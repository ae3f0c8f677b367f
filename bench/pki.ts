/**
 * PKI benchmark, in one run, each figure beside its peer measured right before it:
 *
 * 1. Issuance from CSRs (P-256 and RSA-2048 keys, a fresh key per CSR): Trustloop's library path
 *    (`pki.enrolments.issueNow`: CSR parsed and validated check by check, the certificate built
 *    from the profile, signed by the issuing CA's key in the CPM, stored with its audit event)
 *    beside `cfssl serve` on loopback (`POST /api/v1/cfssl/sign`) with a CA of the same key type,
 *    the same CSRs and the same number in flight. Then Trustloop over HTTP
 *    (`POST /api/v1/pki/certificates` on a `trustloop serve` child) beside cfssl again.
 * 2. OCSP: the certificates issued over HTTP, asked about by POST with DER requests made by
 *    `openssl ocsp -reqout`, one per certificate: Trustloop's `POST /pki/ocsp` on that server,
 *    beside `openssl ocsp` as a responder over an index.txt of the same certificates (one
 *    process, then `-multi 2`), all driven by the same autocannon settings.
 *
 *   npm run bench:pki                    (about four minutes; every child is stopped at the end)
 *   npm run bench:pki -- --cpu-prof DIR  also profiles the library issuance runs (in this
 *                                        process) and prints where the time went
 *   npm run bench:pki -- --library-only  the library issuance part only
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import autocannon from 'autocannon';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/core/config.js';
import { systemContext, type RequestContext } from '../src/core/context.js';
import type { CaKeyType } from '../src/pki/x509/algorithms.js';
import { startServer, type BenchServer } from './cpm-http.js';
import { printSummary, summarise } from './cpu-profile.js';
import { bareHttpRate, nodeSignRate } from './node-ceilings.js';
import {
  makeCsrs,
  ocspRequest,
  ocspStatus,
  opensslSelfSigned,
  startCfssl,
  startOpensslOcsp,
  writeOpensslIndex,
  type CsrKey,
  type Peer,
} from './pki-peers.js';

const IN_FLIGHT = 16;
const OCSP_CONNECTIONS = 16;
const OCSP_SECONDS = 5;
const OCSP_CERTIFICATES = 200;
const PARTICIPANT = 'dfsp-a';
const SUBJECT = `O=Bank A, CN=${PARTICIPANT}`;
const CASES: { label: string; csr: CsrKey; ca: CaKeyType & ('ec-p256' | 'rsa-3072'); count: number; warmUp: number }[] =
  [
    { label: 'P-256 CSRs, P-256 CA', csr: 'p256', ca: 'ec-p256', count: 3000, warmUp: 300 },
    // Trustloop's CAs are P-256, P-384, RSA-3072 or RSA-4096: RSA-2048 is a participant key size only.
    { label: 'RSA-2048 CSRs, RSA-3072 CA', csr: 'rsa2048', ca: 'rsa-3072', count: 350, warmUp: 50 },
  ];

const profileFlag = process.argv.indexOf('--cpu-prof');
const PROFILE_DIR = profileFlag > 0 ? path.resolve(process.argv[profileFlag + 1] ?? 'pki-profile') : undefined;

const write = (line: string) => process.stdout.write(`${line}\n`);
const count = (value: number) => Math.round(value).toLocaleString('en');
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const verdict = (ratio: number, target: number) => `≥ ${target} ${ratio >= target ? '✓' : '✗'}`;

/** Runs `operation` once per item with IN_FLIGHT in flight; returns items per second. */
async function throughput<T>(items: T[], operation: (item: T) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) await operation(items[next++]!);
    }),
  );
  return items.length / ((performance.now() - start) / 1000);
}

let lastCfssl = '';

/**
 * With --cpu-prof DIR, profiles `work` in this process (the library path runs here) with the
 * inspector, writes the .cpuprofile to DIR and prints where the main thread spent the time.
 */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  mkdirSync(PROFILE_DIR, { recursive: true });
  const file = path.join(PROFILE_DIR, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  profiles.push({ name, file });
  return result;
}
const profiles: { name: string; file: string }[] = [];

async function cfsslSign(peer: Peer, csrPem: string): Promise<void> {
  const response = await fetch(`${peer.url}/api/v1/cfssl/sign`, {
    method: 'POST',
    body: JSON.stringify({ certificate_request: csrPem }),
  });
  const answer = (await response.json()) as { success: boolean; result?: { certificate?: string }; errors: unknown };
  if (!answer.success || !answer.result?.certificate?.includes('BEGIN CERTIFICATE'))
    throw new Error(`cfssl refused a CSR: ${JSON.stringify(answer.errors)}`);
  lastCfssl = answer.result.certificate;
}

/** `openssl verify` of one issued certificate against its issuer: the benchmark issues real certificates. */
function checkIssued(dir: string, issuerPem: string, certPem: string, who: string): void {
  const issuer = path.join(dir, 'issuer.pem');
  const cert = path.join(dir, 'issued.pem');
  writeFileSync(issuer, issuerPem);
  writeFileSync(cert, certPem);
  const run = spawnSync('openssl', ['verify', '-partial_chain', '-CAfile', issuer, cert], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (run.status !== 0) throw new Error(`${who}'s certificate does not verify: ${run.stdout}${run.stderr}`);
}

const benchContext = (): RequestContext => ({
  ...systemContext(),
  service: 'api',
  actor: { type: 'token', id: 'tok_benchbenchbenchb', role: 'security-officer', participantId: null },
});

async function libraryIssuance(dir: string, csrs: Map<CsrKey, string[]>): Promise<void> {
  write('');
  write(`## Issuance, library path beside cfssl serve (${IN_FLIGHT} in flight, every CSR a fresh key)`);
  write('| case | CSRs | Trustloop certs/s | cfssl serve certs/s | ratio | target |');
  write('|---|--:|--:|--:|--:|--:|');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-pki-'));
  const app: App = await openApp(loadConfig({}, { dataDir, logLevel: 'silent', pkiAllowRsa2048: true }));
  const ctx = benchContext();
  try {
    for (const share of await app.ceremony.init(ctx, { shares: 2, threshold: 2 }))
      await app.ceremony.unseal(ctx, share);
    await app.participants.create(ctx, { id: 'hub', name: 'Scheme hub', kind: 'hub' });
    await app.participants.create(ctx, { id: PARTICIPANT, name: 'Bank A', kind: 'dfsp' });
    const root = await app.pki.createCa(ctx, {
      name: 'root',
      role: 'root',
      keyType: 'ec-p384',
      commonName: 'Bench Root',
    });
    for (const c of CASES) {
      const ca = await app.pki.createCa(ctx, {
        name: `issuing-${c.ca}`,
        role: 'issuing',
        parentId: root.id,
        keyType: c.ca,
        commonName: `Bench Issuing ${c.ca}`,
      });
      const cfsslCa = opensslSelfSigned(dir, `cfssl-${c.ca}`, c.ca, true);
      const cfssl = await startCfssl(dir, cfsslCa);
      try {
        const all = csrs.get(c.csr)!;
        const warm = all.slice(0, c.warmUp);
        const measured = all.slice(c.warmUp, c.count);
        let last = '';
        const issue = async (csrPem: string) => {
          last = (
            await app.pki.enrolments.issueNow(ctx, {
              participantId: PARTICIPANT,
              profile: 'mtls-client',
              csrPem,
              caId: ca.id,
            })
          ).certificate_pem;
        };
        await throughput(warm, (csr) => cfsslSign(cfssl, csr));
        await throughput(warm, issue);
        const theirs = await throughput(measured, (csr) => cfsslSign(cfssl, csr));
        const ours = await profiled(`issue-${c.csr}`, () => throughput(measured, issue));
        checkIssued(dir, ca.certificate_pem, last, 'Trustloop');
        checkIssued(dir, readFileSync(cfsslCa.cert, 'utf8'), lastCfssl, 'cfssl');
        write(
          `| ${c.label} | ${count(measured.length)} | ${count(ours)} | ${count(theirs)} | ${(ours / theirs).toFixed(2)} | ${verdict(ours / theirs, 2)} |`,
        );
      } finally {
        await cfssl.stop();
      }
    }
    const audited = await app.audit.verify();
    write(`audit events written: ${audited.checked.toLocaleString('en')}, chain intact: ${audited.ok}`);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Issued {
  certificate: { serial: string; notAfter: string; subject: string };
  certificatePem: string;
  chainPem: string[];
}

/** `autocannon` POSTing the DER requests in turn on every connection, after a 2 s warm-up. */
async function ocspLoad(url: string, bodies: Buffer[], warmUp: boolean) {
  const requests = bodies.map((body) => ({
    method: 'POST' as const,
    headers: { 'content-type': 'application/ocsp-request' },
    body,
  }));
  const run = (duration: number) =>
    autocannon({ url, connections: OCSP_CONNECTIONS, pipelining: 1, duration, requests });
  if (warmUp) await run(2);
  const result = await run(OCSP_SECONDS);
  return {
    rate: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * The most a Node responder answers here: a bare server sending one fixed response (the answer
 * without a nonce, served from memory), and that server's cost plus one node:crypto P-256
 * signature per response (the answer with a nonce, signed per request).
 */
async function ocspCeilings(trustloopUrl: string, bodies: Buffer[]) {
  const answer = Buffer.from(
    await (
      await fetch(trustloopUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: new Uint8Array(bodies[0]!),
      })
    ).arrayBuffer(),
  );
  const bare = await bareHttpRate(answer, 'application/ocsp-response', {
    bodies,
    requestType: 'application/ocsp-request',
    connections: OCSP_CONNECTIONS,
    seconds: OCSP_SECONDS,
  });
  const signRate = await nodeSignRate('ec-p256', 'ES256', OCSP_SECONDS * 1000);
  const cores = availableParallelism();
  return { bare, signRate, signedRate: cores / (bare.cpuPerRequest + cores / signRate) };
}

async function overHttp(dir: string, csrs: string[]): Promise<void> {
  const server: BenchServer = await startServer();
  try {
    await server.call('POST', '/api/v1/participants', { id: 'hub', name: 'Scheme hub', kind: 'hub' });
    await server.call('POST', '/api/v1/participants', { id: PARTICIPANT, name: 'Bank A', kind: 'dfsp' });
    const root = await server.call<{ id: string }>('POST', '/api/v1/pki/cas', {
      name: 'root',
      role: 'root',
      keyType: 'ec-p384',
      commonName: 'Bench Root',
    });
    await server.call('POST', '/api/v1/pki/cas', {
      name: 'issuing',
      role: 'issuing',
      parentId: root.id,
      keyType: 'ec-p256',
      commonName: 'Bench Issuing',
    });
    const issued: Issued[] = [];
    const issue = async (csrPem: string) => {
      issued.push(
        await server.call<Issued>('POST', '/api/v1/pki/certificates', {
          participantId: PARTICIPANT,
          profile: 'mtls-client',
          csrPem,
        }),
      );
    };
    const c = CASES[0]!;
    const warm = csrs.slice(0, c.warmUp);
    const measured = csrs.slice(c.warmUp, c.count);
    write('');
    write(
      `## Issuance over HTTP: trustloop serve (SQLite, audit on) beside cfssl serve, both on loopback, the same fetch client, ${IN_FLIGHT} in flight`,
    );
    write('| case | CSRs | Trustloop certs/s | cfssl serve certs/s | ratio | target |');
    write('|---|--:|--:|--:|--:|--:|');
    const cfssl = await startCfssl(dir, opensslSelfSigned(dir, 'cfssl-http', 'ec-p256', true));
    try {
      await throughput(warm, (csr) => cfsslSign(cfssl, csr));
      await throughput(warm, issue);
      const theirs = await throughput(measured, (csr) => cfsslSign(cfssl, csr));
      const ours = await throughput(measured, issue);
      write(
        `| ${c.label}, POST /api/v1/pki/certificates | ${count(measured.length)} | ${count(ours)} | ${count(theirs)} | ${(ours / theirs).toFixed(2)} | ${verdict(ours / theirs, 2)} |`,
      );
    } finally {
      await cfssl.stop();
    }

    // OCSP over the first OCSP_CERTIFICATES of those certificates.
    const issuerPem = issued[0]!.chainPem[0]!;
    const issuerFile = path.join(dir, 'trustloop-issuing.pem');
    const chainFile = path.join(dir, 'trustloop-chain.pem');
    writeFileSync(issuerFile, issuerPem);
    writeFileSync(chainFile, issued[0]!.chainPem.join(''));
    const sample = issued.slice(0, OCSP_CERTIFICATES);
    const index = path.join(dir, 'index.txt');
    writeOpensslIndex(
      index,
      sample.map((one) => ({
        serialHex: one.certificate.serial,
        notAfter: new Date(one.certificate.notAfter),
        subject: `/O=Bank A/CN=${PARTICIPANT}`,
      })),
    );
    const plain = sample.map((one) => ocspRequest(dir, issuerFile, one.certificatePem, false));
    const withNonce = sample.map((one) => ocspRequest(dir, issuerFile, one.certificatePem, true));
    const responder = opensslSelfSigned(dir, 'openssl-responder', 'ec-p256', false);
    const trustloopUrl = `${server.url}/pki/ocsp`;

    write('');
    write(
      `## OCSP responses per second: ${sample.length} good certificates, one DER request each (openssl -reqout, SHA-1 CertID), autocannon ${OCSP_CONNECTIONS} connections, ${OCSP_SECONDS} s after 2 s warm-up`,
    );
    write(
      'Trustloop: POST /pki/ocsp on the trustloop serve child above (P-256 delegated responder key in the CPM). openssl: `openssl ocsp -index -CA -rsigner -rkey` (P-256 responder key), HTTP/1.0, one connection per request.',
    );
    write('| responder | requests | resp/s | p50 ms | p99 ms | non-2xx | socket errors |');
    write('|---|---|--:|--:|--:|--:|--:|');
    const rows: Record<string, number> = {};
    const row = (label: string, kind: string, r: Awaited<ReturnType<typeof ocspLoad>>) => {
      rows[label] = r.rate;
      write(`| ${label} | ${kind} | ${count(r.rate)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`);
    };
    const check = (url: string, trust: string[], who: string) => {
      for (const one of sample.slice(0, 3)) {
        const status = ocspStatus(dir, url, issuerFile, one.certificatePem, trust);
        if (status !== 'good') throw new Error(`${who} answered '${status}' for a good certificate`);
      }
    };
    // A fresh openssl responder for each run, without warm-up (C, nothing to warm): when a run
    // ends, autocannon drops connections still waiting in openssl's accept queue, and the
    // single-threaded responder then waits on such a connection for good.
    for (const processes of [1, 2]) {
      const label = processes === 1 ? 'openssl ocsp (1 process)' : 'openssl ocsp -multi 2';
      for (const [suffix, kind, bodies] of [
        ['', 'no nonce', plain],
        [' ', 'nonce', withNonce],
      ] as const) {
        const peer = await startOpensslOcsp(dir, { index, caCert: issuerFile, responder, processes });
        try {
          check(peer.url, ['-VAfile', responder.cert], 'openssl ocsp');
          row(`${label}${suffix}`, kind, await ocspLoad(`${peer.url}/`, bodies, false));
        } finally {
          await peer.stop();
        }
      }
    }
    check(trustloopUrl, ['-CAfile', chainFile], 'Trustloop');
    row(
      'Trustloop POST /pki/ocsp',
      'no nonce (pre-signed, served from cache)',
      await ocspLoad(trustloopUrl, plain, true),
    );
    row('Trustloop POST /pki/ocsp ', 'nonce (signed per request)', await ocspLoad(trustloopUrl, withNonce, true));
    const ceilings = await ocspCeilings(trustloopUrl, plain);
    write('');
    write(
      `Ceilings, no Trustloop: a bare node:http server answering one fixed OCSP response, same autocannon settings: ${count(ceilings.bare.rate)} resp/s, ${(ceilings.bare.cpuPerRequest * 1e6).toFixed(0)} µs of CPU each (server and client); node:crypto P-256 alone on ${availableParallelism()} threads: ${count(ceilings.signRate)} signatures/s. A response signed per request costs at least both: ${count(ceilings.signedRate)} resp/s.`,
    );
    rows['Node ceiling'] = ceilings.bare.rate;
    rows['Node ceiling '] = ceilings.signedRate;
    write('');
    write('| ratio | value | target |');
    write('|---|--:|--:|');
    const ratio = (ours: string, theirs: string, target: number) => {
      const value = rows[ours]! / rows[theirs]!;
      const kind = ours.endsWith(' ') ? 'nonce' : 'no nonce';
      write(`| ${ours.trim()} ÷ ${theirs.trim()}, ${kind} | ${value.toFixed(2)} | ${verdict(value, target)} |`);
    };
    ratio('Trustloop POST /pki/ocsp', 'openssl ocsp (1 process)', 5);
    ratio('Trustloop POST /pki/ocsp ', 'openssl ocsp (1 process) ', 5);
    ratio('Trustloop POST /pki/ocsp', 'openssl ocsp -multi 2', 5);
    ratio('Trustloop POST /pki/ocsp ', 'openssl ocsp -multi 2 ', 5);
    ratio('Node ceiling', 'openssl ocsp (1 process)', 5);
    ratio('Node ceiling ', 'openssl ocsp (1 process) ', 5);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  write(`# Trustloop PKI benchmark, ${new Date().toISOString()}`);
  write(
    `node ${process.version}, OpenSSL ${process.versions.openssl}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${load()}`,
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-pki-peers-'));
  try {
    const started = performance.now();
    const csrs = new Map<CsrKey, string[]>();
    for (const c of CASES) csrs.set(c.csr, await makeCsrs(c.csr, c.count, SUBJECT));
    write(`CSRs made in ${((performance.now() - started) / 1000).toFixed(1)} s (WebCrypto keys, @peculiar/x509)`);
    await libraryIssuance(dir, csrs);
    if (!process.argv.includes('--library-only')) await overHttp(dir, csrs.get('p256')!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  write(`load average at the end: ${load()}`);
  for (const { name, file } of profiles) {
    write('');
    write(`## Library issuance profile, ${name} (${file})`);
    printSummary(summarise(file, 15), write);
  }
}

await main();

/**
 * CPM benchmark, in one run, each figure beside `openssl speed -multi 2` for the same primitive
 * measured in the same run, with its target and a ✓ or ✗:
 *
 * 1. library path: signatures and 1 KiB AES-256-GCM encryptions per second through
 *    `CryptoService` (policy checks, the software keystore, one durable audit event per operation),
 *    and beside each signature the keystore's signing threads alone (no policy, no audit),
 *    node:crypto alone (two threads signing in a tight loop), and the ceiling node:crypto and the
 *    audit event every operation writes leave together (CPU per signature plus CPU per event,
 *    both measured in the run, on all cores): a target above that is out of reach here;
 * 2. PKCS#11: RS256 and ES256 signatures per second through the same library path on a fresh
 *    SoftHSM2 token (skipped, saying so, when SoftHSM2 is not installed);
 * 3. HTTP: a real `trustloop serve` on loopback (SQLite, software keystore dev-unsealed, audit on)
 *    driven by autocannon — POST sign and encrypt, and an empty authenticated GET for Fastify's own
 *    ceiling — with requests per second and p50/p99 latency.
 *
 *   npm run bench:cpm                       (about four minutes)
 *   npm run bench:cpm -- --cpu-prof DIR     also profiles the server and prints, for each HTTP
 *                                           run, where its main thread spent the time
 */
import { execFile, execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify as verifySignature, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openApp, type App } from '../src/app.js';
import { loadConfig, type Config } from '../src/core/config.js';
import { systemContext, type RequestContext } from '../src/core/context.js';
import { parseVersioned } from '../src/cpm/ops/service.js';
import { signerPool } from '../src/cpm/keystore/signer-pool.js';
import { load, startServer, type BenchServer, type LoadResult } from './cpm-http.js';
import { nodeSignRate } from './node-ceilings.js';
import { printSummary, summarise } from './cpu-profile.js';

const SECONDS = 4;
/**
 * Operations in flight on the library path. Each one returns only once its audit event is durable,
 * and events share a group commit (one fsync, 0.5-1.5 ms here), so the rate is at most
 * in-flight ÷ commit latency: 64 callers cap it near 64 ÷ 1 ms whatever the cryptography costs. A
 * hub's CPM serves many participants' requests at once; 512 measures the operations, not that cap.
 */
const IN_FLIGHT = 512;
const HTTP_SECONDS = 5;
const HTTP_CONNECTIONS = 32;
const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const write = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const count = (value: number) => Math.round(value).toLocaleString('en');

type Algorithm = 'RS256' | 'ES256' | 'EdDSA';

interface Case {
  label: string;
  type: 'rsa-2048' | 'ec-p256' | 'ed25519' | 'aes-256-gcm';
  purpose: 'sign' | 'encrypt';
  algorithm?: Algorithm;
  /** `openssl speed -multi 2` arguments and how to read its rate. */
  openssl: string[];
  parse: (output: string) => number | undefined;
  /** Library path: at least this share of openssl. */
  libraryTarget: number;
  /** HTTP path: at least this share of openssl (`peer`) or of the empty route (`empty`). */
  httpTarget?: { of: 'openssl' | 'empty'; ratio: number };
}

const lastNumber = (pattern: RegExp) => (output: string) => {
  const match = pattern.exec(output);
  return match ? Number(match[1]) : undefined;
};

const CASES: Case[] = [
  {
    label: 'RS256 (RSA-2048) sign',
    type: 'rsa-2048',
    purpose: 'sign',
    algorithm: 'RS256',
    openssl: ['rsa2048'],
    parse: lastNumber(/rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)/),
    libraryTarget: 0.9,
    httpTarget: { of: 'openssl', ratio: 0.6 },
  },
  {
    label: 'ES256 (P-256) sign',
    type: 'ec-p256',
    purpose: 'sign',
    algorithm: 'ES256',
    openssl: ['ecdsap256'],
    parse: lastNumber(/256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)/),
    libraryTarget: 0.6,
    httpTarget: { of: 'empty', ratio: 0.5 },
  },
  {
    label: 'EdDSA (Ed25519) sign',
    type: 'ed25519',
    purpose: 'sign',
    algorithm: 'EdDSA',
    openssl: ['ed25519'],
    parse: lastNumber(/253 bits EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)/),
    libraryTarget: 0.6,
  },
  {
    label: 'AES-256-GCM encrypt, 1 KiB',
    type: 'aes-256-gcm',
    purpose: 'encrypt',
    openssl: ['-evp', 'aes-256-gcm', '-bytes', '1024'],
    // openssl prints kB/s for 1024-byte blocks: ×1000 / 1024 gives operations per second.
    parse: (output) => {
      const match = /aes-256-gcm\s+([\d.]+)k/i.exec(output);
      return match ? (Number(match[1]) * 1000) / 1024 : undefined;
    },
    libraryTarget: 0,
  },
];

const SIGN_INPUT = Buffer.alloc(256, 7);
const ENCRYPT_INPUT = Buffer.alloc(1024, 7);

async function openssl(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'openssl',
    ['speed', '-multi', '2', '-seconds', String(SECONDS), ...args],
    { maxBuffer: 1 << 20 },
  );
  return stdout;
}

/** Runs `operation` with IN_FLIGHT concurrent callers for SECONDS; returns operations per second. */
async function rate(operation: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        await operation();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

const KEY_PAIRS: Record<string, () => KeyObject> = {
  'rsa-2048': () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  'ec-p256': () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  ed25519: () => generateKeyPairSync('ed25519').privateKey,
};

/**
 * The software keystore's signing threads alone (no key lookup, policy or audit): what the library
 * path would reach if everything around the signature were free, and so how far node:crypto on
 * two threads is from `openssl speed -multi 2`.
 */
async function signingThreadsRate(c: Case): Promise<number | undefined> {
  const make = KEY_PAIRS[c.type];
  if (!make || !c.algorithm) return undefined;
  const key = make();
  const algorithm = c.algorithm;
  const op = () => signerPool.sign(`bench-alone-${c.type}/`, key, algorithm, SIGN_INPUT);
  await rate(op);
  return rate(op);
}

/** node:crypto alone, two threads in a tight loop: see node-ceilings.ts. */
const nodeCryptoRate = (c: Case): Promise<number | undefined> =>
  c.algorithm && c.type !== 'aes-256-gcm'
    ? nodeSignRate(c.type, c.algorithm, SECONDS * 1000)
    : Promise.resolve(undefined);

/**
 * CPU time (all threads of this process, in seconds) one audit event of a signature costs on its
 * own: recorded with IN_FLIGHT in flight, durable, chained, as every library operation writes one.
 */
async function auditEventCpu(app: App, ctx: RequestContext): Promise<number> {
  const event = () =>
    app.audit.record(ctx, {
      action: 'key.sign',
      resource: { type: 'key', id: 'key_benchbenchbenchb' },
      details: { version: 1 },
    });
  await rate(event);
  const before = process.cpuUsage();
  const started = performance.now();
  const events = (await rate(event)) * ((performance.now() - started) / 1000);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6 / events;
}

async function libraryRate(app: App, ctx: RequestContext, c: Case, name: string): Promise<number> {
  const key = await app.keys.create(ctx, { name, type: c.type, purpose: c.purpose });
  const op =
    c.purpose === 'sign'
      ? () => app.crypto.sign(ctx, key.id, SIGN_INPUT, { algorithm: c.algorithm })
      : () => app.crypto.encrypt(ctx, key.id, ENCRYPT_INPUT, undefined);
  await rate(op); // warm-up: parsed keys cached, JIT settled
  return rate(op);
}

const benchContext = (): RequestContext => ({
  ...systemContext(),
  actor: { type: 'token', id: 'tok_benchbenchbenchb', role: 'security-officer', participantId: null },
});

async function withApp<T>(overrides: Partial<Config>, use: (app: App, ctx: RequestContext) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-cpm-'));
  const app = await openApp(loadConfig({}, { dataDir, logLevel: 'silent', ...overrides }));
  try {
    return await use(app, benchContext());
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ratioText = (ours: number, peer: number | undefined) => (peer ? (ours / peer).toFixed(2) : 'n/a');
const verdict = (ours: number, peer: number | undefined, target: number) =>
  target === 0 ? '-' : `≥ ${target} ${peer && ours / peer >= target ? '✓' : '✗'}`;

/** Signs once over HTTP and checks the signature with node:crypto: the load below does real work. */
async function checkHttpSignature(server: BenchServer, keyId: string, algorithm: Algorithm): Promise<void> {
  const signed = await server.call<{ signature: string }>('POST', `/api/v1/keys/${keyId}/sign`, {
    input: SIGN_INPUT.toString('base64'),
    algorithm,
  });
  const { pem } = await server.call<{ pem: string }>('GET', `/api/v1/keys/${keyId}/public-key`);
  const { bytes } = parseVersioned(signed.signature, 'signature');
  const digest = algorithm === 'EdDSA' ? null : 'sha256';
  const options = algorithm === 'ES256' ? { key: createPublicKey(pem), dsaEncoding: 'ieee-p1363' as const } : pem;
  if (!verifySignature(digest, SIGN_INPUT, options, bytes))
    throw new Error(`the ${algorithm} signature over HTTP does not verify`);
}

/** Where the server's main thread spent each measured run, from the profile it wrote on exit. */
function printProfiles(profileDir: string, rows: { label: string; result: LoadResult }[]): void {
  // The main thread's profile is the largest; tsx's loader thread writes a small one beside it.
  const files = readdirSync(profileDir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(profileDir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files[0]) return write(`no CPU profile was written to ${profileDir}`);
  write('');
  write(`## Server main thread under load (${files[0]})`);
  for (const { label, result } of rows) {
    write('');
    write(`### ${label}`);
    printSummary(summarise(files[0], 12, result.window), write);
  }
}

async function main(): Promise<void> {
  const profileFlag = process.argv.indexOf('--cpu-prof');
  const profileBase = profileFlag > 0 ? path.resolve(process.argv[profileFlag + 1] ?? 'cpm-profile') : undefined;
  if (profileBase) mkdirSync(profileBase, { recursive: true });
  const profileDir = profileBase ? mkdtempSync(path.join(profileBase, 'run-')) : undefined;
  write(`# Trustloop CPM benchmark, ${new Date().toISOString()}`);
  write(
    `node ${process.version}, OpenSSL ${process.versions.openssl}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );

  // Each peer is measured right before the figure it is compared with: on a shared machine the
  // load moves within a run, and a ratio only means something between neighbouring measurements.
  const peer = async (c: Case) => c.parse(await openssl(c.openssl));
  const cores = availableParallelism();
  // From the library part, for the HTTP part's ceilings.
  let eventCpu = 0;
  const bareRates = new Map<Case['type'], number>();

  write('');
  write(`## Library path (SQLite audit, one event per operation, ${IN_FLIGHT} in flight, ${SECONDS} s each)`);
  write(
    '| operation | Trustloop ops/s | openssl speed -multi 2 ops/s | ratio | target | signing threads alone ops/s | their ratio to openssl | node:crypto alone ops/s | its ratio to openssl | ceiling with one audit event each, ratio to openssl |',
  );
  write('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  await withApp({}, async (app, ctx) => {
    for (const share of await app.ceremony.init(ctx, { shares: 2, threshold: 2 }))
      await app.ceremony.unseal(ctx, share);
    eventCpu = await auditEventCpu(app, ctx);
    for (const c of CASES) {
      const theirs = await peer(c);
      const ours = await libraryRate(app, ctx, c, `bench-${c.type}`);
      const alone = await signingThreadsRate(c);
      const bare = await nodeCryptoRate(c);
      if (bare) bareRates.set(c.type, bare);
      const cells = (value: number | undefined) => (value ? [count(value), ratioText(value, theirs)] : ['-', '-']);
      // The tight loop keeps every core busy: a signature costs cores ÷ its rate of CPU time.
      const ceiling = bare ? cores / (cores / bare + eventCpu) : undefined;
      write(
        `| ${[c.label, count(ours), theirs ? count(theirs) : 'n/a', ratioText(ours, theirs), verdict(ours, theirs, c.libraryTarget), ...cells(alone), ...cells(bare), ceiling ? ratioText(ceiling, theirs) : '-'].join(' | ')} |`,
      );
    }
    const audited = await app.audit.verify();
    write(
      `one audit event alone: ${(eventCpu * 1e6).toFixed(1)} µs of CPU; audit events written: ${audited.checked.toLocaleString('en')}, chain intact: ${audited.ok}`,
    );
  });

  write('');
  write(`## PKCS#11 backend, library path (SoftHSM2 token, ${IN_FLIGHT} in flight, ${SECONDS} s each)`);
  if (!existsSync(SOFTHSM_MODULE)) {
    write(`skipped: ${SOFTHSM_MODULE} is not installed (apt-get install softhsm2)`);
  } else {
    const tokenDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-softhsm-'));
    const line = execFileSync('bash', [path.resolve('scripts/softhsm-token.sh'), tokenDir], { encoding: 'utf8' });
    process.env.SOFTHSM2_CONF = /^export SOFTHSM2_CONF=(.+)$/m.exec(line)?.[1];
    write('| operation | Trustloop ops/s | openssl speed -multi 2 ops/s | ratio |');
    write('|---|--:|--:|--:|');
    try {
      await withApp(
        { keystore: 'pkcs11', pkcs11Module: SOFTHSM_MODULE, pkcs11Token: 'trustloop', pkcs11Pin: '1234' },
        async (app, ctx) => {
          await app.ceremony.start(ctx);
          for (const c of CASES.filter((one) => one.algorithm === 'RS256' || one.algorithm === 'ES256')) {
            const theirs = await peer(c);
            const ours = await libraryRate(app, ctx, c, `bench-hsm-${c.type}`);
            write(`| ${c.label} | ${count(ours)} | ${theirs ? count(theirs) : 'n/a'} | ${ratioText(ours, theirs)} |`);
          }
        },
      );
    } finally {
      rmSync(tokenDir, { recursive: true, force: true });
    }
  }

  write('');
  write(
    `## HTTP path (trustloop serve on loopback, SQLite, audit on; autocannon ${HTTP_CONNECTIONS} connections, ${HTTP_SECONDS} s each after 2 s warm-up)`,
  );
  const server = await startServer(profileDir ? { cpuProfileDir: profileDir } : {});
  try {
    // Who-am-I: authentication (the token looked up in the database), the permission check, a small
    // JSON answer built from the request alone. The keystore status route reads a row as well.
    const emptyRoute = () => load(server, { method: 'GET', route: '/api/v1/session' }, HTTP_SECONDS, HTTP_CONNECTIONS);
    // Each operation's row: its own run, then openssl and the empty route measured just before it.
    const rows: {
      label: string;
      result: LoadResult;
      openssl?: number;
      empty: LoadResult;
      target: string;
      ceiling?: number;
    }[] = [];
    for (const c of CASES) {
      const key = await server.call<{ id: string }>('POST', '/api/v1/keys', {
        name: `bench-http-${c.type}`,
        type: c.type,
        purpose: c.purpose,
      });
      if (c.algorithm) await checkHttpSignature(server, key.id, c.algorithm);
      const request =
        c.purpose === 'sign'
          ? {
              route: `/api/v1/keys/${key.id}/sign`,
              body: { input: SIGN_INPUT.toString('base64'), algorithm: c.algorithm },
            }
          : { route: `/api/v1/keys/${key.id}/encrypt`, body: { plaintext: ENCRYPT_INPUT.toString('base64') } };
      const theirs = await peer(c);
      const empty = await emptyRoute();
      rows.push({ label: 'empty authenticated GET /api/v1/session', result: empty, empty, target: '-' });
      const result = await load(server, { method: 'POST', ...request }, HTTP_SECONDS, HTTP_CONNECTIONS);
      const target = c.httpTarget;
      const against = target?.of === 'empty' ? empty.rate : theirs;
      // What a request costs at least: the empty route's CPU (server and client), a bare
      // node:crypto signature and one audit event.
      const bare = bareRates.get(c.type);
      const ceiling = bare ? cores / (empty.cpuPerRequest + cores / bare + eventCpu) : undefined;
      rows.push({
        label: `POST ${c.label}`,
        result,
        ...(theirs ? { openssl: theirs } : {}),
        ...(ceiling ? { ceiling } : {}),
        empty,
        target: target
          ? `${verdict(result.rate, against, target.ratio)} of ${target.of === 'empty' ? 'empty route' : 'openssl'}`
          : '-',
      });
    }
    write(
      '| request | req/s | p50 ms | p99 ms | failed | CPU µs per request (server + client) | openssl ops/s | ratio to openssl | ratio to the empty route run before it | target | ceiling (empty route + node:crypto + audit event), ratio to openssl |',
    );
    write('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const row of rows) {
      const { result } = row;
      const cells = [
        row.label,
        count(result.rate),
        result.p50,
        result.p99,
        result.failures,
        (result.cpuPerRequest * 1e6).toFixed(0),
        row.openssl ? count(row.openssl) : '-',
        row.openssl ? ratioText(result.rate, row.openssl) : '-',
        row.result === row.empty ? '-' : ratioText(result.rate, row.empty.rate),
        row.target,
        row.ceiling && row.openssl ? ratioText(row.ceiling, row.openssl) : '-',
      ];
      write(`| ${cells.join(' | ')} |`);
    }
    const verification = await server.call<{ ok: boolean; checked: number }>('POST', '/api/v1/audit/verifications');
    write(
      `audit events in the server's chain: ${verification.checked.toLocaleString('en')}, intact: ${verification.ok}`,
    );
    if (profileDir) {
      await server.stop();
      printProfiles(profileDir, rows);
    }
  } finally {
    await server.stop();
  }
  write(
    `load average at the end: ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
}

await main();

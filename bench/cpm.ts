/**
 * CPM benchmark, library path: signatures and AES-256-GCM encryptions per second through
 * `CryptoService` (policy checks, the software keystore, and one durable audit event per operation,
 * group-committed), each beside `openssl speed -multi 2` for the same primitive in the same run.
 *
 *   npm run bench:cpm                 (about a minute)
 *
 * The HTTP path and the PKCS#11 backend are not measured yet (see docs/benchmarks.md).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openApp, type App } from '../src/app.js';
import { loadConfig } from '../src/core/config.js';
import { systemContext, type RequestContext } from '../src/core/context.js';

const SECONDS = 4;
const IN_FLIGHT = 64;
const write = (line: string) => process.stdout.write(`${line}\n`);

interface Case {
  label: string;
  type: 'rsa-2048' | 'ec-p256' | 'ed25519' | 'aes-256-gcm';
  purpose: 'sign' | 'encrypt';
  /** `openssl speed -multi 2` arguments and how to read its rate. */
  openssl: string[];
  parse: (output: string) => number | undefined;
  target: number;
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
    openssl: ['rsa2048'],
    parse: lastNumber(/rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)/),
    target: 0.9,
  },
  {
    label: 'ES256 (P-256) sign',
    type: 'ec-p256',
    purpose: 'sign',
    openssl: ['ecdsap256'],
    parse: lastNumber(/256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)/),
    target: 0.6,
  },
  {
    label: 'EdDSA (Ed25519) sign',
    type: 'ed25519',
    purpose: 'sign',
    openssl: ['ed25519'],
    parse: lastNumber(/253 bits EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)/),
    target: 0.6,
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
    target: 0,
  },
];

async function openssl(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'openssl',
    ['speed', '-multi', '2', '-seconds', String(SECONDS), ...args],
    {
      maxBuffer: 1 << 20,
    },
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

async function measure(app: App, ctx: RequestContext, c: Case): Promise<number> {
  const key = await app.keys.create(ctx, { name: `bench-${c.type}`, type: c.type, purpose: c.purpose });
  const data = Buffer.alloc(c.purpose === 'encrypt' ? 1024 : 256, 7);
  const op =
    c.purpose === 'sign'
      ? () => app.crypto.sign(ctx, key.id, data)
      : () => app.crypto.encrypt(ctx, key.id, data, undefined);
  await rate(op); // warm-up: parsed keys cached, JIT settled
  return rate(op);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-cpm-'));
  const app = await openApp(loadConfig({}, { dataDir, logLevel: 'silent' }));
  const ctx = {
    ...systemContext(),
    actor: { type: 'token' as const, id: 'tok_benchbenchbenchb', role: 'security-officer', participantId: null },
  };
  try {
    for (const share of await app.ceremony.init(ctx, { shares: 2, threshold: 2 }))
      await app.ceremony.unseal(ctx, share);
    write(
      `# Trustloop CPM benchmark (library path, SQLite audit, ${IN_FLIGHT} in flight, ${SECONDS} s each), ${new Date().toISOString()}`,
    );
    write('| operation | Trustloop ops/s | openssl speed -multi 2 ops/s | ratio | target |');
    write('|---|--:|--:|--:|--:|');
    for (const c of CASES) {
      const ours = await measure(app, ctx, c);
      const peer = c.parse(await openssl(c.openssl));
      const ratio = peer ? ours / peer : undefined;
      write(
        `| ${c.label} | ${Math.round(ours).toLocaleString('en')} | ${peer ? Math.round(peer).toLocaleString('en') : 'n/a'} | ${ratio?.toFixed(2) ?? 'n/a'} | ${c.target ? `≥ ${c.target}` : '-'} |`,
      );
    }
    const audited = await app.audit.verify();
    write(
      `audit events written (one per operation): ${audited.checked.toLocaleString('en')}, chain intact: ${audited.ok}`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();

/**
 * Audit trail benchmark: durable appends (one event per transaction, and batched) and verification
 * of a whole chain, on SQLite and on PostgreSQL. Every figure is printed beside the raw SHA-256 rate
 * over the very bytes the chain hashes, measured in the same run (node:crypto, and `openssl speed`
 * for reference), as a ratio: the chain cannot be faster than hashing its own bytes.
 *
 *   npm run bench:audit               full run (a few minutes)
 *   npm run bench:audit -- --quick    1/50 of the counts: a smoke test, not figures to record
 *
 * PostgreSQL comes from TRUSTLOOP_BENCH_DATABASE_URL (or TRUSTLOOP_TEST_DATABASE_URL); each run
 * lives in a fresh schema, dropped at the end. Without either variable only SQLite is measured.
 */
import { execFile } from 'node:child_process';
import { createHash, hash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { openApp, type App } from '../src/app.js';
import { canonicalEvent } from '../src/audit/chain.js';
import type { AuditEntry } from '../src/audit/service.js';
import { loadConfig } from '../src/core/config.js';
import type { RequestContext } from '../src/core/context.js';
import type { AuditEventsTable } from '../src/core/db/schema.js';

/** Events per measurement, the same on both engines: PostgreSQL keeps up with SQLite here. */
interface Sizes {
  single: number;
  batched: number;
  batchSize: number;
  chain: number;
}

const SIZES: Sizes = { single: 2_000, batched: 200_000, batchSize: 1_000, chain: 1_000_000 };

const TARGET_BATCHED_SQLITE = 20_000;
const TARGET_VERIFY_RATIO = 0.25;
const OPENSSL_SECONDS = 3;

/** Events, the bytes the chain hashes for them, and the seconds a measurement took over them. */
interface Rate {
  events: number;
  bytes: number;
  seconds: number;
}

/** The two ways node:crypto hashes one buffer; the chain itself uses the one-shot `hash()`. */
interface RawRates {
  createHash: Rate;
  oneShot: Rate;
}

type Kind = 'single' | 'batched' | 'verify';

interface Result {
  engine: string;
  kind: Kind;
  what: string;
  ours: Rate;
  raw: RawRates;
}

const write = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const perSecond = (rate: Rate): number => rate.events / rate.seconds;
const megabytesPerSecond = (rate: Rate): number => rate.bytes / rate.seconds / 1e6;
const fmt = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (value: number): string => (value >= 0.01 ? value.toFixed(3) : value.toExponential(2));

const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

function requestContext(n: number): RequestContext {
  return {
    actor: {
      type: 'token',
      id: `tok_${(n % 40).toString(32).padStart(16, 'a')}`,
      role: 'security-officer',
      participantId: null,
    },
    requestId: `req_${randomBytes(10).toString('hex').slice(0, 16)}`,
    sourceIp: `10.20.${(n >> 8) & 255}.${n & 255}`,
    userAgent: USER_AGENT,
    sessionId: `ses_${(n % 40).toString(32).padStart(16, 'b')}`,
    service: 'api',
  };
}

function participantUpdate(n: number): AuditEntry {
  const id = `dfsp-${String(n % 500).padStart(4, '0')}`;
  return {
    action: 'participant.update',
    resource: { type: 'participant', id },
    participantId: id,
    details: {
      fields: ['name', 'status'],
      before: { name: `Bank ${n % 500}`, status: 'active' },
      after: { name: `Bank ${n % 500} Ltd`, status: n % 2 === 0 ? 'suspended' : 'active' },
      reason: 'annual KYC review: registration documents expired',
      ticket: `CHG-${String(n).padStart(7, '0')}`,
    },
  };
}

interface Store {
  app: App;
  durability: string;
  close(): Promise<void>;
}

async function openSqliteStore(): Promise<Store> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-'));
  const app = await openApp(loadConfig({}, { dataDir, logLevel: 'silent' }));
  const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(app.database.db);
  const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(app.database.db);
  return {
    app,
    durability: `${dataDir}, journal_mode=${mode.rows[0]?.journal_mode}, synchronous=${sync.rows[0]?.synchronous} (2 = FULL)`,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openPostgresStore(databaseUrl: string): Promise<Store> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(databaseUrl, `create schema ${schema}`);
  const app = await openApp(
    loadConfig({}, { dataDir: tmpdir(), databaseUrl, databaseSchema: schema, logLevel: 'silent' }),
  );
  const fsync = await sql<{ fsync: string }>`show fsync`.execute(app.database.db);
  const commit = await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(app.database.db);
  return {
    app,
    durability: `schema ${schema}, fsync=${fsync.rows[0]?.fsync}, synchronous_commit=${commit.rows[0]?.synchronous_commit}`,
    close: async () => {
      await app.close();
      await adminQuery(databaseUrl, `drop schema ${schema} cascade`);
    },
  };
}

async function adminQuery(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

/** `count` events, each in its own committed transaction: the cost of one audited change. */
async function appendSingly(app: App, count: number, offset: number): Promise<number> {
  return timed(async () => {
    for (let n = offset; n < offset + count; n += 1) {
      const ctx = requestContext(n);
      await app.database.transaction((tx) => app.audit.append(tx, ctx, participantUpdate(n)));
    }
  });
}

/** `count` events in committed transactions of `batchSize` events each. */
async function appendBatched(app: App, count: number, batchSize: number, offset: number): Promise<number> {
  return timed(async () => {
    for (let start = offset; start < offset + count; start += batchSize) {
      const ctx = requestContext(start);
      const size = Math.min(batchSize, offset + count - start);
      const entries = Array.from({ length: size }, (_, i) => participantUpdate(start + i));
      await app.database.transaction((tx) => app.audit.append(tx, ctx, ...entries));
    }
  });
}

async function verifyChain(app: App, expected: number): Promise<number> {
  return timed(async () => {
    const result = await app.audit.verify();
    if (!result.ok || result.checked !== expected) {
      throw new Error(`verification failed: ${JSON.stringify(result)}`);
    }
  });
}

/** Rows `first..last` in sequence order, a page at a time. */
async function* rowsBetween(app: App, first: number, last: number): AsyncGenerator<AuditEventsTable[]> {
  let after = first - 1;
  while (after < last) {
    const page = await app.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', after)
      .where('seq', '<=', last)
      .orderBy('seq', 'asc')
      .limit(5_000)
      .execute();
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.seq;
  }
}

/** Each page is hashed this many times and its fastest pass kept, so the peer is not slowed by warm-up. */
const RAW_PASSES = 3;

/** Seconds of the fastest of RAW_PASSES runs of `hashAll`. */
function fastestPass(hashAll: () => void): number {
  let best = Infinity;
  for (let pass = 0; pass < RAW_PASSES; pass += 1) {
    const start = performance.now();
    hashAll();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

/**
 * Raw SHA-256 over the bytes the chain hashes for rows `first..last` (`canonicalEvent`, as UTF-8).
 * The bytes are prepared untimed; only the hashing is timed, one event at a time as the chain does
 * it, in the two node:crypto forms. Every digest is checked against the stored hash, so these are
 * provably the chain's bytes.
 */
async function rawSha256(app: App, first: number, last: number): Promise<RawRates> {
  const createHashRate: Rate = { events: 0, bytes: 0, seconds: 0 };
  const oneShotRate: Rate = { events: 0, bytes: 0, seconds: 0 };
  for await (const page of rowsBetween(app, first, last)) {
    const buffers = page.map((row) => Buffer.from(canonicalEvent(row), 'utf8'));
    const digests = new Array<string>(buffers.length);
    const binary = new Array<Buffer>(buffers.length); // kept, like `digests`, so both loops do the same work
    createHashRate.seconds += fastestPass(() => {
      for (let i = 0; i < buffers.length; i += 1) binary[i] = createHash('sha256').update(buffers[i]!).digest();
    });
    oneShotRate.seconds += fastestPass(() => {
      for (let i = 0; i < buffers.length; i += 1) digests[i] = hash('sha256', buffers[i]!);
    });
    const bytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    page.forEach((row, i) => {
      if (digests[i] !== row.hash) throw new Error(`seq ${row.seq}: these bytes are not the ones the chain hashed`);
    });
    for (const rate of [createHashRate, oneShotRate]) {
      rate.events += page.length;
      rate.bytes += bytes;
    }
  }
  return { createHash: createHashRate, oneShot: oneShotRate };
}

async function benchEngine(label: string, store: Store, sizes: Sizes): Promise<Result[]> {
  const { app } = store;
  write(`\n## ${label} (${store.durability})`);
  const results: Result[] = [];
  const report = async (kind: Kind, what: string, first: number, last: number, seconds: number): Promise<void> => {
    const raw = await rawSha256(app, first, last);
    const result = { engine: label, kind, what, ours: { ...raw.oneShot, seconds }, raw };
    results.push(result);
    printResult(result);
  };

  const single = await appendSingly(app, sizes.single, 1);
  await report('single', 'append, 1 event/tx', 1, sizes.single, single);

  let head = sizes.single;
  const batched = await appendBatched(app, sizes.batched, sizes.batchSize, head + 1);
  await report('batched', `append, ${fmt(sizes.batchSize)} events/tx`, head + 1, head + sizes.batched, batched);
  head += sizes.batched;

  const fill = sizes.chain - head;
  const fillSeconds = await appendBatched(app, fill, sizes.batchSize, head + 1);
  write(`  (filled the chain to ${fmt(sizes.chain)} events at ${fmt(fill / fillSeconds)} events/s, batched)`);

  const verify = await verifyChain(app, sizes.chain);
  await report('verify', `verify ${fmt(sizes.chain)}-event chain`, 1, sizes.chain, verify);
  return results;
}

/** Ours as a share of a raw rate over the same events (and so the same bytes). */
const share = (ours: Rate, raw: Rate): number => perSecond(ours) / perSecond(raw);

function printResult({ what, ours, raw }: Result): void {
  const rawLine = (name: string, rate: Rate): string =>
    `${name} ${fmt(perSecond(rate))} events/s (${megabytesPerSecond(rate).toFixed(0)} MB/s), ratio ${ratio(share(ours, rate))}`;
  write(`  ${what}: ${fmt(ours.events)} events, ${fmt(ours.bytes)} bytes hashed, ${ours.seconds.toFixed(2)} s`);
  write(`    ours:    ${fmt(perSecond(ours))} events/s (${megabytesPerSecond(ours).toFixed(1)} MB/s)`);
  write(
    `    raw SHA-256 over the same bytes: ${rawLine('createHash()', raw.createHash)}; ${rawLine('hash()', raw.oneShot)}`,
  );
}

interface OpensslRate {
  blockBytes: number;
  blocksPerSecond: number;
}

async function opensslSha256(blockBytes: number): Promise<OpensslRate | undefined> {
  const args = ['speed', '-bytes', String(blockBytes), '-seconds', String(OPENSSL_SECONDS), 'sha256'];
  try {
    const { stdout } = await promisify(execFile)('openssl', args);
    // The last table line reads `sha256   1506457.27k`: thousands of bytes per second.
    const match = /^sha256\s+([\d.]+)k\s*$/m.exec(stdout);
    return match ? { blockBytes, blocksPerSecond: (Number(match[1]) * 1000) / blockBytes } : undefined;
  } catch {
    return undefined;
  }
}

function printTable(results: Result[], openssl: OpensslRate | undefined): void {
  write(
    '\n| engine | measurement | events | s | events/s | MB/s | createHash() events/s | ratio | hash() events/s | ratio | ratio vs openssl |',
  );
  write('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const { engine, what, ours, raw } of results) {
    const vsOpenssl = openssl ? ratio(perSecond(ours) / openssl.blocksPerSecond) : 'n/a';
    const cells = [
      engine,
      what,
      fmt(ours.events),
      ours.seconds.toFixed(2),
      fmt(perSecond(ours)),
      megabytesPerSecond(ours).toFixed(1),
      fmt(perSecond(raw.createHash)),
      ratio(share(ours, raw.createHash)),
      fmt(perSecond(raw.oneShot)),
      ratio(share(ours, raw.oneShot)),
      vsOpenssl,
    ];
    write(`| ${cells.join(' | ')} |`);
  }
  write(
    openssl
      ? `\nopenssl speed -bytes ${openssl.blockBytes} -seconds ${OPENSSL_SECONDS} sha256: ` +
          `${fmt(openssl.blocksPerSecond)} blocks/s, ${fmt((openssl.blocksPerSecond * openssl.blockBytes) / 1e6)} MB/s (one core)`
      : '\nopenssl speed: not available on this machine',
  );
}

function printVerdict(results: Result[]): void {
  const batched = results.find((r) => r.engine === 'SQLite' && r.kind === 'batched');
  if (batched) {
    const rate = perSecond(batched.ours);
    const verdict = rate >= TARGET_BATCHED_SQLITE ? 'meets' : 'MISSES';
    write(`target: SQLite batched ≥ ${fmt(TARGET_BATCHED_SQLITE)} durable events/s: ${fmt(rate)}, ${verdict} it`);
  }
  for (const verify of results.filter((r) => r.kind === 'verify')) {
    const percent = (raw: Rate): string => `${(share(verify.ours, raw) * 100).toFixed(1)} %`;
    const verdict = share(verify.ours, verify.raw.createHash) >= TARGET_VERIFY_RATIO ? 'meets' : 'MISSES';
    write(
      `target: ${verify.engine} verification ≥ 25 % of raw SHA-256: ${percent(verify.raw.createHash)} of createHash(), ` +
        `${verdict} it (${percent(verify.raw.oneShot)} of the one-shot hash() the chain uses)`,
    );
  }
}

function printMachine(): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  write(`# Trustloop audit benchmark, ${new Date().toISOString()}`);
  write(`node ${process.version}, OpenSSL ${process.versions.openssl}, ${availableParallelism()} cores (${cpu})`);
  printLoad('at start');
}

/** Other work on the machine slows ours and the peer alike; the ratios hold up better than the rates. */
function printLoad(when: string): void {
  const load = loadavg().map((value) => value.toFixed(2));
  write(`load average ${when}: ${load.join(' ')} (1, 5, 15 min)`);
}

function scaledDown({ single, batched, batchSize, chain }: Sizes): Sizes {
  return { single: single / 50, batched: batched / 50, batchSize, chain: chain / 50 };
}

async function runEngine(label: string, open: () => Promise<Store>, sizes: Sizes): Promise<Result[]> {
  const store = await open();
  try {
    return await benchEngine(label, store, sizes);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const databaseUrl = process.env.TRUSTLOOP_BENCH_DATABASE_URL || process.env.TRUSTLOOP_TEST_DATABASE_URL;
  printMachine();
  if (quick) write('--quick: 1/50 of the counts, a smoke test; do not record these figures');
  const sizes = quick ? scaledDown(SIZES) : SIZES;
  const results = await runEngine('SQLite', openSqliteStore, sizes);
  if (databaseUrl) {
    results.push(...(await runEngine('PostgreSQL', () => openPostgresStore(databaseUrl), sizes)));
  } else {
    write('\n## PostgreSQL: skipped (set TRUSTLOOP_BENCH_DATABASE_URL or TRUSTLOOP_TEST_DATABASE_URL to measure it)');
  }
  const verify = results.find((r) => r.kind === 'verify')!;
  const openssl = await opensslSha256(Math.round(verify.ours.bytes / verify.ours.events));
  printTable(results, openssl);
  printVerdict(results);
  printLoad('at the end');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

/**
 * Which SQL statements one HTTP sign request makes better-sqlite3 prepare, and what preparing each
 * costs: Kysely's SQLite driver prepares every query anew, so this is main-thread time spent per
 * request however often the same statement ran before. Requests go through the real server (in
 * process, Fastify inject), 32 at a time as in `bench:cpm`.
 *
 *   node --import tsx bench/cpm-prepares.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openApp } from '../src/app.js';
import { loadConfig } from '../src/core/config.js';
import { systemContext } from '../src/core/context.js';
import { createLogger } from '../src/core/logger.js';
import { buildServer } from '../src/http/server.js';

const CONCURRENT = 32;
const ROUNDS = 25;
const TIMING_REPEATS = 200;

/** Mean µs per call over the fastest of ten passes: on a shared machine the slow passes are other work. */
function fastestMicros(call: () => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < 10; pass++) {
    const start = performance.now();
    for (let i = 0; i < TIMING_REPEATS; i++) call();
    best = Math.min(best, ((performance.now() - start) * 1000) / TIMING_REPEATS);
  }
  return best;
}

const prepared: string[] = [];
let recording = false;
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, sql: string) {
  if (recording) prepared.push(sql);
  return prepare.call(this, sql);
} as typeof prepare;

const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-bench-prepares-'));
const app = await openApp(loadConfig({}, { dataDir, logLevel: 'silent' }));
try {
  const ctx = systemContext();
  for (const share of await app.ceremony.init(ctx, { shares: 2, threshold: 2 })) await app.ceremony.unseal(ctx, share);
  const { token } = await app.tokens.create(ctx, { name: 'bench', role: 'admin', participantId: null });
  const key = await app.keys.create(ctx, { name: 'bench-es256', type: 'ec-p256', purpose: 'sign' });
  const server = await buildServer(app, createLogger('silent'));
  await server.ready();
  const sign = () =>
    server.inject({
      method: 'POST',
      url: `/api/v1/keys/${key.id}/sign`,
      headers: { authorization: `Bearer ${token}` },
      payload: { input: Buffer.alloc(256, 7).toString('base64'), algorithm: 'ES256' },
    });
  for (let i = 0; i < 50; i++) await sign(); // warm-up: caches filled, JIT settled
  recording = true;
  for (let round = 0; round < ROUNDS; round++) await Promise.all(Array.from({ length: CONCURRENT }, sign));
  recording = false;
  await server.close();

  const requests = CONCURRENT * ROUNDS;
  const db = new Database(path.join(dataDir, 'trustloop.db'), { readonly: true });
  const groups = new Map<string, { count: number; micros: number }>();
  for (const sql of new Set(prepared)) {
    const micros = fastestMicros(() => prepare.call(db, sql));
    const count = prepared.filter((one) => one === sql).length;
    // Every batch size gives the multi-row audit insert a text of its own: one line for all of them.
    const label = sql.startsWith('insert into "audit_events"')
      ? 'insert into "audit_events" … (one text per batch size)'
      : sql.slice(0, 100);
    const group = groups.get(label) ?? { count: 0, micros: 0 };
    groups.set(label, { count: group.count + count, micros: group.micros + micros * count });
  }
  db.close();
  process.stdout.write(
    `${prepared.length} statements prepared for ${requests} sign requests, ${CONCURRENT} at a time (${(prepared.length / requests).toFixed(2)} per request)\n`,
  );
  process.stdout.write(
    '| statement | prepared per request | µs per prepare (mean) | µs per request |\n|---|--:|--:|--:|\n',
  );
  let total = 0;
  for (const [label, { count, micros }] of [...groups].sort((a, b) => b[1].micros - a[1].micros)) {
    total += micros / requests;
    process.stdout.write(
      `| ${label} | ${(count / requests).toFixed(3)} | ${(micros / count).toFixed(1)} | ${(micros / requests).toFixed(1)} |\n`,
    );
  }
  process.stdout.write(`preparing, per sign request: ${total.toFixed(1)} µs of main thread\n`);
} finally {
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { forEachEngine } from './support/engines.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer } from './support/server.js';
import { attackOperation, attackUndeclaredMethods } from './support/hostile/attack.js';
import { operationName, operationsOf } from './support/hostile/openapi.js';
import { methodCases } from './support/hostile/param-cases.js';
import { Runner, report } from './support/hostile/runner.js';

/**
 * Reads /openapi.json and attacks every operation it declares — wrong types, missing and unknown
 * fields, oversized and deep bodies, prototype-polluting keys, invalid UTF-8, hostile path and
 * query values, wrong content types — as every kind of caller. Every answer must be a 4xx
 * problem+json without internals or a success; a refused request may write nothing but its
 * denial to the audit trail. Routes added later are attacked without changing this file.
 * HOSTILE_SEED replays another seed; HOSTILE_FUZZ_RUNS sets the fast-check runs per operation.
 */
const SEED = Number(process.env.HOSTILE_SEED ?? 20_240_917);
const FUZZ_RUNS = Number(process.env.HOSTILE_FUZZ_RUNS ?? 40);

forEachEngine('hostile input', (engine) => {
  it('every operation in /openapi.json refuses hostile input cleanly', { timeout: 900_000 }, async (t) => {
    const started = Date.now();
    const server = await startTestServer(engine);
    try {
      const document = await server.request({ method: 'GET', url: '/openapi.json', as: 'none' });
      assert.equal(document.statusCode, 200, 'GET /openapi.json');
      const operations = operationsOf(document.json());
      assert.ok(operations.length > 0, '/openapi.json declares no operations');
      const runner = await Runner.open(server);
      const knownIds = orderedIds(await runner.watch.knownIds());
      const options = { seed: SEED, knownIds, bodyLimit: server.app.config.bodyLimitBytes, fuzzRuns: FUZZ_RUNS };

      for (const op of operations) {
        await t.test(operationName(op), async (st) => {
          // The harness's own valid requests include sealing the keystore: open it again so every
          // key route is attacked with the keystore working, not just answering 503 ERR_SEALED.
          await server.reopenKeystore();
          await runner.resync();
          const before = runner.violations.length;
          const sent = await attackOperation(runner, op, options);
          st.diagnostic(`${sent} requests`);
          assert.ok(sent > 0, 'no request was sent');
          assertClean(runner, before);
        });
      }
      await t.test('methods no operation declares', async () => {
        const before = runner.violations.length;
        await attackUndeclaredMethods(runner, methodCases(operations));
        assertClean(runner, before);
      });
      await t.test('the audit trail still verifies after the attack', async () => {
        const verification = await server.app.audit.verify();
        assert.ok(verification.ok, `audit chain broken at seq ${verification.firstBadSeq}: ${verification.reason}`);
      });

      const statuses = [...runner.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`);
      t.diagnostic(
        `${engine}: ${operations.length} operations on ${new Set(operations.map((o) => o.path)).size} paths, ` +
          `${runner.requests} requests, ${runner.identities.list().length} identities, seed ${SEED}, ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${statuses.join(' ')}; ` +
          `${runner.violations.length} violations`,
      );
    } finally {
      await server.close();
    }
  });
});

function assertClean(runner: Runner, before: number): void {
  const found = runner.violations.slice(before);
  assert.equal(found.length, 0, report(found));
}

/** The fixture's two DFSPs first (each the other's "other participant"), then every other id in the store. */
function orderedIds(ids: readonly string[]): string[] {
  return [...new Set([PARTICIPANT_A, PARTICIPANT_B, ...ids])];
}

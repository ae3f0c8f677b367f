import assert from 'node:assert/strict';
import { beforeEach, it } from 'node:test';
import { systemContext } from '../core/context.js';
import { isTrustloopError } from '../core/errors.js';
import {
  breakAuditWrites,
  forEachEngine,
  openTestApp,
  tamperWithAudit,
  type TestApp,
} from '../../test/support/engines.js';
import { GENESIS_HASH, hashEvent } from './chain.js';
import { verifyChain } from './verify.js';

async function seedEvents(app: TestApp, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await app.audit.record(systemContext(), {
      action: 'test.event',
      resource: { type: 'test', id: `r${i}` },
      details: { index: i },
    });
  }
}

forEachEngine('audit trail', (engine) => {
  let app: TestApp;

  beforeEach(async () => {
    app = await openTestApp(engine);
    await seedEvents(app, 6);
  });

  const done = async () => app.close();

  it('chains events from the genesis hash with gap-free sequence numbers', async (t) => {
    t.after(done);
    const events = (await app.audit.list({ limit: 100 })).reverse();
    assert.deepEqual(
      events.map((e) => e.seq),
      [1, 2, 3, 4, 5, 6],
    );
    assert.equal(events[0]!.prevHash, GENESIS_HASH);
    for (let i = 1; i < events.length; i += 1) assert.equal(events[i]!.prevHash, events[i - 1]!.hash);
    const result = await app.audit.verify();
    assert.equal(result.ok, true);
    assert.equal(result.checked, 6);
    assert.equal(result.headHash, events[5]!.hash);
  });

  it('refuses UPDATE and DELETE of audit rows at the database', async (t) => {
    t.after(done);
    await assert.rejects(app.rawSql("update audit_events set action = 'x' where seq = 1"), /append-only/);
    await assert.rejects(app.rawSql('delete from audit_events where seq = 1'), /append-only/);
    if (engine === 'postgres') await assert.rejects(app.rawSql('truncate audit_events'), /append-only/);
    assert.equal((await app.audit.verify()).ok, true);
  });

  it('names the edited row', async (t) => {
    t.after(done);
    await tamperWithAudit(app, `update audit_events set details = '{"index":99}' where seq = 3`);
    await assertVerdict(app, { ok: false, firstBadSeq: 3, reason: 'hash-mismatch' });
  });

  it('names the deleted row', async (t) => {
    t.after(done);
    await tamperWithAudit(app, `delete from audit_events where seq = 4`);
    await assertVerdict(app, { ok: false, firstBadSeq: 4, reason: 'missing-event' });
  });

  it('names an inserted row, even one carrying a self-consistent hash', async (t) => {
    t.after(done);
    const [third] = await app.audit.list({ limit: 1, beforeSeq: 4 });
    // Shift rows 4..6 up by one and forge a row 4 that copies row 3's hash as its own link.
    await tamperWithAudit(
      app,
      `update audit_events set seq = seq + 100 where seq >= 4;
       update audit_events set seq = seq - 99 where seq >= 104;
       insert into audit_events (seq, id, time, service, host, actor_type, actor_id, actor_role, action, resource_type,
         resource_id, outcome, error_code, request_id, source_ip, user_agent, participant_id, details, prev_hash, hash)
       values (4, 'evt_forgedforgedforg', '2026-01-01T00:00:00.000Z', 'api', 'h', 'token', 'tok_x', 'admin',
         'participant.delete', 'participant', 'dfsp1', 'success', null, null, null, null, null, '{}',
         '${third!.hash}', '${'a'.repeat(64)}')`,
    );
    await assertVerdict(app, { ok: false, firstBadSeq: 4, reason: 'hash-mismatch' });
  });

  it('names reordered rows', async (t) => {
    t.after(done);
    await tamperWithAudit(
      app,
      `update audit_events set seq = 100 where seq = 2;
       update audit_events set seq = 2 where seq = 5;
       update audit_events set seq = 5 where seq = 100`,
    );
    await assertVerdict(app, { ok: false, firstBadSeq: 2, reason: 'hash-mismatch' });
  });

  it('names a row whose hash is recomputed but whose link is forged', async (t) => {
    t.after(done);
    const [fourth] = await app.audit.list({ limit: 1, beforeSeq: 5 });
    const row = await app.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '=', fourth!.seq)
      .executeTakeFirstOrThrow();
    const forged = { ...row, prev_hash: 'f'.repeat(64) };
    await tamperWithAudit(
      app,
      `update audit_events set prev_hash = '${forged.prev_hash}', hash = '${hashEvent(forged)}' where seq = 4`,
    );
    await assertVerdict(app, { ok: false, firstBadSeq: 4, reason: 'previous-hash-mismatch' });
  });

  it('verifies an intact chain the same way on one thread and on several', async (t) => {
    t.after(done);
    await assertVerdict(app, { ok: true, firstBadSeq: null, reason: null });
  });

  it('fails closed: when the audit write fails, the change it records is rolled back', async (t) => {
    t.after(done);
    await breakAuditWrites(app);
    await assert.rejects(
      app.participants.create(systemContext(), { id: 'dfsp-lost', name: 'Never stored', kind: 'dfsp' }),
      (error: unknown) => isTrustloopError(error) && error.code === 'ERR_AUDIT_UNAVAILABLE',
    );
    const rows = await app.database.db.selectFrom('participants').select('id').where('id', '=', 'dfsp-lost').execute();
    assert.deepEqual(rows, []);
    assert.equal((await app.audit.verify()).checked, 6);
  });

  it('keeps concurrent appends in one unbroken chain', async (t) => {
    t.after(done);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.audit.record(systemContext(), { action: 'test.concurrent', resource: { type: 'test', id: String(i) } }),
      ),
    );
    const result = await app.audit.verify();
    assert.equal(result.ok, true);
    assert.equal(result.checked, 26);
  });

  it('interleaves recorded events with changes committed on the main connection, in one chain', async (t) => {
    t.after(done);
    const records = Array.from({ length: 200 }, (_, i) =>
      app.audit.record(systemContext(), { action: 'test.mixed', resource: { type: 'test', id: String(i) } }),
    );
    const changes = Array.from({ length: 10 }, (_, i) =>
      app.participants.create(systemContext(), { id: `dfsp-mix-${i}`, name: `Mixed ${i}`, kind: 'dfsp' }),
    );
    await Promise.all([...records, ...changes]);
    const result = await app.audit.verify();
    assert.equal(result.ok, true);
    assert.equal(result.checked, 216);
    assert.equal((await app.audit.list({ limit: 20, action: 'participant.create' })).length, 10);
  });

  it('groups concurrent records into shared commits, and fails every waiter when a commit fails', async (t) => {
    t.after(done);
    const record = (i: number) =>
      app.audit.record(systemContext(), { action: 'test.group', resource: { type: 'test', id: String(i) } });
    const events = await Promise.all(Array.from({ length: 300 }, (_, i) => record(i)));
    assert.equal(new Set(events.map((e) => e.seq)).size, 300);
    for (const i of [0, 31, 32, 33, 150, 299])
      assert.equal((await app.audit.get(events[i]!.seq))?.resource.id, String(i), `receipt ${i} names another event`);
    assert.deepEqual((await app.audit.verify()).checked, 306);
    const repair = await breakAuditWrites(app);
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => record(i)));
    assert.ok(
      outcomes.every((o) => o.status === 'rejected'),
      'a waiter was told its event was written',
    );
    await repair();
    assert.equal((await app.audit.verify()).checked, 306);
    await record(999);
    assert.equal((await app.audit.verify()).checked, 307);
  });

  it('redacts secrets and masks personal data in details', async (t) => {
    t.after(done);
    const { seq } = await app.audit.record(systemContext(), {
      action: 'test.redact',
      resource: { type: 'test' },
      details: {
        token: 'tl.tok_x.secret',
        nested: { privateKey: 'PEM' },
        email: 'alice@bank.example',
        note: 'x'.repeat(400),
      },
    });
    const event = (await app.audit.get(seq))!;
    assert.equal(event.details.token, '[redacted]');
    assert.deepEqual(event.details.nested, { privateKey: '[redacted]' });
    assert.equal(event.details.email, 'a***@bank.example');
    assert.equal((event.details.note as string).length, 257);
  });

  it('filters by action prefix, outcome and participant, newest first', async (t) => {
    t.after(done);
    await app.audit.record(systemContext(), {
      action: 'access.denied',
      resource: { type: 'route' },
      outcome: 'denied',
      participantId: 'dfsp-a',
    });
    const denied = await app.audit.list({ limit: 10, outcome: 'denied' });
    assert.deepEqual(
      denied.map((e) => e.action),
      ['access.denied'],
    );
    assert.equal((await app.audit.list({ limit: 10, action: 'test.*' })).length, 6);
    assert.equal((await app.audit.list({ limit: 10, action: 'test.' })).length, 0);
    assert.equal((await app.audit.list({ limit: 10, participantId: 'dfsp-a' })).length, 1);
    const page = await app.audit.list({ limit: 2, beforeSeq: 5 });
    assert.deepEqual(
      page.map((e) => e.seq),
      [4, 3],
    );
  });
});

/**
 * Verifies on the calling thread and with three worker threads over ranges of two or three rows
 * (so breaks land inside ranges and on their joins); both must give the expected verdict.
 */
async function assertVerdict(
  app: TestApp,
  expected: { ok: boolean; firstBadSeq: number | null; reason: string | null },
) {
  const sequential = await app.audit.verify();
  assert.deepEqual({ ok: sequential.ok, firstBadSeq: sequential.firstBadSeq, reason: sequential.reason }, expected);
  const parallel = await verifyChain(app.database, { parallelFrom: 1, workers: 3 });
  assert.deepEqual(
    {
      ok: parallel.broken === null,
      firstBadSeq: parallel.broken?.seq ?? null,
      reason: parallel.broken?.reason ?? null,
    },
    expected,
    'parallel verification disagrees',
  );
}

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { forEachEngine, type TestApp } from '../../../test/support/engines.js';
import { PARTICIPANT_B, startTestServer, type TestServer } from '../../../test/support/server.js';
import { systemContext } from '../../core/context.js';

const PCI_724 = 'urn:trustloop:catalog:pci-dss:4.0.1:req:7.2.4';

interface Entry {
  tokenId: string;
  role: string;
  participantId: string | null;
  decision: string | null;
}

const tokenIdOf = (token: string): string => token.split('.')[1]!;

forEachEngine('access reviews (PCI DSS 7.2.4)', (engine) => {
  let t: TestServer;
  let reviewId: string;
  before(async () => {
    t = await startTestServer(engine);
  });
  after(() => t.close());

  const decide = (
    tokenId: string,
    payload: Record<string, unknown>,
    as: 'security-officer' | 'admin' | 'participant' = 'security-officer',
  ) => t.request({ method: 'PUT', url: `/api/v1/access-reviews/${reviewId}/entries/${tokenId}`, as, payload });
  const collect = async () => t.app.collectors.run(systemContext(), 'iam.access-review');

  it('with no completed review, the 7.2.4 collector fails; token hygiene no longer claims 7.2.4', async () => {
    const records = await collect();
    const hub = records.find((r) => r.participantId === 'hub')!;
    assert.equal(hub.result, 'fail');
    assert.match(hub.title, /no access review has been completed/);
    assert.deepEqual(hub.requirementUrns, [PCI_724]);
    const hygiene = await t.app.collectors.run(systemContext(), 'iam.token-hygiene');
    assert.ok(hygiene.every((r) => !r.requirementUrns.includes(PCI_724)));
  });

  it('an officer starts a review: a snapshot of every live token and its role; only one is open', async () => {
    const started = await t.request({
      method: 'POST',
      url: '/api/v1/access-reviews',
      as: 'security-officer',
      payload: { note: 'H2 review' },
    });
    assert.equal(started.statusCode, 201, started.body);
    const { review, entries } = started.json() as { review: { id: string; undecided: number }; entries: Entry[] };
    reviewId = review.id;
    const live = await t.app.tokens.list(false);
    assert.deepEqual(entries.map((e) => e.tokenId).sort(), live.map((tok) => tok.id).sort());
    assert.equal(review.undecided, live.length);
    const b = entries.find((e) => e.participantId === PARTICIPANT_B)!;
    assert.equal(b.role, 'participant');
    const [event] = await t.app.audit.list({ limit: 1, action: 'access-review.start' });
    assert.equal(event!.details.entries, live.length);
    const second = await t.request({ method: 'POST', url: '/api/v1/access-reviews', as: 'admin', payload: {} });
    assert.equal(second.statusCode, 409);
    const participant = await t.request({
      method: 'POST',
      url: '/api/v1/access-reviews',
      as: 'participant',
      payload: {},
    });
    assert.equal(participant.statusCode, 403);
  });

  it('a revoke decision revokes the token at once; bad decisions are refused and change nothing', async () => {
    const otherId = tokenIdOf(t.otherParticipantToken);
    assert.equal((await decide(otherId, { decision: 'revoke' })).statusCode, 400, 'a revocation needs a reason');
    const own = await decide(tokenIdOf(t.tokens['security-officer']), { decision: 'keep' });
    assert.equal(own.statusCode, 403);
    assert.match(own.json().detail, /own access/);
    assert.equal((await decide(otherId, { decision: 'keep' }, 'participant')).statusCode, 403);
    assert.equal((await decide('tok_aaaaaaaaaaaaaaaa', { decision: 'keep' })).statusCode, 404);

    const revoked = await decide(otherId, { decision: 'revoke', reason: 'left the scheme project' });
    assert.equal(revoked.statusCode, 200, revoked.body);
    const who = await t.request({ method: 'GET', url: '/api/v1/session', as: 'other-participant' });
    assert.equal(who.statusCode, 401, 'the revoked token no longer works');
    const [revocation] = await t.app.audit.list({ limit: 1, action: 'token.revoke' });
    assert.equal(revocation!.resource.id, otherId);
    assert.equal(revocation!.details.accessReview, reviewId);
    assert.equal((await decide(otherId, { decision: 'keep' })).statusCode, 409, 'decided once');
  });

  it('completes only when every entry is decided; records the reviewer and announces it', async () => {
    const early = await t.request({
      method: 'POST',
      url: `/api/v1/access-reviews/${reviewId}/complete`,
      as: 'security-officer',
    });
    assert.equal(early.statusCode, 409);
    assert.match(early.json().detail, /still undecided/);
    const { entries } = (
      await t.request({ method: 'GET', url: `/api/v1/access-reviews/${reviewId}`, as: 'auditor' })
    ).json() as {
      entries: Entry[];
    };
    const officerId = tokenIdOf(t.tokens['security-officer']);
    for (const entry of entries.filter((e) => e.decision === null)) {
      const response = await decide(
        entry.tokenId,
        { decision: 'keep' },
        entry.tokenId === officerId ? 'admin' : 'security-officer',
      );
      assert.equal(response.statusCode, 200, response.body);
    }
    const done = await t.request({
      method: 'POST',
      url: `/api/v1/access-reviews/${reviewId}/complete`,
      as: 'security-officer',
    });
    assert.equal(done.statusCode, 200, done.body);
    const { review } = done.json();
    assert.equal(review.status, 'completed');
    assert.equal(review.completedBy, officerId);
    assert.equal(review.revoked, 1);
    const [event] = await t.app.audit.list({ limit: 1, action: 'access-review.complete' });
    assert.deepEqual([event!.resource.id, event!.details.revoked], [reviewId, 1]);
    const announced = await t.app.notifications.list(systemContext(), { type: 'iam.access-review.completed' });
    assert.equal(announced.items[0]!.payload.reviewId, reviewId);
    assert.equal(
      (await decide(officerId, { decision: 'keep' }, 'admin')).statusCode,
      409,
      'a completed review is closed',
    );
  });

  it('the 7.2.4 collector passes on a recent covering review; a new token or an old review fails it with the data', async () => {
    const passed = await collect();
    assert.ok(passed.length >= 2);
    assert.ok(
      passed.every((r) => r.result === 'pass'),
      JSON.stringify(passed.map((r) => r.title)),
    );

    const created = await t.app.tokens.create(systemContext(), { name: 'after the review', role: 'auditor' });
    const uncovered = (await collect()).find((r) => r.participantId === 'hub')!;
    assert.equal(uncovered.result, 'fail');
    assert.deepEqual((uncovered.data as { uncovered: string[] }).uncovered, [created.view.id]);
    await t.app.tokens.revoke(systemContext(), created.view.id);
    assert.equal((await collect()).find((r) => r.participantId === 'hub')!.result, 'pass');

    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    await (t.app as TestApp).rawSql(`update access_reviews set completed_at = '${old}' where id = '${reviewId}'`);
    const stale = (await collect()).find((r) => r.participantId === 'hub')!;
    assert.equal(stale.result, 'fail');
    assert.match(stale.title, /200 days ago/);
    assert.equal((stale.data as { reviewId: string }).reviewId, reviewId);
  });
});

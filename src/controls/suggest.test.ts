import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { forEachEngine } from '../../test/support/engines.js';
import { PARTICIPANT_A, startTestServer, type TestServer } from '../../test/support/server.js';
import { derive, relationFrom } from './suggest.js';

const PCI = 'urn:trustloop:catalog:pci-dss:4.0.1';
const GDPR = 'urn:trustloop:catalog:gdpr:2016-679';
const MOJALOOP = 'urn:trustloop:catalog:mojaloop-security:1.0';
const ML_PCI = 'urn:trustloop:mapping:mojaloop-security-1.0:pci-dss-4.0.1';

describe('mapping rules', () => {
  it('reads a mapping from the asking requirement’s side', () => {
    const link = { catalogUrn: PCI, ref: '10.2.2', mappingUrn: ML_PCI };
    assert.equal(relationFrom({ ...link, relationship: 'subset', direction: 'forward' }), 'subset');
    assert.equal(relationFrom({ ...link, relationship: 'subset', direction: 'reverse' }), 'superset');
    assert.equal(relationFrom({ ...link, relationship: 'superset', direction: 'reverse' }), 'subset');
    assert.equal(relationFrom({ ...link, relationship: 'intersects', direction: 'reverse' }), 'intersects');
  });

  it('carries a result over only through equal; otherwise at most partially compliant or informative', () => {
    const table = {
      equal: ['compliant', 'partially-compliant', 'non-compliant'],
      subset: ['partially-compliant', null, null],
      superset: ['partially-compliant', 'partially-compliant', 'non-compliant'],
      intersects: ['partially-compliant', null, null],
    } as const;
    for (const [relation, expected] of Object.entries(table))
      assert.deepEqual(
        (['compliant', 'partially-compliant', 'non-compliant'] as const).map((result) =>
          derive(relation as keyof typeof table, result),
        ),
        expected,
        relation,
      );
    for (const relation of Object.keys(table) as (keyof typeof table)[]) {
      assert.equal(derive(relation, 'not-assessed'), null);
      assert.equal(derive(relation, 'not-applicable'), null);
    }
  });
});

interface SuggestionView {
  ref: string;
  result: string | null;
  sources: {
    catalogUrn: string;
    ref: string;
    mappingUrn: string;
    relation: string;
    assessmentId: string;
    result: string;
    suggests: string | null;
  }[];
}

forEachEngine('mapping-driven suggestions', (engine) => {
  let t: TestServer;
  let mojaloop: string;
  let pci: string;
  const create = async (catalogUrn: string, participantId: string, title: string) => {
    const response = await t.request({
      method: 'POST',
      url: '/api/v1/controls/assessments',
      as: 'compliance-officer',
      payload: { catalogUrn, participantId, title },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().assessment.id as string;
  };
  const answer = async (
    id: string,
    items: object[],
    as: 'compliance-officer' | 'participant' = 'compliance-officer',
  ) => {
    const response = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${id}/items`,
      as,
      payload: { items },
    });
    assert.equal(response.statusCode, 200, response.body);
  };
  const suggestions = async (id: string, as: 'compliance-officer' | 'participant' = 'compliance-officer') => {
    const response = await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${id}`, as });
    assert.equal(response.statusCode, 200, response.body);
    return new Map((response.json().suggestions as SuggestionView[]).map((s) => [s.ref, s] as const));
  };
  const accept = (id: string, refs: string[], as: 'compliance-officer' | 'participant' = 'compliance-officer') =>
    t.request({ method: 'POST', url: `/api/v1/controls/assessments/${id}/suggestions/accept`, as, payload: { refs } });

  before(async () => {
    t = await startTestServer(engine);
    mojaloop = await create(MOJALOOP, 'hub', 'Hub Mojaloop standards');
    await answer(mojaloop, [
      { ref: 'LOG-13', result: 'compliant', justification: 'retention verified' },
      { ref: 'LOG-9', result: 'non-compliant' },
      { ref: 'LOG-8', result: 'compliant' },
    ]);
    pci = await create(PCI, 'hub', 'Hub PCI DSS');
  });
  after(() => t.close());

  it('suggests results for unanswered requirements from the same scope’s mapped assessments, with provenance', async () => {
    const shown = await suggestions(pci);
    const equal = shown.get('10.3.1')!;
    assert.equal(equal.result, 'compliant');
    assert.deepEqual(equal.sources[0], {
      catalogUrn: MOJALOOP,
      ref: 'LOG-13',
      mappingUrn: ML_PCI,
      relation: 'equal',
      assessmentId: mojaloop,
      assessmentTitle: 'Hub Mojaloop standards',
      result: 'compliant',
      basis: 'manual',
      suggests: 'compliant',
    });
    // LOG-8 is a superset of 10.2.2: a passing LOG-8 suggests no more than partially compliant.
    assert.equal(shown.get('10.2.2')!.result, 'partially-compliant');
    assert.equal(shown.get('10.2.2')!.sources[0]!.relation, 'subset');
    // LOG-9 intersects 10.3.4 and fails: that only informs.
    const informative = shown.get('10.3.4')!;
    assert.equal(informative.result, null);
    assert.deepEqual(
      [informative.sources[0]!.ref, informative.sources[0]!.result, informative.sources[0]!.suggests],
      ['LOG-9', 'non-compliant', null],
    );
    assert.ok(!shown.has('1.1.1'), 'nothing maps to 1.1.1');

    // GDPR 32 is a superset of LOG-9 (failing) and LOG-13 (passing): the cautious source comes first.
    const gdpr = await create(GDPR, 'hub', 'Hub GDPR');
    const art32 = (await suggestions(gdpr)).get('32')!;
    assert.equal(art32.result, 'non-compliant');
    assert.equal(art32.sources[0]!.ref, 'LOG-9');
    assert.ok(art32.sources.some((source) => source.ref === 'LOG-13' && source.suggests === 'partially-compliant'));
  });

  it('accepts a suggestion in one call: the result and a justification citing the source, audited', async () => {
    const accepted = await accept(pci, ['10.3.1', '10.2.2']);
    assert.equal(accepted.statusCode, 200, accepted.body);
    const items = accepted.json().items as { ref: string; result: string; basis: string; justification: string }[];
    const item = (ref: string) => items.find((i) => i.ref === ref)!;
    assert.deepEqual([item('10.3.1').result, item('10.3.1').basis], ['compliant', 'manual']);
    assert.match(
      item('10.3.1').justification,
      new RegExp(
        `^Accepted from mapping ${ML_PCI}: this requirement is equal to Mojaloop .* LOG-13, which is compliant \\(manual\\) in assessment ${mojaloop} "Hub Mojaloop standards"\\.$`,
      ),
    );
    assert.equal(item('10.2.2').result, 'partially-compliant');
    const left = new Map((accepted.json().suggestions as SuggestionView[]).map((s) => [s.ref, s]));
    assert.ok(!left.has('10.3.1') && !left.has('10.2.2'), 'an answered requirement has no suggestion');

    const [event] = await t.app.audit.list({ limit: 1, action: 'controls.suggestion.accept' });
    assert.equal(event!.resource.id, pci);
    assert.deepEqual((event!.details as { items: unknown[] }).items[0], {
      ref: '10.3.1',
      result: 'compliant',
      from: {
        catalog: MOJALOOP,
        ref: 'LOG-13',
        crosswalk: ML_PCI,
        relation: 'equal',
        assessment: mojaloop,
        result: 'compliant',
      },
    });
  });

  it('refuses what cannot be accepted, and changes nothing', async () => {
    const before = (await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${pci}` })).json();
    const cases: [string[], number, string][] = [
      [['10.3.4'], 409, 'ERR_NO_SUGGESTION'],
      [['10.3.1'], 409, 'ERR_NO_SUGGESTION'],
      [['1.1.1'], 409, 'ERR_NO_SUGGESTION'],
      [['99.9.9'], 404, 'ERR_NOT_FOUND'],
      [['10.3.4', '10.3.4'], 400, 'ERR_VALIDATION'],
    ];
    for (const [refs, status, code] of cases) {
      const response = await accept(pci, refs);
      assert.equal(response.statusCode, status, `${refs.join(',')}: ${response.body}`);
      assert.equal(response.json().code, code);
    }
    // A mix of good and bad refs writes nothing at all.
    const mixed = await accept(pci, ['10.3.4', '10.3.1']);
    assert.equal(mixed.statusCode, 409);
    const foreign = await accept(pci, ['10.3.4'], 'participant');
    assert.equal(foreign.statusCode, 404, foreign.body);
    const after = (await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${pci}` })).json();
    assert.deepEqual(after.items, before.items);
  });

  it('uses only the scope’s own assessments, and none once signed off', async () => {
    const own = await create(PCI, PARTICIPANT_A, 'Bank A PCI DSS');
    assert.equal((await suggestions(own, 'participant')).size, 0, 'the hub’s Mojaloop answers are not Bank A’s');
    const ownMojaloop = await create(MOJALOOP, PARTICIPANT_A, 'Bank A Mojaloop');
    await answer(ownMojaloop, [{ ref: 'LOG-13', result: 'non-compliant' }], 'participant');
    const shown = await suggestions(own, 'participant');
    assert.equal(shown.get('10.3.1')!.result, 'non-compliant');
    assert.equal(shown.get('10.3.1')!.sources[0]!.assessmentId, ownMojaloop);
    const accepted = await accept(own, ['10.3.1'], 'participant');
    assert.equal(accepted.statusCode, 200, accepted.body);

    const signed = await t.request({
      method: 'POST',
      url: `/api/v1/controls/assessments/${pci}/sign-off`,
      as: 'compliance-officer',
    });
    assert.equal(signed.statusCode, 200, signed.body);
    assert.deepEqual(signed.json().suggestions, []);
    const refused = await accept(pci, ['10.2.1']);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'ERR_ASSESSMENT_SIGNED_OFF');
  });
});

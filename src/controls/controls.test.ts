import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { systemContext } from '../core/context.js';
import type { CreateKey } from '../cpm/keys/schemas.js';
import { forEachEngine } from '../../test/support/engines.js';
import { PARTICIPANT_A, PARTICIPANT_B, startTestServer, type TestServer } from '../../test/support/server.js';

const PCI = 'urn:trustloop:catalog:pci-dss:4.0.1';
const GDPR = 'urn:trustloop:catalog:gdpr:2016-679';
const schema = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../test/fixtures/oscal/oscal_${name}_schema.json`, import.meta.url), 'utf8'),
  ) as object;

function oscalValidator(name: string) {
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: true });
  addFormats.default(ajv);
  return ajv.compile(schema(name));
}

/** A hub key without a rotation period: PCI DSS 3.7.4 wants a cryptoperiod for every key. */
const HUB_KEY: CreateKey = { name: 'hub-signing', type: 'ec-p256', purpose: 'sign' };

const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64');

forEachEngine('controls', (engine) => {
  let t: TestServer;
  let hubAssessment: string;
  let participantAssessment: string;
  before(async () => {
    t = await startTestServer(engine);
  });
  after(() => t.close());

  it('runs a hub assessment end to end: automated evidence, answers, gaps, sign-off snapshot, OSCAL', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/controls/assessments',
      as: 'compliance-officer',
      payload: { catalogUrn: PCI, participantId: 'hub', title: 'Hub PCI DSS 2026', dueDate: '2026-12-31' },
    });
    assert.equal(created.statusCode, 201, created.body);
    hubAssessment = created.json().assessment.id;
    assert.equal(created.json().summary.counts['not-assessed'] > 250, true);

    // A hub key without a rotation period makes the key collector fail, and 3.7.4 turns non-compliant.
    await t.app.keys.create(systemContext(), HUB_KEY);
    const run = await t.request({
      method: 'POST',
      url: '/api/v1/controls/collectors/runs',
      as: 'security-officer',
      payload: {},
    });
    assert.equal(run.statusCode, 200, run.body);
    const records = run.json().items as { collector: string; participantId: string; result: string }[];
    assert.equal(records.find((r) => r.collector === 'audit.chain')!.result, 'pass');
    assert.equal(records.find((r) => r.collector === 'cpm.key-rotation' && r.participantId === 'hub')!.result, 'fail');
    const [autoFail] = await t.app.audit.list({ limit: 1, action: 'controls.requirement.auto-fail' });
    assert.equal(autoFail!.resource.id, hubAssessment);

    const evaluated = (await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${hubAssessment}` })).json();
    const item = (ref: string) => evaluated.items.find((i: { ref: string }) => i.ref === ref);
    assert.equal(item('3.7.4').result, 'non-compliant');
    assert.equal(item('3.7.4').basis, 'collector');
    assert.equal(item('10.3.4').result, 'compliant');
    assert.equal(item('10.3.4').automated.collector, 'audit.chain');

    const pdf = await t.request({
      method: 'POST',
      url: '/api/v1/controls/evidence/files',
      as: 'compliance-officer',
      payload: {
        participantId: 'hub',
        title: 'Network diagram',
        fileName: 'network.pdf',
        contentBase64: b64('%PDF-1.7\n% diagram\n'),
      },
    });
    assert.equal(pdf.statusCode, 201, pdf.body);
    assert.match(pdf.json().sha256, /^[0-9a-f]{64}$/);
    const answered = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${hubAssessment}/items`,
      as: 'compliance-officer',
      payload: {
        items: [
          {
            ref: '1.2.3',
            result: 'compliant',
            justification: 'diagram reviewed',
            evidenceIds: [pdf.json().id],
            assessor: 'qsa-1',
          },
          { ref: '1.2.4', result: 'partially-compliant', justification: 'flows for settlement missing' },
        ],
      },
    });
    assert.equal(answered.statusCode, 200, answered.body);

    const gaps = (await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${hubAssessment}/gaps` })).json();
    assert.equal(gaps.gaps[0].result, 'non-compliant');
    assert.equal(gaps.gaps[0].priority, 1);
    assert.ok(gaps.summary.coverage > 0 && gaps.summary.coverage < 100);
    const csv = await t.request({
      method: 'GET',
      url: `/api/v1/controls/assessments/${hubAssessment}/gaps/csv`,
      as: 'auditor',
    });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body.split('\r\n')[1]!, /^1,3\.(6\.1|7\.1|7\.4),/);

    const signed = await t.request({
      method: 'POST',
      url: `/api/v1/controls/assessments/${hubAssessment}/sign-off`,
      as: 'compliance-officer',
    });
    assert.equal(signed.statusCode, 200, signed.body);
    assert.equal(signed.json().assessment.version, 1);
    const frozen = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${hubAssessment}/items`,
      as: 'compliance-officer',
      payload: { items: [{ ref: '1.2.5', result: 'compliant' }] },
    });
    assert.equal(frozen.statusCode, 409);
    assert.equal(frozen.json().code, 'ERR_ASSESSMENT_SIGNED_OFF');
    await t.request({
      method: 'POST',
      url: `/api/v1/controls/assessments/${hubAssessment}/reopen`,
      as: 'compliance-officer',
    });
    await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${hubAssessment}/items`,
      payload: { items: [{ ref: '1.2.4', result: 'compliant' }] },
    });
    await t.request({ method: 'POST', url: `/api/v1/controls/assessments/${hubAssessment}/sign-off` });
    const trend = (await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${hubAssessment}/gaps` })).json()
      .trend;
    assert.deepEqual(
      trend.map((s: { version: number }) => s.version),
      [1, 2],
    );
    assert.equal(trend[1].counts.compliant, trend[0].counts.compliant + 1);

    const results = (
      await t.request({ method: 'GET', url: `/api/v1/controls/assessments/${hubAssessment}/oscal`, as: 'auditor' })
    ).json();
    const validateResults = oscalValidator('assessment-results');
    assert.ok(validateResults(results), JSON.stringify(validateResults.errors?.slice(0, 3)));
    const catalog = (await t.request({ method: 'GET', url: `/api/v1/controls/catalogs/${PCI}/oscal` })).json();
    const validateCatalog = oscalValidator('catalog');
    assert.ok(validateCatalog(catalog), JSON.stringify(validateCatalog.errors?.slice(0, 3)));
    const profile = (
      await t.request({
        method: 'GET',
        url: `/api/v1/controls/catalogs/${GDPR}/profile?participantId=${PARTICIPANT_A}`,
      })
    ).json();
    const validateProfile = oscalValidator('profile');
    assert.ok(validateProfile(profile), JSON.stringify(validateProfile.errors?.slice(0, 3)));
    // The schema is not a rubber stamp: a results document without its uuid fails.
    delete (results as { 'assessment-results': { uuid?: string } })['assessment-results'].uuid;
    assert.equal(validateResults(results), false);
  });

  it('a participant fills its own assessment with its token, inheriting hub controls when hosted', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/controls/assessments',
      as: 'compliance-officer',
      payload: { catalogUrn: PCI, participantId: PARTICIPANT_A, title: 'Bank A PCI DSS 2026' },
    });
    participantAssessment = created.json().assessment.id;
    const shared = await t.request({
      method: 'PUT',
      url: `/api/v1/controls/catalogs/${PCI}/responsibility/3.7.4`,
      as: 'compliance-officer',
      payload: { participantId: PARTICIPANT_A, party: 'hub', reason: 'keys held in the hub CPM' },
    });
    assert.equal(shared.statusCode, 204, shared.body);
    const own = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${participantAssessment}/items`,
      as: 'participant',
      payload: { items: [{ ref: '12.10.1', result: 'compliant', justification: 'plan v3 approved' }] },
    });
    assert.equal(own.statusCode, 200, own.body);
    const item = (ref: string) => own.json().items.find((i: { ref: string }) => i.ref === ref);
    assert.equal(item('12.10.1').result, 'compliant');
    assert.equal(item('3.7.4').basis, 'inherited');
    assert.equal(item('3.7.4').result, 'non-compliant');

    await t.request({
      method: 'PUT',
      url: `/api/v1/controls/participants/${PARTICIPANT_A}/hosting`,
      payload: { hosted: true },
    });
    const matrix = (
      await t.request({ method: 'GET', url: `/api/v1/controls/catalogs/${PCI}/responsibility`, as: 'participant' })
    ).json();
    assert.equal(matrix.participantId, PARTICIPANT_A);
    assert.equal(matrix.hosted, true);
    assert.equal(matrix.items.find((i: { ref: string }) => i.ref === '10.2.1').origin, 'hosted');
    const csv = await t.request({ method: 'GET', url: `/api/v1/controls/catalogs/${PCI}/responsibility/csv` });
    assert.match(csv.body, /^ref,title,party,hub duty,participant duty,reason,origin\r\n1\.1\.1,/);

    const heat = (await t.request({ method: 'GET', url: '/api/v1/controls/heat-map', as: 'leadership' })).json();
    assert.deepEqual(heat.items.map((cell: { participantId: string }) => cell.participantId).sort(), ['dfsp-a', 'hub']);
  });

  it('refuses a participant touching another participant, and every bad input, changing nothing', async () => {
    const before = await t.app.audit.list({ limit: 1 });
    const other = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${participantAssessment}/items`,
      as: 'other-participant',
      payload: { items: [{ ref: '12.10.1', result: 'non-compliant' }] },
    });
    assert.equal(other.statusCode, 404);
    const otherRead = await t.request({
      method: 'GET',
      url: `/api/v1/controls/assessments/${hubAssessment}`,
      as: 'participant',
    });
    assert.equal(otherRead.statusCode, 404);
    const listed = (
      await t.request({ method: 'GET', url: '/api/v1/controls/assessments', as: 'other-participant' })
    ).json();
    assert.deepEqual(listed.items, []);
    const create = await t.request({
      method: 'POST',
      url: '/api/v1/controls/assessments',
      as: 'participant',
      payload: { catalogUrn: PCI, participantId: PARTICIPANT_A, title: 'self' },
    });
    assert.equal(create.statusCode, 403);
    const foreignEvidence = await t.request({
      method: 'POST',
      url: '/api/v1/controls/evidence/links',
      as: 'participant',
      payload: { participantId: PARTICIPANT_B, title: 'x', url: 'https://example.org/x' },
    });
    assert.equal(foreignEvidence.statusCode, 404);

    const unknown = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${participantAssessment}/items`,
      as: 'participant',
      payload: { items: [{ ref: '99.9.9', result: 'compliant' }] },
    });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().detail, /requirement '.*:req:99\.9\.9'/);
    const section = await t.request({
      method: 'PATCH',
      url: `/api/v1/controls/assessments/${participantAssessment}/items`,
      as: 'participant',
      payload: {
        items: [
          { ref: '12.10.1', result: 'compliant' },
          { ref: '3.6', result: 'compliant' },
        ],
      },
    });
    assert.equal(section.statusCode, 400);

    const exe = Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(64)]);
    const disguised = await t.request({
      method: 'POST',
      url: '/api/v1/controls/evidence/files',
      as: 'participant',
      payload: { participantId: PARTICIPANT_A, title: 'policy', fileName: 'policy.pdf', contentBase64: b64(exe) },
    });
    assert.equal(disguised.statusCode, 415);
    assert.match(disguised.json().detail, /Windows executable/);
    const mismatch = await t.request({
      method: 'POST',
      url: '/api/v1/controls/evidence/files',
      as: 'participant',
      payload: {
        participantId: PARTICIPANT_A,
        title: 'img',
        fileName: 'scan.pdf',
        contentBase64: b64(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])),
      },
    });
    assert.equal(mismatch.statusCode, 415);
    const oversized = await t.request({
      method: 'POST',
      url: '/api/v1/controls/evidence/files',
      as: 'participant',
      payload: {
        participantId: PARTICIPANT_A,
        title: 'big',
        fileName: 'big.txt',
        contentBase64: b64(Buffer.alloc(t.app.config.bodyLimitBytes, 0x61)),
      },
    });
    assert.equal(oversized.statusCode, 413);

    const cyclic = [
      'format: trustloop-catalog/1',
      'catalog: { urn: "urn:trustloop:catalog:cyclic:1", framework: cyclic, name: Cyclic, version: "1" }',
      'requirements:',
      '  - { ref: a, parent: b, title: A }',
      '  - { ref: b, parent: a, title: B }',
    ].join('\n');
    const importCiso = await t.request({
      method: 'POST',
      url: '/api/v1/controls/catalogs',
      as: 'compliance-officer',
      payload: {
        format: 'oscal',
        content: JSON.stringify({
          catalog: {
            metadata: { title: 'C', version: '1' },
            controls: [
              { id: 'a', title: 'A' },
              { id: 'a', title: 'again' },
            ],
          },
        }),
      },
    });
    assert.equal(importCiso.statusCode, 400);
    assert.match(importCiso.json().detail, /duplicate requirement id 'a'/);
    const badYaml = await t.request({
      method: 'POST',
      url: '/api/v1/controls/catalogs',
      as: 'compliance-officer',
      payload: { format: 'ciso-assistant', content: cyclic },
    });
    assert.equal(badYaml.statusCode, 400);
    const after = await t.app.audit.list({ limit: 20 });
    const changes = after.filter(
      (event) => event.seq > before[0]!.seq && event.action.startsWith('controls.') && event.outcome === 'success',
    );
    assert.deepEqual(changes, []);
    const stored = await t.app.database.db.selectFrom('controls_catalogs').select('urn').execute();
    assert.deepEqual(stored, []);
  });

  it('imports an OSCAL catalog through the API and assesses against it', async () => {
    const imported = await t.request({
      method: 'POST',
      url: '/api/v1/controls/catalogs',
      as: 'compliance-officer',
      payload: {
        format: 'oscal',
        content: JSON.stringify({
          catalog: {
            metadata: { title: 'Scheme Extra', version: '2' },
            groups: [{ id: 'g', title: 'G', controls: [{ id: 'g-1', title: 'One' }] }],
          },
        }),
      },
    });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.equal(imported.json().urn, 'urn:trustloop:catalog:scheme-extra:2');
    const again = await t.request({
      method: 'POST',
      url: '/api/v1/controls/catalogs',
      as: 'compliance-officer',
      payload: {
        format: 'oscal',
        content: JSON.stringify({
          catalog: { metadata: { title: 'Scheme Extra', version: '2' }, controls: [{ id: 'x', title: 'X' }] },
        }),
      },
    });
    assert.equal(again.statusCode, 409);
    const detail = await t.request({
      method: 'GET',
      url: '/api/v1/controls/catalogs/urn:trustloop:catalog:scheme-extra:2',
      as: 'auditor',
    });
    assert.equal(detail.json().requirements.length, 2);
  });
});

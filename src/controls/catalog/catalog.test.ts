import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { TrustloopError } from '../../core/errors.js';
import { fromCisoAssistantLibrary, fromOscalCatalog } from './import.js';
import { buildCatalog, loadCatalogYaml } from './load.js';
import { CatalogRegistry } from './registry.js';

const registry = CatalogRegistry.fromDirectory();
const PCI = 'urn:trustloop:catalog:pci-dss:4.0.1';
const GDPR = 'urn:trustloop:catalog:gdpr:2016-679';
const MOJALOOP = 'urn:trustloop:catalog:mojaloop-security:1.0';

const refusal = (work: () => unknown, pattern: RegExp): void => {
  assert.throws(work, (error: unknown) => {
    assert.ok(error instanceof TrustloopError);
    assert.equal(error.code, 'ERR_CATALOG_INVALID');
    assert.match(error.message, pattern);
    return true;
  });
};

describe('built-in catalogs', () => {
  it('PCI DSS v4.0.1 carries exactly the published numbering, every principal requirement and Appendix A1-A3', () => {
    const published = readFileSync(
      new URL('../../../test/fixtures/controls/pci-dss-4.0.1-numbering.txt', import.meta.url),
      'utf8',
    )
      .split('\n')
      .filter(Boolean);
    const pci = registry.get(PCI);
    const ours = pci.requirements.map((requirement) => requirement.ref);
    assert.equal(ours.length, published.length);
    assert.deepEqual([...ours].sort(), [...published].sort());
    const principal = pci.requirements.filter(
      (requirement) => requirement.parentRef === null && /^\d+$/.test(requirement.ref),
    );
    assert.deepEqual(
      principal.map((requirement) => requirement.ref),
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'],
    );
    for (const appendix of ['A1', 'A2', 'A3']) assert.equal(pci.byRef.get(appendix)?.parentRef, 'A');
    // x.y.z (and deeper) are the assessable requirements; principal requirements and x.y sections group them.
    const assessable = pci.requirements.filter((requirement) => requirement.assessable);
    assert.equal(assessable.length, published.filter((ref) => ref.split('.').length >= 3).length);
    assert.equal(pci.byRef.get('3.6.1')!.urn, 'urn:trustloop:catalog:pci-dss:4.0.1:req:3.6.1');
    assert.equal(pci.byRef.get('3.6.1')!.parentRef, '3.6');
    assert.equal(pci.byRef.get('9.5.1.2.1')!.depth, 5);
    for (const requirement of assessable) assert.ok(requirement.intent, `${requirement.ref} has a testing intent`);
  });

  it('GDPR holds the articles binding a hub and its participants', () => {
    const gdpr = registry.get(GDPR);
    const articles = [5, 6, 9, ...range(12, 22), 24, 25, 28, 30, ...range(32, 39), ...range(44, 49)].map(String);
    for (const article of articles) assert.ok(gdpr.byRef.get(article)?.assessable, `Art. ${article}`);
    for (const point of ['a', 'b', 'c', 'd', 'e', 'f']) assert.equal(gdpr.byRef.get(`5.1.${point}`)?.parentRef, '5');
  });

  it('the Mojaloop catalog covers signature, encryption, PKI, TLS, audit logging and the scheme rules appendix', () => {
    const mojaloop = registry.get(MOJALOOP);
    const groups = mojaloop.requirements.filter((requirement) => !requirement.assessable).map((r) => r.ref);
    assert.deepEqual(groups, ['SIG', 'ENC', 'PKI', 'TLS', 'LOG', 'SR']);
    // The scheme rules appendix lists 14 participant practices; three more come from section 1.1.
    assert.equal(mojaloop.requirements.filter((requirement) => requirement.parentRef === 'SR').length, 17);
    assert.equal(mojaloop.byRef.get('SR-1')!.responsibility, 'participant');
  });

  it('maps Mojaloop audit logging to PCI DSS 10.x and GDPR 32 in both directions', () => {
    const forward = registry.related(MOJALOOP, 'LOG-9');
    assert.ok(forward.some((r) => r.catalogUrn === PCI && r.ref === '10.3.4' && r.relationship === 'intersects'));
    assert.ok(forward.some((r) => r.catalogUrn === GDPR && r.ref === '32' && r.relationship === 'subset'));
    const reverse = registry.related(GDPR, '32');
    assert.ok(reverse.some((r) => r.catalogUrn === PCI && r.ref === '10.2.1' && r.direction === 'reverse'));
  });
});

describe('catalog loader refuses broken catalogs with a clear error', () => {
  const yaml = (requirements: string) =>
    `format: trustloop-catalog/1\ncatalog:\n  urn: urn:trustloop:catalog:test:1\n  framework: test\n  name: Test\n  version: "1"\nrequirements:\n${requirements}`;

  it('names a duplicate id, a missing parent and a cycle', () => {
    refusal(
      () => loadCatalogYaml(yaml('  - { ref: "1", title: a }\n  - { ref: "1", title: b }\n')),
      /duplicate requirement id '1'/,
    );
    refusal(
      () => loadCatalogYaml(yaml('  - { ref: "1.1", parent: "1", title: a }\n')),
      /'1.1' names missing parent '1'/,
    );
    refusal(
      () =>
        loadCatalogYaml(
          yaml(
            '  - { ref: a, parent: c, title: a }\n  - { ref: b, parent: a, title: b }\n  - { ref: c, parent: b, title: c }\n',
          ),
        ),
      /parent cycle: a -> c -> b -> a/,
    );
    refusal(() => loadCatalogYaml(yaml('  - { ref: a, parent: a, title: a }\n')), /parent cycle: a -> a/);
  });

  it('refuses numbers written as YAML numbers, unknown responsibility and malformed YAML', () => {
    refusal(() => loadCatalogYaml(yaml('  - { ref: 1.10, title: a }\n')), /'ref' must be a non-empty string/);
    refusal(
      () => loadCatalogYaml(yaml('  - { ref: a, title: a, responsibility: nobody }\n')),
      /responsibility must be one of/,
    );
    refusal(() => loadCatalogYaml('format: [unclosed'), /not valid YAML/);
    refusal(() => loadCatalogYaml(yaml('  - { ref: "a b", title: a }\n')), /not a valid number/);
  });
});

describe('catalog importers', () => {
  it('imports an OSCAL catalog: groups as sections, controls and enhancements as requirements', () => {
    const draft = fromOscalCatalog({
      catalog: {
        uuid: '74c8ba1e-5cd4-4ad1-bbfd-d888e2f6c724',
        metadata: {
          title: 'Example Controls',
          version: '1.2',
          'last-modified': '2024-01-01T00:00:00Z',
          'oscal-version': '1.0.4',
        },
        groups: [
          {
            id: 'ac',
            title: 'Access Control',
            controls: [{ id: 'ac-1', title: 'Policy', controls: [{ id: 'ac-1.1', title: 'Enhancement' }] }],
          },
        ],
      },
    });
    const catalog = buildCatalog(draft, 'imported');
    assert.equal(catalog.urn, 'urn:trustloop:catalog:example-controls:1-2');
    assert.equal(catalog.byRef.get('ac')!.assessable, false);
    assert.equal(catalog.byRef.get('ac-1.1')!.parentRef, 'ac-1');
    assert.equal(catalog.byRef.get('ac-1.1')!.depth, 3);
    assert.throws(
      () => fromOscalCatalog({ catalog: { metadata: { title: 'x', version: '1' }, controls: [{ title: 'no id' }] } }),
      /has no id/,
    );
  });

  it('imports a CISO Assistant library, keeping ref_ids, assessable flags and parents', () => {
    const library = [
      'urn: urn:intuitem:risk:library:example',
      'ref_id: EX',
      'name: Example',
      'version: 2',
      'objects:',
      '  framework:',
      '    urn: urn:intuitem:risk:framework:example',
      '    ref_id: EX-1',
      '    name: Example framework',
      '    requirement_nodes:',
      '      - { urn: "urn:x:node:top", assessable: false, name: Top section }',
      '      - { urn: "urn:x:node:1", ref_id: "1.1", parent_urn: "urn:x:node:top", assessable: true, name: First, description: Do the first thing }',
    ].join('\n');
    const catalog = buildCatalog(fromCisoAssistantLibrary(library), 'imported');
    assert.equal(catalog.urn, 'urn:trustloop:catalog:ex-1:2');
    assert.equal(catalog.byRef.get('1.1')!.parentRef, 'top');
    assert.equal(catalog.byRef.get('1.1')!.intent, 'Do the first thing');
    assert.equal(catalog.byRef.get('top')!.assessable, false);
    assert.throws(
      () => fromCisoAssistantLibrary(library.replace('parent_urn: "urn:x:node:top"', 'parent_urn: "urn:x:node:gone"')),
      /names missing parent 'urn:x:node:gone'/,
    );
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

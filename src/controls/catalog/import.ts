import { parse } from 'yaml';
import { TrustloopError } from '../../core/errors.js';
import type { CatalogDraft, RequirementDraft } from './load.js';

const bad = (reason: string): TrustloopError => new TrustloopError('ERR_CATALOG_INVALID', reason);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** A URN segment from free text: lowercase letters, digits and dashes, at most 32 characters. */
const slug = (value: string): string =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/g, '') || 'catalog';

const clip = (value: string, max: number): string => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/**
 * An OSCAL catalog (JSON, any 1.x version): groups become sections, controls and their enhancements
 * become assessable requirements under them. The control's id is its number.
 */
export function fromOscalCatalog(document: unknown): CatalogDraft {
  if (!isRecord(document) || !isRecord(document.catalog)) throw bad("OSCAL document has no 'catalog' object");
  const catalog = document.catalog;
  const metadata = isRecord(catalog.metadata) ? catalog.metadata : {};
  const title = str(metadata.title);
  const version = str(metadata.version);
  if (!title || !version) throw bad('OSCAL catalog metadata needs a title and a version');
  const requirements: RequirementDraft[] = [];
  const walk = (node: Record<string, unknown>, parent: string | null, assessable: boolean, path: string): void => {
    const id = str(node.id);
    if (!id) throw bad(`${path} has no id`);
    const label = str(node.title);
    if (!label) throw bad(`${path} (${id}) has no title`);
    requirements.push({ ref: id, parent, title: clip(label, 500), assessable, intent: null });
    if (requirements.length > 5000) throw bad('OSCAL catalog has more than 5000 entries');
    for (const [key, childAssessable] of [
      ['groups', false],
      ['controls', true],
    ] as const) {
      const children = node[key];
      if (children === undefined) continue;
      if (!Array.isArray(children)) throw bad(`${path}.${key} must be an array`);
      children.forEach((child, index) => {
        if (!isRecord(child)) throw bad(`${path}.${key}[${index}] must be an object`);
        walk(child, id, childAssessable, `${path}.${key}[${index}]`);
      });
    }
  };
  for (const [key, assessable] of [
    ['groups', false],
    ['controls', true],
  ] as const) {
    const top = catalog[key];
    if (top === undefined) continue;
    if (!Array.isArray(top)) throw bad(`catalog.${key} must be an array`);
    top.forEach((node, index) => {
      if (!isRecord(node)) throw bad(`catalog.${key}[${index}] must be an object`);
      walk(node, null, assessable, `catalog.${key}[${index}]`);
    });
  }
  return {
    urn: `urn:trustloop:catalog:${slug(title)}:${slug(version)}`,
    framework: slug(title),
    name: clip(title, 200),
    version: clip(version, 64),
    published: str(metadata.published)?.slice(0, 10) ?? null,
    source: 'imported from an OSCAL catalog',
    requirements,
  };
}

/**
 * A CISO Assistant library (YAML): its framework's requirement nodes, keeping their `ref_id`
 * numbers, `assessable` flags and parent links. Nodes without a `ref_id` use their URN's last part.
 */
export function fromCisoAssistantLibrary(text: string): CatalogDraft {
  let document: unknown;
  try {
    document = parse(text, { schema: 'core', merge: false, maxAliasCount: 0, logLevel: 'error' });
  } catch (error) {
    throw bad(`not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : 'parse error'})`);
  }
  if (!isRecord(document) || !isRecord(document.objects)) throw bad("library has no 'objects'");
  const framework = document.objects.framework;
  if (!isRecord(framework) || !Array.isArray(framework.requirement_nodes))
    throw bad("library has no 'objects.framework.requirement_nodes'");
  const refByUrn = new Map<string, string>();
  const nodes = framework.requirement_nodes.map((node, index) => {
    if (!isRecord(node)) throw bad(`requirement_nodes[${index}] must be a mapping`);
    const urn = str(node.urn);
    if (!urn) throw bad(`requirement_nodes[${index}] has no urn`);
    const ref = str(typeof node.ref_id === 'number' ? String(node.ref_id) : node.ref_id) ?? urn.split(':').pop()!;
    refByUrn.set(urn, ref.slice(0, 64));
    return { node, ref: ref.slice(0, 64), index };
  });
  const requirements = nodes.map(({ node, ref, index }): RequirementDraft => {
    const parentUrn = str(node.parent_urn);
    if (parentUrn && !refByUrn.has(parentUrn))
      throw bad(`requirement_nodes[${index}] (${ref}) names missing parent '${parentUrn}'`);
    const name = str(node.name);
    const description = str(node.description);
    const title = name ?? description;
    if (!title) throw bad(`requirement_nodes[${index}] (${ref}) has neither name nor description`);
    return {
      ref,
      parent: parentUrn ? refByUrn.get(parentUrn)! : null,
      title: clip(title, 500),
      intent: name && description ? clip(description, 1000) : null,
      assessable: node.assessable === true,
    };
  });
  const name = str(framework.name) ?? str(document.name);
  const refId = str(framework.ref_id) ?? str(document.ref_id) ?? name;
  if (!name || !refId) throw bad('library framework needs a name');
  const version = str(typeof document.version === 'number' ? String(document.version) : document.version) ?? '1';
  return {
    urn: `urn:trustloop:catalog:${slug(refId)}:${slug(version)}`,
    framework: slug(refId),
    name: clip(name, 200),
    version,
    published: str(document.publication_date) ?? null,
    source: `imported from CISO Assistant library ${str(document.urn) ?? ''}`.trim(),
    requirements,
  };
}

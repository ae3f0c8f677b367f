import { parse } from 'yaml';
import { TrustloopError } from '../../core/errors.js';
import {
  CATALOG_URN_PATTERN,
  PARTIES,
  REF_PATTERN,
  RELATIONSHIPS,
  requirementUrn,
  type Catalog,
  type Mapping,
  type Party,
  type Relationship,
  type Requirement,
} from './model.js';

/** A catalog as parsed, before its tree is checked: what the YAML loader and the importers produce. */
export interface CatalogDraft {
  urn: string;
  framework: string;
  name: string;
  version: string;
  published?: string | null;
  source?: string | null;
  defaultResponsibility?: Party;
  defaultPriority?: number;
  requirements: RequirementDraft[];
}

export interface RequirementDraft {
  ref: string;
  parent?: string | null;
  title: string;
  intent?: string | null;
  assessable?: boolean;
  priority?: number;
  responsibility?: Party;
}

export const MAX_REQUIREMENTS = 5000;

const bad = (where: string, reason: string): TrustloopError =>
  new TrustloopError('ERR_CATALOG_INVALID', `${where}: ${reason}`);

function parseYaml(text: string, what: string): unknown {
  try {
    // No custom tags, no merge keys, bounded aliases: a catalog is plain data.
    return parse(text, { schema: 'core', merge: false, maxAliasCount: 0, uniqueKeys: true, logLevel: 'error' });
  } catch (error) {
    throw bad(what, `not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : 'parse error'})`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function text(record: Record<string, unknown>, key: string, where: string, max = 500): string {
  const value = record[key];
  if (typeof value !== 'string' || value.trim() === '') throw bad(where, `'${key}' must be a non-empty string`);
  if (value.length > max) throw bad(where, `'${key}' is longer than ${max} characters`);
  return value;
}

function optionalText(record: Record<string, unknown>, key: string, where: string, max = 1000): string | null {
  if (record[key] === undefined || record[key] === null) return null;
  return text(record, key, where, max);
}

function party(value: unknown, where: string): Party | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(PARTIES as readonly string[]).includes(value))
    throw bad(where, `responsibility must be one of ${PARTIES.join(', ')}`);
  return value as Party;
}

function priority(value: unknown, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 3)
    throw bad(where, 'priority must be 1, 2 or 3');
  return value as number;
}

/** Reads a `trustloop-catalog/1` YAML document into a draft; shape errors name the entry. */
export function parseCatalogYaml(source: string, what = 'catalog'): CatalogDraft {
  const doc = parseYaml(source, what);
  if (!isRecord(doc) || doc.format !== 'trustloop-catalog/1') throw bad(what, "'format' must be trustloop-catalog/1");
  if (!isRecord(doc.catalog)) throw bad(what, "'catalog' must be a mapping");
  if (!Array.isArray(doc.requirements)) throw bad(what, "'requirements' must be a list");
  const head = doc.catalog;
  const requirements = doc.requirements.map((entry, index): RequirementDraft => {
    const where = `${what} requirements[${index}]`;
    if (!isRecord(entry)) throw bad(where, 'must be a mapping');
    if (entry.assessable !== undefined && typeof entry.assessable !== 'boolean')
      throw bad(where, "'assessable' must be true or false");
    return {
      ref: text(entry, 'ref', where, 64),
      parent: optionalText(entry, 'parent', where, 64),
      title: text(entry, 'title', where),
      intent: optionalText(entry, 'intent', where),
      assessable: (entry.assessable as boolean | undefined) ?? true,
      priority: priority(entry.priority, where),
      responsibility: party(entry.responsibility, where),
    };
  });
  return {
    urn: text(head, 'urn', `${what} catalog`, 200),
    framework: text(head, 'framework', `${what} catalog`, 64),
    name: text(head, 'name', `${what} catalog`, 200),
    version: text(head, 'version', `${what} catalog`, 64),
    published: optionalText(head, 'published', `${what} catalog`, 64),
    source: optionalText(head, 'source', `${what} catalog`),
    defaultResponsibility: party(head.defaultResponsibility, `${what} catalog`),
    defaultPriority: priority(head.defaultPriority, `${what} catalog`),
    requirements,
  };
}

/**
 * Checks a draft's tree and builds the catalog: unique refs, every parent present, no cycles.
 * Each failure names the requirement, so a broken file is fixed in one look.
 */
export function buildCatalog(draft: CatalogDraft, origin: Catalog['origin']): Catalog {
  const what = `catalog ${draft.urn}`;
  if (!CATALOG_URN_PATTERN.test(draft.urn)) throw bad(what, 'urn must look like urn:<nid>:catalog:<name>:<version>');
  if (draft.requirements.length === 0) throw bad(what, 'has no requirements');
  if (draft.requirements.length > MAX_REQUIREMENTS) throw bad(what, `has more than ${MAX_REQUIREMENTS} requirements`);
  const drafts = new Map<string, RequirementDraft>();
  for (const requirement of draft.requirements) {
    if (!REF_PATTERN.test(requirement.ref))
      throw bad(what, `requirement ref '${requirement.ref}' is not a valid number`);
    if (drafts.has(requirement.ref)) throw bad(what, `duplicate requirement id '${requirement.ref}'`);
    drafts.set(requirement.ref, requirement);
  }
  for (const requirement of draft.requirements) {
    if (requirement.parent && !drafts.has(requirement.parent))
      throw bad(what, `requirement '${requirement.ref}' names missing parent '${requirement.parent}'`);
  }
  const depth = new Map<string, number>();
  const depthOf = (ref: string): number => {
    const known = depth.get(ref);
    if (known !== undefined) return known;
    const seen: string[] = [];
    let cursor: string | null | undefined = ref;
    while (cursor) {
      if (seen.includes(cursor)) throw bad(what, `parent cycle: ${[...seen, cursor].join(' -> ')}`);
      seen.push(cursor);
      cursor = drafts.get(cursor)!.parent;
    }
    seen.reverse().forEach((item, index) => depth.set(item, index + 1));
    return depth.get(ref)!;
  };
  const byRef = new Map<string, Requirement>();
  const requirements = draft.requirements.map((item): Requirement => {
    const requirement: Requirement = {
      urn: requirementUrn(draft.urn, item.ref),
      ref: item.ref,
      parentRef: item.parent ?? null,
      title: item.title,
      intent: item.intent ?? null,
      assessable: item.assessable ?? true,
      priority: item.priority ?? draft.defaultPriority ?? 2,
      responsibility: item.responsibility ?? draft.defaultResponsibility ?? 'shared',
      depth: depthOf(item.ref),
    };
    byRef.set(item.ref, requirement);
    return requirement;
  });
  return {
    urn: draft.urn,
    framework: draft.framework,
    name: draft.name,
    version: draft.version,
    published: draft.published ?? null,
    source: draft.source ?? null,
    origin,
    requirements,
    byRef,
  };
}

export const loadCatalogYaml = (source: string, what?: string): Catalog =>
  buildCatalog(parseCatalogYaml(source, what), 'builtin');

/** Reads a `trustloop-mapping/1` document and checks every ref against the two catalogs. */
export function loadMappingYaml(source: string, catalogs: ReadonlyMap<string, Catalog>, what = 'mapping'): Mapping {
  const doc = parseYaml(source, what);
  if (!isRecord(doc) || doc.format !== 'trustloop-mapping/1') throw bad(what, "'format' must be trustloop-mapping/1");
  if (!isRecord(doc.mapping) || !Array.isArray(doc.entries)) throw bad(what, "needs 'mapping' and 'entries'");
  const head = doc.mapping;
  const sourceUrn = text(head, 'source', what, 200);
  const targetUrn = text(head, 'target', what, 200);
  const from = catalogs.get(sourceUrn);
  const to = catalogs.get(targetUrn);
  if (!from) throw bad(what, `source catalog '${sourceUrn}' is not loaded`);
  if (!to) throw bad(what, `target catalog '${targetUrn}' is not loaded`);
  const entries = doc.entries.map((entry, index) => {
    const where = `${what} entries[${index}]`;
    if (!isRecord(entry)) throw bad(where, 'must be a mapping');
    const sourceRef = text(entry, 'source', where, 64);
    const targetRef = text(entry, 'target', where, 64);
    if (!from.byRef.has(sourceRef)) throw bad(where, `unknown requirement '${sourceRef}' in ${sourceUrn}`);
    if (!to.byRef.has(targetRef)) throw bad(where, `unknown requirement '${targetRef}' in ${targetUrn}`);
    const relationship = entry.relationship;
    if (typeof relationship !== 'string' || !(RELATIONSHIPS as readonly string[]).includes(relationship))
      throw bad(where, `relationship must be one of ${RELATIONSHIPS.join(', ')}`);
    return { sourceRef, targetRef, relationship: relationship as Relationship };
  });
  return { urn: text(head, 'urn', what, 200), source: sourceUrn, target: targetUrn, entries };
}

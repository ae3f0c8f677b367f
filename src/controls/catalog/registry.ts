import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notFound } from '../../core/errors.js';
import { buildCatalog, loadCatalogYaml, loadMappingYaml, type CatalogDraft } from './load.js';
import type { Catalog, Mapping, Relationship, Requirement } from './model.js';

/** catalogs/ at the repository root: the built-in catalogs and their mappings. */
export const BUILTIN_CATALOG_DIR = fileURLToPath(new URL('../../../catalogs/', import.meta.url));

export interface RelatedRequirement {
  catalogUrn: string;
  ref: string;
  relationship: Relationship;
  /** 'forward' when the given requirement is the mapping's source. */
  direction: 'forward' | 'reverse';
  mappingUrn: string;
}

/** Every catalog and mapping in force: the built-ins from files plus those imported through the API. */
export class CatalogRegistry {
  private readonly catalogs = new Map<string, Catalog>();
  private readonly mappings: Mapping[] = [];

  static fromDirectory(dir: string = BUILTIN_CATALOG_DIR): CatalogRegistry {
    const registry = new CatalogRegistry();
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith('.yaml'))
      .sort()) {
      registry.add(loadCatalogYaml(readFileSync(path.join(dir, file), 'utf8'), file));
    }
    const mappingDir = path.join(dir, 'mappings');
    for (const file of readdirSync(mappingDir)
      .filter((name) => name.endsWith('.yaml'))
      .sort()) {
      registry.mappings.push(
        loadMappingYaml(readFileSync(path.join(mappingDir, file), 'utf8'), registry.catalogs, `mappings/${file}`),
      );
    }
    return registry;
  }

  add(catalog: Catalog): void {
    this.catalogs.set(catalog.urn, catalog);
  }

  addImported(draft: CatalogDraft): Catalog {
    const catalog = buildCatalog(draft, 'imported');
    this.add(catalog);
    return catalog;
  }

  has(urn: string): boolean {
    return this.catalogs.has(urn);
  }

  list(): Catalog[] {
    return [...this.catalogs.values()];
  }

  get(urn: string): Catalog {
    const catalog = this.catalogs.get(urn);
    if (!catalog) throw notFound('catalog', urn);
    return catalog;
  }

  requirement(urn: string, ref: string): Requirement {
    const requirement = this.get(urn).byRef.get(ref);
    if (!requirement) throw notFound('requirement', `${urn}:req:${ref}`);
    return requirement;
  }

  allMappings(): readonly Mapping[] {
    return this.mappings;
  }

  /** Requirements in other catalogs that one requirement informs or is informed by. */
  related(urn: string, ref: string): RelatedRequirement[] {
    const out: RelatedRequirement[] = [];
    for (const mapping of this.mappings) {
      for (const entry of mapping.entries) {
        if (mapping.source === urn && entry.sourceRef === ref)
          out.push({
            catalogUrn: mapping.target,
            ref: entry.targetRef,
            relationship: entry.relationship,
            direction: 'forward',
            mappingUrn: mapping.urn,
          });
        if (mapping.target === urn && entry.targetRef === ref)
          out.push({
            catalogUrn: mapping.source,
            ref: entry.sourceRef,
            relationship: entry.relationship,
            direction: 'reverse',
            mappingUrn: mapping.urn,
          });
      }
    }
    return out;
  }
}

/** Who carries a requirement in the scheme's shared-responsibility model. */
export const PARTIES = ['hub', 'participant', 'shared', 'not-applicable'] as const;
export type Party = (typeof PARTIES)[number];

/** How a requirement in one catalog relates to one in another, read as "source <relationship> target". */
export const RELATIONSHIPS = ['equal', 'subset', 'superset', 'intersects'] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export interface Requirement {
  /** `urn:trustloop:catalog:<framework>:<version>:req:<ref>` */
  urn: string;
  /** The number the standard gives it (`3.6.1`, `A1.2.3`, `32`, `LOG-9`). */
  ref: string;
  parentRef: string | null;
  title: string;
  /** What an assessor checks, in Trustloop's own words. */
  intent: string | null;
  assessable: boolean;
  /** 1 ranks first among gaps. */
  priority: number;
  /** Scheme-wide default before any edit of the responsibility matrix. */
  responsibility: Party;
  depth: number;
}

export interface Catalog {
  urn: string;
  framework: string;
  name: string;
  version: string;
  published: string | null;
  source: string | null;
  origin: 'builtin' | 'imported';
  /** In document order, parents before children. */
  requirements: Requirement[];
  byRef: Map<string, Requirement>;
}

export interface MappingEntry {
  sourceRef: string;
  targetRef: string;
  relationship: Relationship;
}

export interface Mapping {
  urn: string;
  source: string;
  target: string;
  entries: MappingEntry[];
}

export const requirementUrn = (catalogUrn: string, ref: string): string => `${catalogUrn}:req:${ref}`;

/** Requirement numbers: letters, digits, '.', '-', '_' and parentheses; nothing a URN or URL must escape. */
export const REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._()-]{0,63}$/;
/** At most 100 characters, so a catalog URN fits one path segment. */
export const CATALOG_URN_PATTERN = /^(?=.{10,100}$)urn:[a-z0-9][a-z0-9-]{0,31}(:[A-Za-z0-9._-]{1,64}){2,6}$/;

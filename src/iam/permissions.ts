/**
 * Every permission a route can ask for, and which roles hold it. A route that declares none is
 * refused, and a role holds nothing it is not listed for here: deny by default.
 */
export const PERMISSIONS = [
  'session:read',
  'participants:read',
  'participants:write',
  'participants:contacts',
  'tokens:read',
  'tokens:write',
  'audit:read',
  'audit:verify',
  'audit:export',
  'metrics:read',
  'keystore:read',
  'keystore:manage',
  'keys:read',
  'keys:write',
  'keys:use',
  'fspiop:use',
  'fspiop:certs:read',
  'fspiop:certs:write',
  'controls:read',
  'controls:write',
  'controls:assess',
  'controls:collect',
  'pki:read',
  'pki:enrol',
  'pki:revoke',
  'pki:approve',
  'pki:manage',
  'notifications:read',
  'notifications:subscribe',
  'access-reviews:read',
  'access-reviews:conduct',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = [
  'admin',
  'security-officer',
  'compliance-officer',
  'risk-manager',
  'participant',
  'auditor',
  'leadership',
] as const;

export type Role = (typeof ROLES)[number];

const EVERY_ROLE: Permission[] = ['session:read'];
const READ_REGISTRY: Permission[] = [...EVERY_ROLE, 'participants:read'];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  'security-officer': [
    ...READ_REGISTRY,
    'audit:read',
    'audit:verify',
    'metrics:read',
    'keystore:read',
    'keystore:manage',
    'keys:read',
    'keys:write',
    'keys:use',
    'fspiop:use',
    'fspiop:certs:read',
    'fspiop:certs:write',
    'controls:read',
    'controls:collect',
    'pki:read',
    'pki:enrol',
    'pki:revoke',
    'pki:approve',
    'pki:manage',
    'notifications:read',
    'notifications:subscribe',
    'access-reviews:read',
    'access-reviews:conduct',
  ],
  'compliance-officer': [
    ...READ_REGISTRY,
    'audit:read',
    'audit:verify',
    'keystore:read',
    'keys:read',
    'fspiop:certs:read',
    'controls:read',
    'controls:write',
    'controls:assess',
    'controls:collect',
    'pki:read',
    'notifications:read',
    'notifications:subscribe',
    'access-reviews:read',
  ],
  'risk-manager': [...READ_REGISTRY, 'controls:read'],
  // Scoped to its own participant by the stores; see core/context.ts `scopeOf`.
  participant: [
    ...READ_REGISTRY,
    'participants:contacts',
    'keys:read',
    'keys:write',
    'keys:use',
    'fspiop:use',
    'fspiop:certs:read',
    'fspiop:certs:write',
    'controls:read',
    'controls:assess',
    'pki:read',
    'pki:enrol',
    'pki:revoke',
    'notifications:read',
    'notifications:subscribe',
  ],
  // Read-only over everything, the audit trail included; verifying changes nothing but the trail.
  auditor: [
    ...READ_REGISTRY,
    'tokens:read',
    'audit:read',
    'audit:verify',
    'audit:export',
    'metrics:read',
    'keystore:read',
    'keys:read',
    'fspiop:certs:read',
    'controls:read',
    'pki:read',
    'notifications:read',
    'access-reviews:read',
  ],
  leadership: [...READ_REGISTRY, 'controls:read'],
};

const GRANT_SETS = new Map<string, ReadonlySet<Permission>>(
  Object.entries(GRANTS).map(([role, permissions]) => [role, new Set(permissions)]),
);

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export const roleAllows = (role: string | null, permission: Permission): boolean =>
  role !== null && (GRANT_SETS.get(role)?.has(permission) ?? false);

export const permissionsOf = (role: string): Permission[] => [...(GRANT_SETS.get(role) ?? [])];

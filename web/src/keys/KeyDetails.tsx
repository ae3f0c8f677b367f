import { Alert, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { KeyDetail, KeyView } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { isAsymmetric, nextRotation } from './key-types.js';
import { KeyStatusBadge } from './KeyStatusBadge.js';
import { KeyUsage } from './KeyUsage.js';
import { KeyVersions } from './KeyVersions.js';
import { PublicKeyPem } from './PublicKeyPem.js';

/** Manual, or when the next rotation falls due and whether it is already overdue. */
function rotationStatus(key: KeyView): string {
  const next = nextRotation(key);
  if (next === null) return 'manual (no rotation period)';
  const when = `every ${key.rotationPeriodDays} days; next ${formatTime(next.toISOString())}`;
  return key.rotationDue ? `OVERDUE (${when})` : when;
}

/** A key's metadata, its policy, its versions, how often it was used, and its public half when it has one. */
export function KeyDetails({ detail }: { detail: KeyDetail }) {
  const { key, versions, usage } = detail;
  const live = versions.filter((version) => version.destroyedAt === null).length;
  const rows: [string, ReactNode][] = [
    ['Id', key.id],
    ['Type', key.type],
    ['Purpose', key.purpose],
    ['Status', <KeyStatusBadge status={key.status} />],
    ['Backend', key.backend],
    ['Owner', key.ownerParticipantId ?? 'hub'],
    ['Latest version', key.latestVersion],
    ['Versions kept', `${live} of ${versions.length}`],
    ['Min. decryption version', key.minDecryptionVersion],
    ['Rotation', rotationStatus(key)],
    ['Created', `${formatTime(key.createdAt)} (${key.ageDays} days ago)`],
    ['Last rotated', formatTime(key.lastRotatedAt)],
    ['Destroy after', key.destroyAfter && formatTime(key.destroyAfter)],
    ['Allowed operations', key.policy.operations.join(', ') || 'none'],
    [
      'Allowed callers',
      [...key.policy.roles, ...(key.ownerParticipantId ? [`tokens of ${key.ownerParticipantId}`] : [])].join(', ') ||
        'nobody',
    ],
  ];
  const latest = versions.find((version) => version.version === key.latestVersion);
  return (
    <Stack data-testid="key-detail">
      {key.status === 'destroy-scheduled' && key.destroyAfter && (
        <Alert color="orange" variant="light" title="Scheduled for destruction">
          Every operation is refused. The key can be destroyed after {formatTime(key.destroyAfter)}; until then the
          destruction can be cancelled.
        </Alert>
      )}
      {key.status === 'destroyed' && (
        <Alert color="red" variant="light" title="Destroyed">
          Every version was destroyed in the keystore; the metadata and the audit trail remain.
        </Alert>
      )}
      <Table variant="vertical" layout="fixed" withTableBorder aria-label="Key properties">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={190}>{label}</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fw={600}>Versions</Text>
      <KeyVersions versions={versions} />
      <Text fw={600}>Usage</Text>
      <KeyUsage usage={usage} />
      {isAsymmetric(key.type) && latest?.hasPublicKey && latest.destroyedAt === null && (
        <PublicKeyPem keyId={key.id} version={latest.version} />
      )}
    </Stack>
  );
}

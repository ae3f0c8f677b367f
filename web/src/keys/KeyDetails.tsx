import { Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { KeyDetail } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { isAsymmetric } from './key-types.js';
import { KeyStatusBadge } from './KeyStatusBadge.js';
import { KeyUsage } from './KeyUsage.js';
import { KeyVersions } from './KeyVersions.js';
import { PublicKeyPem } from './PublicKeyPem.js';

/** A key's metadata, its versions, how often it was used, and its public half when it has one. */
export function KeyDetails({ detail }: { detail: KeyDetail }) {
  const { key, versions, usage } = detail;
  const rows: [string, ReactNode][] = [
    ['Id', key.id],
    ['Type', key.type],
    ['Purpose', key.purpose],
    ['Status', <KeyStatusBadge status={key.status} />],
    ['Backend', key.backend],
    ['Owner', key.ownerParticipantId],
    ['Latest version', key.latestVersion],
    ['Min. decryption version', key.minDecryptionVersion],
    ['Rotation period', key.rotationPeriodDays === null ? 'manual' : `${key.rotationPeriodDays} days`],
    ['Rotation due', key.rotationDue ? 'yes' : 'no'],
    ['Created', formatTime(key.createdAt)],
    ['Last rotated', formatTime(key.lastRotatedAt)],
    ['Destroy after', key.destroyAfter && formatTime(key.destroyAfter)],
    ['Policy', `${key.policy.operations.join(', ')} by ${key.policy.roles.join(', ') || 'no role'}`],
  ];
  const latest = versions.find((version) => version.version === key.latestVersion);
  return (
    <Stack data-testid="key-detail">
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
      {isAsymmetric(key.type) && latest?.hasPublicKey && <PublicKeyPem keyId={key.id} version={latest.version} />}
    </Stack>
  );
}

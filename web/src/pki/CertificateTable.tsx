import { Anchor, Table } from '@mantine/core';
import { ExpiryBadge, StatusBadge } from './badges.js';
import { day } from './pki-terms.js';
import type { Certificate } from './types.js';

interface Props {
  certificates: readonly Certificate[];
  onOpen: (id: string) => void;
  label: string;
}

/** Issued certificates; a revoked one shows its status instead of an expiry countdown. */
export function CertificateTable({ certificates, onOpen, label }: Props) {
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped highlightOnHover aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Participant</Table.Th>
            <Table.Th>Profile</Table.Th>
            <Table.Th>Subject</Table.Th>
            <Table.Th>Serial</Table.Th>
            <Table.Th>Key</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Expiry</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {certificates.map((certificate) => (
            <Table.Tr
              key={certificate.id}
              data-testid={`certificate-row-${certificate.id}`}
              style={{ cursor: 'pointer' }}
              onClick={() => onOpen(certificate.id)}
            >
              <Table.Td>
                {/* The row opens the certificate; this button makes it reachable by keyboard (its click bubbles). */}
                <Anchor component="button" type="button" aria-label={`Open certificate ${certificate.serial}`}>
                  {certificate.participantId}
                </Anchor>
              </Table.Td>
              <Table.Td ff="monospace">{certificate.profile}</Table.Td>
              <Table.Td>{certificate.subject}</Table.Td>
              <Table.Td ff="monospace" fz="xs" style={{ overflowWrap: 'anywhere' }}>
                {certificate.serial}
              </Table.Td>
              <Table.Td ff="monospace">
                {certificate.weaker ? `${certificate.keyType} (weaker)` : certificate.keyType}
              </Table.Td>
              <Table.Td>{day(certificate.notAfter)}</Table.Td>
              <Table.Td>{certificate.status === 'revoked' ? '—' : <ExpiryBadge certificate={certificate} />}</Table.Td>
              <Table.Td>
                <StatusBadge status={certificate.status} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

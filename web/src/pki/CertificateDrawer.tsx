import { Alert, Button, Code, Drawer, Loader, Stack, Table, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { ExpiryBadge, StatusBadge } from './badges.js';
import { useCertificate } from './queries.js';
import { RevokeModal } from './RevokeModal.js';
import type { CertificateDetail } from './types.js';

interface Props {
  id: string | null;
  onClose: () => void;
}

function Details({ detail }: { detail: CertificateDetail }) {
  const { certificate } = detail;
  const rows: [string, ReactNode][] = [
    ['Id', certificate.id],
    ['Participant', certificate.participantId],
    ['Profile', certificate.profile],
    ['Subject', certificate.subject],
    ['DNS names', certificate.dnsNames.join(', ') || '—'],
    ['Serial', certificate.serial],
    ['SHA-256 fingerprint', certificate.fingerprintSha256],
    [
      'Key',
      `${certificate.keyType}, ${certificate.keyStrengthBits}-bit strength${certificate.weaker ? ' (weaker)' : ''}`,
    ],
    ['Key source', certificate.keySource],
    ['Issuing CA', certificate.caId],
    ['Valid from', formatTime(certificate.notBefore)],
    ['Valid to', formatTime(certificate.notAfter)],
    ['Expiry', certificate.status === 'revoked' ? '—' : <ExpiryBadge certificate={certificate} />],
    ['Status', <StatusBadge status={certificate.status} />],
    ['Revoked', certificate.revokedAt && `${formatTime(certificate.revokedAt)} (${certificate.revocationReason})`],
    ['Enrolment', certificate.enrolmentId],
    ['Renews', certificate.renewsId],
  ];
  return (
    <Stack data-testid="certificate-detail">
      {certificate.status === 'revoked' && (
        <Alert color="red" variant="light" title="Revoked">
          Revoked {certificate.revokedAt && formatTime(certificate.revokedAt)} for {certificate.revocationReason}; the
          CRL and OCSP say so.
        </Alert>
      )}
      <Table variant="vertical" layout="fixed" withTableBorder aria-label="Certificate properties">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={190}>{label}</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text fw={600}>Certificate (PEM)</Text>
      <Code block data-testid="certificate-pem">
        {detail.certificatePem}
      </Code>
      <Text fw={600}>Chain to the root ({detail.chainPem.length} CA certificates, PEM)</Text>
      <Code block data-testid="certificate-chain">
        {detail.chainPem.join('')}
      </Code>
    </Stack>
  );
}

/** Opens over the list for the certificate named in the URL; holders of pki:revoke may revoke a valid one. */
export function CertificateDrawer({ id, onClose }: Props) {
  const can = useCan();
  // The last certificate stays shown after `id` goes back to null, so the drawer slides out with its content.
  const [shownId, setShownId] = useState(id);
  if (id !== null && id !== shownId) setShownId(id);
  const detail = useCertificate(shownId);
  const [revoking, revokeModal] = useDisclosure(false);
  const certificate = detail.data?.certificate;
  return (
    <Drawer
      opened={id !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={certificate ? `Certificate ${certificate.serial}` : 'Certificate'}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {detail.isLoading && <Loader aria-label="Loading certificate" />}
      <ErrorAlert error={detail.error} title="Could not load the certificate" />
      {certificate && can('pki:revoke') && certificate.status !== 'revoked' && (
        <>
          <Button color="red" variant="light" mb="md" onClick={revokeModal.open}>
            Revoke
          </Button>
          <RevokeModal certificate={certificate} opened={revoking} onClose={revokeModal.close} />
        </>
      )}
      {detail.data && <Details detail={detail.data} />}
    </Drawer>
  );
}

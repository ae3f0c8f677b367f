import { Stack, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router-dom';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { CertificateDrawer } from './CertificateDrawer.js';
import { CertificateTable } from './CertificateTable.js';
import { useCertificates } from './queries.js';

/** Every certificate the caller may see (a participant: its own), with expiry badges; one opens for its PEM, chain and revocation. */
export function CertificatesPage() {
  const certificates = useCertificates();
  const [params, setParams] = useSearchParams();
  const items = certificates.data?.items ?? [];
  // The open certificate lives in the URL (`?certificate=<id>`), so the enrolment queue can link to it.
  const open = (id: string | null) => setParams(id === null ? {} : { certificate: id });

  return (
    <Stack>
      <Title order={2}>Certificates</Title>
      <ErrorAlert error={certificates.error} title="Could not load the certificates" />
      {certificates.data && <CertificateTable certificates={items} onOpen={open} label="Certificates" />}
      {certificates.data && items.length === 0 && <Text c="dimmed">No certificate issued yet.</Text>}
      {certificates.data && certificates.data.total > items.length && (
        <Text c="dimmed" size="sm">
          Showing the first {items.length} of {certificates.data.total}.
        </Text>
      )}
      <CertificateDrawer id={params.get('certificate')} onClose={() => open(null)} />
    </Stack>
  );
}

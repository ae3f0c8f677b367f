import { Anchor, Button, Group, Table, Text } from '@mantine/core';
import { StatusBadge } from './badges.js';
import { day } from './pki-terms.js';
import type { Ca } from './types.js';

/** The public URLs relying parties fetch (no sign-in): the CA certificate and, for CAs whose key Trustloop holds, the CRL. */
function Downloads({ ca }: { ca: Ca }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Anchor href={`/pki/ca/${ca.id}.pem`} download={`${ca.name}.pem`} aria-label={`CA certificate of ${ca.name}`}>
        cert
      </Anchor>
      <Anchor
        href={`/pki/ca/${ca.id}.crt`}
        download={`${ca.name}.crt`}
        aria-label={`CA certificate of ${ca.name} (DER)`}
      >
        der
      </Anchor>
      {(ca.source === 'cpm' || ca.crlNumber > 0) && (
        <>
          <Anchor href={`/pki/crl/${ca.id}.pem`} download={`${ca.name}-crl.pem`} aria-label={`CRL of ${ca.name}`}>
            crl
          </Anchor>
          <Anchor href={`/pki/crl/${ca.id}.crl`} download={`${ca.name}.crl`} aria-label={`CRL of ${ca.name} (DER)`}>
            crl der
          </Anchor>
        </>
      )}
    </Group>
  );
}

/** An active issuing CA whose parent's key is here: the hub can put it on that parent's CRL. */
export function revocable(ca: Ca, cas: readonly Ca[]): boolean {
  const parent = cas.find((one) => one.id === ca.parentId);
  return ca.role === 'issuing' && ca.status === 'active' && parent?.source === 'cpm';
}

interface Props {
  cas: readonly Ca[];
  /** Given to PKI managers: a Revoke button on each CA the hub can revoke. */
  onRevoke?: (ca: Ca) => void;
  /** Given to PKI managers: an Import CRL button on each active external CA. */
  onImportCrl?: (ca: Ca) => void;
}

/** The CA hierarchy: roots first, each issuing CA naming its parent. */
export function CaTable({ cas, onRevoke, onImportCrl }: Props) {
  const actions = onRevoke !== undefined || onImportCrl !== undefined;
  const names = new Map(cas.map((ca) => [ca.id, ca.name]));
  const ordered = [...cas].sort((a, b) => Number(a.role !== 'root') - Number(b.role !== 'root'));
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped aria-label="Certificate authorities">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Parent</Table.Th>
            <Table.Th>Key type</Table.Th>
            <Table.Th>Subject</Table.Th>
            <Table.Th>Valid from</Table.Th>
            <Table.Th>Valid to</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>CRL #</Table.Th>
            <Table.Th>Downloads</Table.Th>
            {actions && <Table.Th>Actions</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {ordered.map((ca) => (
            <Table.Tr key={ca.id} data-testid={`ca-row-${ca.id}`}>
              <Table.Td>{ca.name}</Table.Td>
              <Table.Td>{ca.source === 'external' ? `${ca.role} (imported)` : ca.role}</Table.Td>
              <Table.Td>{ca.parentId === null ? '—' : (names.get(ca.parentId) ?? ca.parentId)}</Table.Td>
              <Table.Td ff="monospace">{ca.keyType}</Table.Td>
              <Table.Td>
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {ca.subject}
                </Text>
              </Table.Td>
              <Table.Td>{day(ca.notBefore)}</Table.Td>
              <Table.Td>{day(ca.notAfter)}</Table.Td>
              <Table.Td>
                {/* A revoked CA is stored as retired (it never signs again); relying parties see it revoked. */}
                <StatusBadge status={ca.revokedAt ? 'revoked' : ca.status} />
                {ca.revokedAt && (
                  <Text size="xs" c="dimmed" mt={2}>
                    {day(ca.revokedAt)} ({ca.revocationReason})
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{ca.source === 'cpm' || ca.crlNumber > 0 ? ca.crlNumber : 'none imported'}</Table.Td>
              <Table.Td>
                <Downloads ca={ca} />
              </Table.Td>
              {actions && (
                <Table.Td>
                  {onImportCrl && ca.source === 'external' && ca.status === 'active' && (
                    <Button
                      size="compact-sm"
                      variant="light"
                      aria-label={`Import CRL of ${ca.name}`}
                      onClick={() => onImportCrl(ca)}
                    >
                      Import CRL
                    </Button>
                  )}
                  {onRevoke && revocable(ca, cas) && (
                    <Button
                      size="compact-sm"
                      color="red"
                      variant="light"
                      aria-label={`Revoke ${ca.name}`}
                      onClick={() => onRevoke(ca)}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

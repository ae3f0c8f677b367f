import { Anchor, Button, Group, Modal, Radio, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { CatalogSelect } from './CatalogSelect.js';
import { HostingSwitch } from './HostingSwitch.js';
import { useCatalog, useClearOverride, useResponsibility, useSetResponsibility } from './queries.js';
import { ScopeSelect } from './ScopeSelect.js';
import { PARTIES, type Party, type ResponsibilityEntry } from './types.js';

interface Editing {
  entry: ResponsibilityEntry;
  party: Party;
}

/**
 * Who carries each assessable requirement: the scheme-wide default, or the answer in force for one
 * participant (its own overrides first). Writers change it cell by cell; shared and not-applicable
 * ask what each side does, or why.
 */
export function ResponsibilityPage() {
  const can = useCan();
  const canWrite = can('controls:write');
  const [params, setParams] = useSearchParams();
  const catalogUrn = params.get('catalog');
  const participantId = params.get('participant');
  const [search, setSearch] = useState('');
  const [editing, setEditing] = useState<Editing | null>(null);
  const catalog = useCatalog(catalogUrn);
  const matrix = useResponsibility(catalogUrn, participantId);
  const set = useSetResponsibility(catalogUrn ?? '');
  const clear = useClearOverride(catalogUrn ?? '');

  const update = useCallback(
    (key: string, value: string | null) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value === null) next.delete(key);
          else next.set(key, value);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const chooseCatalog = useCallback((urn: string) => update('catalog', urn), [update]);

  const titles = useMemo(
    () => new Map((catalog.data?.requirements ?? []).map((requirement) => [requirement.ref, requirement.title])),
    [catalog.data],
  );
  const needle = search.trim().toLowerCase();
  const rows = (matrix.data?.items ?? []).filter((entry) =>
    `${entry.ref} ${titles.get(entry.ref) ?? ''}`.toLowerCase().includes(needle),
  );
  const scope = participantId === null ? {} : { participantId };
  const exportHref = (format: 'csv' | 'xlsx' | 'pdf') =>
    catalogUrn === null
      ? undefined
      : `/api/v1/controls/catalogs/${encodeURIComponent(catalogUrn)}/responsibility/${format}${
          participantId === null ? '' : `?participantId=${encodeURIComponent(participantId)}`
        }`;

  const choose = (entry: ResponsibilityEntry, party: Party) => {
    if (party === 'shared' || party === 'not-applicable') setEditing({ entry, party });
    else set.mutate({ ref: entry.ref, body: { ...scope, party } });
  };

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Responsibility matrix</Title>
        {catalogUrn !== null && (
          <Group gap="md">
            <Anchor href={exportHref('csv')} download>
              Export CSV
            </Anchor>
            <Anchor href={exportHref('xlsx')} download>
              Export XLSX
            </Anchor>
            <Anchor href={exportHref('pdf')} download>
              Export PDF
            </Anchor>
          </Group>
        )}
      </Group>
      <Group align="flex-end">
        <CatalogSelect value={catalogUrn} onChange={chooseCatalog} />
        <ScopeSelect
          label="Scope"
          noneLabel="Scheme-wide default"
          value={participantId}
          onChange={(id) => update('participant', id)}
        />
        <TextInput
          label="Filter"
          placeholder="number or title"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
      </Group>
      {participantId !== null && matrix.data && (
        <HostingSwitch participantId={participantId} hosted={matrix.data.hosted} canWrite={canWrite} />
      )}
      <ErrorAlert error={matrix.error ?? catalog.error} title="Could not load the matrix" />
      <ErrorAlert error={set.error ?? clear.error} title="Responsibility not changed" />
      {matrix.data && (
        <Table.ScrollContainer minWidth={900}>
          <Table striped aria-label="Responsibility matrix" data-testid="responsibility-grid">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Requirement</Table.Th>
                {PARTIES.map((party) => (
                  <Table.Th key={party} ta="center">
                    {party}
                  </Table.Th>
                ))}
                <Table.Th>Duties or reason</Table.Th>
                <Table.Th>Set by</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((entry) => (
                <Table.Tr key={entry.ref} data-testid={`responsibility-${entry.ref}`}>
                  <Table.Td>
                    <Text size="sm" span ff="monospace">
                      {entry.ref}
                    </Text>{' '}
                    <Text size="sm" span>
                      {titles.get(entry.ref)}
                    </Text>
                  </Table.Td>
                  {PARTIES.map((party) => (
                    <Table.Td key={party} ta="center">
                      <Radio
                        name={`party-${entry.ref}`}
                        aria-label={`${entry.ref} ${party}`}
                        checked={entry.party === party}
                        disabled={!canWrite || set.isPending}
                        onChange={() => choose(entry, party)}
                        styles={{ body: { justifyContent: 'center' } }}
                      />
                    </Table.Td>
                  ))}
                  <Table.Td>
                    <Text size="xs">
                      {[
                        entry.hubDuty && `hub: ${entry.hubDuty}`,
                        entry.participantDuty && `participant: ${entry.participantDuty}`,
                        entry.reason,
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </Text>
                  </Table.Td>
                  <Table.Td>{entry.origin}</Table.Td>
                  <Table.Td>
                    {canWrite && participantId !== null && entry.origin === 'participant' && (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        onClick={() => clear.mutate({ ref: entry.ref, participantId })}
                      >
                        Use scheme default
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {editing && (
        <DutiesModal
          editing={editing}
          pending={set.isPending}
          error={set.error}
          onClose={() => {
            set.reset();
            setEditing(null);
          }}
          onSave={(body) =>
            set.mutate({ ref: editing.entry.ref, body: { ...scope, ...body } }, { onSuccess: () => setEditing(null) })
          }
        />
      )}
    </Stack>
  );
}

function DutiesModal({
  editing,
  pending,
  error,
  onClose,
  onSave,
}: {
  editing: Editing;
  pending: boolean;
  error: Error | null;
  onClose: () => void;
  onSave: (body: { party: Party; hubDuty?: string; participantDuty?: string; reason?: string }) => void;
}) {
  const { entry, party } = editing;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    onSave(
      party === 'shared'
        ? { party, hubDuty: text('hubDuty'), participantDuty: text('participantDuty') }
        : { party, reason: text('reason') },
    );
  };
  const title = party === 'shared' ? `Share ${entry.ref}` : `${entry.ref} not applicable`;
  return (
    <Modal opened onClose={onClose} title={title} closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label={title}>
        <Stack>
          {party === 'shared' ? (
            <>
              <Textarea name="hubDuty" label="What the hub does" defaultValue={entry.hubDuty ?? ''} required />
              <Textarea
                name="participantDuty"
                label="What the participant does"
                defaultValue={entry.participantDuty ?? ''}
                required
              />
            </>
          ) : (
            <Textarea name="reason" label="Why it does not apply" defaultValue={entry.reason ?? ''} required />
          )}
          <ErrorAlert error={error} title="Responsibility not changed" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

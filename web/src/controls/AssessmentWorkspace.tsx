import {
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Grid,
  Group,
  NativeSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { useCan } from '../session/queries.js';
import { ConfirmModal } from '../ui/ConfirmModal.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { PartyBadge, ResultBadge } from './badges.js';
import { BulkEditBar } from './BulkEditBar.js';
import { EvidencePanel } from './EvidencePanel.js';
import { filterItems, NO_FILTER, type ItemFilter } from './item-filter.js';
import { ItemEditor } from './ItemEditor.js';
import { useAcceptSuggestions, useAssessment, useCatalog, useCatalogs, useReopen, useSignOff } from './queries.js';
import { SnapshotsPanel } from './SnapshotsPanel.js';
import { SuggestionHint } from './SuggestionHint.js';
import { SummaryBar } from './SummaryBar.js';
import { PARTIES, RESULTS } from './types.js';

/** One assessment: filter and record results (one or many), attach evidence, run collectors, sign off. */
export function AssessmentWorkspace({ id }: { id: string }) {
  const can = useCan();
  const assessment = useAssessment(id);
  const head = assessment.data?.assessment;
  const catalog = useCatalog(head?.catalogUrn ?? null);
  const [filter, setFilter] = useState<ItemFilter>(NO_FILTER);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<'sign-off' | 'reopen' | null>(null);
  const signOff = useSignOff(id);
  const reopen = useReopen(id);
  const acceptSuggestions = useAcceptSuggestions(id);
  const catalogs = useCatalogs();

  const titles = useMemo(
    () => new Map((catalog.data?.requirements ?? []).map((requirement) => [requirement.ref, requirement.title])),
    [catalog.data],
  );
  const items = useMemo(
    () => filterItems(assessment.data?.items ?? [], filter, titles),
    [assessment.data, filter, titles],
  );
  const suggestions = useMemo(
    () => new Map((assessment.data?.suggestions ?? []).map((suggestion) => [suggestion.ref, suggestion] as const)),
    [assessment.data],
  );
  const catalogName = (urn: string) => catalogs.data?.items.find((entry) => entry.urn === urn)?.name ?? urn;
  const open = head?.status === 'open';
  const canAssess = can('controls:assess') && open;
  const allShown = items.length > 0 && items.every((item) => selected.has(item.ref));
  const toggle = (ref: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(ref)) next.delete(ref);
      else next.add(ref);
      return next;
    });

  if (assessment.error) return <ErrorAlert error={assessment.error} title="Could not load the assessment" />;
  if (!assessment.data || !head) return <Text c="dimmed">Loading…</Text>;
  const editingItem = assessment.data.items.find((item) => item.ref === editing);
  const base = `/api/v1/controls/assessments/${head.id}`;

  return (
    <Stack>
      <Anchor component={Link} to="..">
        ← Assessments
      </Anchor>
      <Group justify="space-between">
        <Stack gap={0}>
          <Title order={2}>{head.title}</Title>
          <Text size="sm" c="dimmed">
            {head.participantId} · {catalog.data?.catalog.name ?? head.catalogUrn} · due {head.dueDate ?? '-'}
          </Text>
        </Stack>
        <Group>
          <Badge data-testid="assessment-status" color={open ? 'blue' : 'green'} size="lg">
            {head.status}
            {head.version > 0 ? ` v${head.version}` : ''}
          </Badge>
          <Anchor component={Link} to={`/controls/gaps?assessment=${head.id}`}>
            Gap report
          </Anchor>
          <Anchor href={`${base}/gaps/csv`} download>
            Gaps CSV
          </Anchor>
          <Anchor href={`${base}/gaps/pdf`} download>
            Gaps PDF
          </Anchor>
          <Anchor href={`${base}/oscal`} target="_blank">
            OSCAL
          </Anchor>
          {can('controls:write') && open && <Button onClick={() => setConfirming('sign-off')}>Sign off</Button>}
          {can('controls:write') && !open && (
            <Button variant="default" onClick={() => setConfirming('reopen')}>
              Reopen
            </Button>
          )}
        </Group>
      </Group>
      {head.signedOffAt && (
        <Text size="sm" data-testid="signed-off">
          Signed off by {head.signedOffBy} at {formatTime(head.signedOffAt)}
        </Text>
      )}
      <SummaryBar summary={assessment.data.summary} />
      <ErrorAlert error={acceptSuggestions.error} title="Suggestion not accepted" />
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <EvidencePanel participantId={head.participantId} canAdd={canAssess} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Card withBorder>
            <SnapshotsPanel id={id} />
          </Card>
        </Grid.Col>
      </Grid>
      <Stack>
        <Group align="flex-end">
          <TextInput
            label="Search"
            placeholder="number, title, justification"
            value={filter.text}
            onChange={(event) => setFilter({ ...filter, text: event.currentTarget.value })}
          />
          <NativeSelect
            label="Result"
            value={filter.result}
            onChange={(event) =>
              setFilter({ ...filter, result: RESULTS.find((r) => r === event.currentTarget.value) ?? '' })
            }
            data={[{ value: '', label: 'any' }, ...RESULTS]}
          />
          <NativeSelect
            label="Responsible"
            value={filter.party}
            onChange={(event) =>
              setFilter({ ...filter, party: PARTIES.find((p) => p === event.currentTarget.value) ?? '' })
            }
            data={[{ value: '', label: 'any' }, ...PARTIES]}
          />
          <Text size="sm" c="dimmed" data-testid="item-count">
            {items.length} of {assessment.data.items.length} requirements
          </Text>
        </Group>
        {canAssess && selected.size > 0 && (
          <BulkEditBar assessmentId={id} refs={[...selected]} onDone={() => setSelected(new Set())} />
        )}
        <Table.ScrollContainer minWidth={900}>
          <Table striped aria-label="Requirements" data-testid="assessment-items">
            <Table.Thead>
              <Table.Tr>
                {canAssess && (
                  <Table.Th>
                    <Checkbox
                      aria-label="Select all shown"
                      checked={allShown}
                      onChange={() => setSelected(allShown ? new Set() : new Set(items.map((item) => item.ref)))}
                    />
                  </Table.Th>
                )}
                <Table.Th>Requirement</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>Basis</Table.Th>
                <Table.Th>Responsible</Table.Th>
                <Table.Th>Evidence</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => (
                <Table.Tr key={item.ref} data-testid={`item-${item.ref}`}>
                  {canAssess && (
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select ${item.ref}`}
                        checked={selected.has(item.ref)}
                        onChange={() => toggle(item.ref)}
                      />
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Text size="sm" span ff="monospace">
                      {item.ref}
                    </Text>{' '}
                    <Text size="sm" span>
                      {titles.get(item.ref)}
                    </Text>
                    {item.justification && (
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {item.justification}
                      </Text>
                    )}
                    {suggestions.has(item.ref) && (
                      <SuggestionHint
                        suggestion={suggestions.get(item.ref)!}
                        catalogName={catalogName}
                        canAccept={canAssess}
                        accepting={acceptSuggestions.isPending && acceptSuggestions.variables?.includes(item.ref)}
                        onAccept={() => acceptSuggestions.mutate([item.ref])}
                      />
                    )}
                  </Table.Td>
                  <Table.Td>
                    <ResultBadge result={item.result} />
                  </Table.Td>
                  <Table.Td>{item.basis}</Table.Td>
                  <Table.Td>
                    <PartyBadge party={item.party} />
                  </Table.Td>
                  <Table.Td>
                    {item.evidenceIds.length + (item.automated ? 1 : 0) === 0
                      ? '-'
                      : `${item.evidenceIds.length}${item.automated ? ` + ${item.automated.collector} (${item.automated.result})` : ''}`}
                  </Table.Td>
                  <Table.Td>{item.dueDate ?? '-'}</Table.Td>
                  <Table.Td>
                    <Button size="compact-xs" variant="subtle" onClick={() => setEditing(item.ref)}>
                      {canAssess ? `Edit ${item.ref}` : `Open ${item.ref}`}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Stack>
      {editingItem && (
        <ItemEditor
          assessmentId={id}
          participantId={head.participantId}
          item={editingItem}
          title={titles.get(editingItem.ref) ?? ''}
          readOnly={!canAssess}
          onClose={() => setEditing(null)}
        />
      )}
      <ConfirmModal
        opened={confirming === 'sign-off'}
        title="Sign off assessment"
        message={`Freezes the evaluated results as snapshot v${head.version + 1}; changes then need a reopen.`}
        confirmLabel="Sign off"
        loading={signOff.isPending}
        error={signOff.error}
        onConfirm={() => signOff.mutate(undefined, { onSuccess: () => setConfirming(null) })}
        onClose={() => {
          signOff.reset();
          setConfirming(null);
        }}
      />
      <ConfirmModal
        opened={confirming === 'reopen'}
        title="Reopen assessment"
        message="Opens the assessment for the next cycle; signed-off snapshots stay as they are."
        confirmLabel="Reopen"
        loading={reopen.isPending}
        error={reopen.error}
        onConfirm={() => reopen.mutate(undefined, { onSuccess: () => setConfirming(null) })}
        onClose={() => {
          reopen.reset();
          setConfirming(null);
        }}
      />
    </Stack>
  );
}

import { Anchor, Button, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { AssessmentWorkspace } from './AssessmentWorkspace.js';
import { CatalogSelect } from './CatalogSelect.js';
import { useAssessments, useCatalogs, useCreateAssessment } from './queries.js';
import { ScopeSelect } from './ScopeSelect.js';

/** `/controls/assessments` lists them; `/controls/assessments/<id>` is one assessment's workspace. */
export function AssessmentsPage() {
  return (
    <Routes>
      <Route index element={<AssessmentList />} />
      <Route path=":id" element={<WorkspaceRoute />} />
    </Routes>
  );
}

function WorkspaceRoute() {
  const { id } = useParams();
  return <AssessmentWorkspace key={id} id={id ?? ''} />;
}

function AssessmentList() {
  const can = useCan();
  const assessments = useAssessments();
  const catalogs = useCatalogs();
  const [creating, createForm] = useDisclosure(false);
  const nameOf = (urn: string) => catalogs.data?.items.find((item) => item.urn === urn)?.name ?? urn;
  const items = assessments.data?.items ?? [];
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Assessments</Title>
        {can('controls:write') && <Button onClick={createForm.open}>New assessment</Button>}
      </Group>
      <ErrorAlert error={assessments.error} title="Could not load assessments" />
      {assessments.data && items.length === 0 && <Text c="dimmed">No assessment yet.</Text>}
      {items.length > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table striped highlightOnHover aria-label="Assessments">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Title</Table.Th>
                <Table.Th>Scope</Table.Th>
                <Table.Th>Catalog</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Snapshot</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((assessment) => (
                <Table.Tr key={assessment.id}>
                  <Table.Td>
                    <Anchor component={Link} to={assessment.id}>
                      {assessment.title}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{assessment.participantId}</Table.Td>
                  <Table.Td>{nameOf(assessment.catalogUrn)}</Table.Td>
                  <Table.Td>{assessment.status}</Table.Td>
                  <Table.Td>{assessment.version === 0 ? '-' : `v${assessment.version}`}</Table.Td>
                  <Table.Td>{assessment.dueDate ?? '-'}</Table.Td>
                  <Table.Td>{formatTime(assessment.updatedAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {can('controls:write') && <CreateAssessmentModal opened={creating} onClose={createForm.close} />}
    </Stack>
  );
}

function CreateAssessmentModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const create = useCreateAssessment();
  const navigate = useNavigate();
  const [catalogUrn, setCatalogUrn] = useState<string | null>(null);
  const [participantId, setParticipantId] = useState<string | null>(null);

  const close = () => {
    create.reset();
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const dueDate = String(form.get('dueDate') ?? '');
    create.mutate(
      {
        catalogUrn: catalogUrn ?? '',
        participantId: participantId ?? '',
        title: String(form.get('title') ?? '').trim(),
        ...(dueDate ? { dueDate } : {}),
      },
      {
        onSuccess: (created) => {
          close();
          navigate(created.assessment.id);
        },
      },
    );
  };
  return (
    <Modal opened={opened} onClose={close} title="New assessment" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label="New assessment">
        <Stack>
          <TextInput name="title" label="Title" placeholder="PCI DSS 2025 annual" required />
          <CatalogSelect value={catalogUrn} onChange={setCatalogUrn} />
          <ScopeSelect
            label="Scope"
            noneLabel="Choose the hub or a participant"
            value={participantId}
            onChange={setParticipantId}
          />
          <TextInput name="dueDate" label="Due date (optional)" type="date" />
          <ErrorAlert error={create.error} title="Assessment not created" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

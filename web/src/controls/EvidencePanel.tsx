import { Anchor, Badge, Button, Card, FileInput, Group, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { formatTime } from '../ui/format.js';
import { useEvidence, useLinkEvidence, useRunCollectors, useUploadEvidence } from './queries.js';

/** The file's bytes as base64 (the upload route takes JSON; the server decides the type from the bytes). */
const readBase64 = (file: File): Promise<string> =>
  new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error(`could not read ${file.name}`));
    reader.readAsDataURL(file);
  });

/** Evidence of one scope: uploads, links and what the collectors found; assessors add, collectors run. */
export function EvidencePanel({ participantId, canAdd }: { participantId: string; canAdd: boolean }) {
  const can = useCan();
  const evidence = useEvidence(participantId);
  const run = useRunCollectors();
  const items = evidence.data?.items ?? [];
  return (
    <Card withBorder data-testid="evidence-panel">
      <Stack>
        <Group justify="space-between">
          <Title order={4}>Evidence</Title>
          {can('controls:collect') && (
            <Button size="xs" variant="light" loading={run.isPending} onClick={() => run.mutate()}>
              Run collectors
            </Button>
          )}
        </Group>
        <ErrorAlert error={run.error} title="Collectors did not run" />
        {run.data && (
          <Text size="sm" data-testid="collector-run">
            Collectors recorded {run.data.items.length} evidence records:{' '}
            {run.data.items.filter((record) => record.result === 'fail').length} failing.
          </Text>
        )}
        {canAdd && <UploadForm participantId={participantId} />}
        {canAdd && <LinkForm participantId={participantId} />}
        <ErrorAlert error={evidence.error} title="Could not load evidence" />
        <Table aria-label="Evidence" data-testid="evidence-list">
          <Table.Tbody>
            {items.map((record) => (
              <Table.Tr key={record.id} data-testid={`evidence-${record.kind}`}>
                <Table.Td>
                  <Badge variant="outline" size="sm">
                    {record.kind}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {record.kind === 'file' ? (
                    <Anchor href={`/api/v1/controls/evidence/${record.id}/content`} download size="sm">
                      {record.title}
                    </Anchor>
                  ) : record.kind === 'link' && record.url ? (
                    <Anchor href={record.url} target="_blank" rel="noopener noreferrer" size="sm">
                      {record.title}
                    </Anchor>
                  ) : (
                    <Text size="sm">{record.title}</Text>
                  )}
                  <Text size="xs" c="dimmed">
                    {formatTime(record.createdAt)}
                    {record.sha256 ? ` · sha256 ${record.sha256.slice(0, 12)}…` : ''}
                    {record.expired ? ' · expired' : ''}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {record.result && (
                    <Badge color={record.result === 'pass' ? 'green' : 'red'} size="sm">
                      {record.result}
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {evidence.data && items.length === 0 && (
          <Text size="sm" c="dimmed">
            No evidence yet.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function UploadForm({ participantId }: { participantId: string }) {
  const upload = useUploadEvidence();
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    const contentBase64 = await readBase64(file);
    upload.mutate(
      { participantId, title: title.trim() || file.name, fileName: file.name, contentBase64 },
      {
        onSuccess: () => {
          setFile(null);
          setTitle('');
        },
      },
    );
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Upload evidence">
      <Stack gap="xs">
        <FileInput
          label="Evidence file"
          placeholder="PDF, PNG, JPEG or text"
          value={file}
          onChange={setFile}
          clearable
        />
        <Group align="flex-end">
          <TextInput label="Title" value={title} onChange={(event) => setTitle(event.currentTarget.value)} />
          <Button type="submit" size="xs" disabled={!file} loading={upload.isPending}>
            Upload
          </Button>
        </Group>
        <ErrorAlert error={upload.error} title="Not uploaded" />
      </Stack>
    </form>
  );
}

function LinkForm({ participantId }: { participantId: string }) {
  const link = useLinkEvidence();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const target = event.currentTarget;
    const form = new FormData(target);
    link.mutate(
      { participantId, title: String(form.get('title') ?? '').trim(), url: String(form.get('url') ?? '').trim() },
      { onSuccess: () => target.reset() },
    );
  };
  return (
    <form onSubmit={submit} aria-label="Add evidence link">
      <Stack gap="xs">
        <Group align="flex-end">
          <TextInput name="title" label="Link title" required />
          <TextInput name="url" label="URL" type="url" placeholder="https://" required />
          <Button type="submit" size="xs" loading={link.isPending}>
            Add link
          </Button>
        </Group>
        <ErrorAlert error={link.error} title="Link not added" />
      </Stack>
    </form>
  );
}

import {
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { PartyBadge, ResultBadge } from './badges.js';
import { useEvidence, useUpdateItems } from './queries.js';
import { RESULTS, type AssessmentItem, type AssessmentResult, type ItemChange } from './types.js';

interface Props {
  assessmentId: string;
  participantId: string;
  item: AssessmentItem;
  title: string;
  readOnly: boolean;
  onClose: () => void;
}

const orNull = (value: FormDataEntryValue | null): string | null => {
  const text = String(value ?? '').trim();
  return text === '' ? null : text;
};

/**
 * One requirement's answer: result, justification, due date, assessor, reviewer and the evidence
 * behind it. The result is only sent when it changes, so an answer a collector set stays the
 * collector's until a person overrules it.
 */
export function ItemEditor({ assessmentId, participantId, item, title, readOnly, onClose }: Props) {
  const update = useUpdateItems(assessmentId);
  const evidence = useEvidence(participantId);
  const [result, setResult] = useState<AssessmentResult>(item.manualResult);
  const [evidenceIds, setEvidenceIds] = useState<string[]>(item.evidenceIds);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const change: ItemChange = {
      ref: item.ref,
      ...(result !== item.manualResult && { result }),
      justification: orNull(form.get('justification')),
      dueDate: orNull(form.get('dueDate')),
      assessor: orNull(form.get('assessor')),
      reviewer: orNull(form.get('reviewer')),
      evidenceIds,
    };
    update.mutate([change], { onSuccess: onClose });
  };

  const heading = `${item.ref} ${title}`;
  return (
    <Modal opened onClose={onClose} title={heading} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label={`Requirement ${item.ref}`}>
        <Stack>
          <Group gap="xs">
            <Text size="sm">Evaluated:</Text>
            <ResultBadge result={item.result} />
            <Text size="sm">({item.basis})</Text>
            <PartyBadge party={item.party} />
          </Group>
          {item.automated && (
            <Text size="sm" data-testid="automated-evidence">
              Collector {item.automated.collector}: {item.automated.result} at {item.automated.collectedAt}
            </Text>
          )}
          <NativeSelect
            label="Result"
            value={result}
            disabled={readOnly}
            onChange={(event) => setResult(RESULTS.find((r) => r === event.currentTarget.value) ?? result)}
            data={[...RESULTS]}
          />
          <Textarea
            name="justification"
            label="Justification"
            defaultValue={item.justification ?? ''}
            disabled={readOnly}
            autosize
            minRows={2}
            maxLength={4000}
          />
          <SimpleGrid cols={3}>
            <TextInput
              name="dueDate"
              label="Due date"
              type="date"
              defaultValue={item.dueDate ?? ''}
              disabled={readOnly}
            />
            <TextInput
              name="assessor"
              label="Assessor"
              defaultValue={item.assessor ?? ''}
              disabled={readOnly}
              maxLength={100}
            />
            <TextInput
              name="reviewer"
              label="Reviewer"
              defaultValue={item.reviewer ?? ''}
              disabled={readOnly}
              maxLength={100}
            />
          </SimpleGrid>
          <Checkbox.Group label="Evidence" value={evidenceIds} onChange={setEvidenceIds}>
            <Stack gap={4} mt={4}>
              {(evidence.data?.items ?? []).map((record) => (
                <Checkbox
                  key={record.id}
                  value={record.id}
                  disabled={readOnly}
                  label={`${record.kind}: ${record.title}${record.expired ? ' (expired)' : ''}`}
                />
              ))}
              {evidence.data?.items.length === 0 && (
                <Text size="sm" c="dimmed">
                  No evidence recorded for {participantId} yet.
                </Text>
              )}
            </Stack>
          </Checkbox.Group>
          <ErrorAlert error={evidence.error ?? update.error} title="Not saved" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {readOnly ? 'Close' : 'Cancel'}
            </Button>
            {!readOnly && (
              <Button type="submit" loading={update.isPending}>
                Save
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

import { Button, Card, Group, NativeSelect, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useUpdateItems } from './queries.js';
import { RESULTS, type AssessmentResult, type ItemChange } from './types.js';

interface Props {
  assessmentId: string;
  refs: string[];
  onDone: () => void;
}

/** One result, justification or due date for every selected requirement, in a single change. */
export function BulkEditBar({ assessmentId, refs, onDone }: Props) {
  const update = useUpdateItems(assessmentId);
  const [result, setResult] = useState<AssessmentResult | ''>('');
  const [justification, setJustification] = useState('');
  const [dueDate, setDueDate] = useState('');
  const nothing = result === '' && justification.trim() === '' && dueDate === '';

  const apply = () => {
    const change: Omit<ItemChange, 'ref'> = {
      ...(result !== '' && { result }),
      ...(justification.trim() !== '' && { justification: justification.trim() }),
      ...(dueDate !== '' && { dueDate }),
    };
    update.mutate(
      refs.map((ref) => ({ ref, ...change })),
      {
        onSuccess: () => {
          setResult('');
          setJustification('');
          setDueDate('');
          onDone();
        },
      },
    );
  };

  return (
    <Card withBorder data-testid="bulk-edit">
      <Group align="flex-end">
        <Text size="sm" fw={600}>
          {refs.length} selected
        </Text>
        <NativeSelect
          label="Set result"
          value={result}
          onChange={(event) => setResult(RESULTS.find((r) => r === event.currentTarget.value) ?? '')}
          data={[{ value: '', label: 'unchanged' }, ...RESULTS]}
        />
        <TextInput
          label="Set justification"
          value={justification}
          onChange={(event) => setJustification(event.currentTarget.value)}
        />
        <TextInput
          label="Set due date"
          type="date"
          value={dueDate}
          onChange={(event) => setDueDate(event.currentTarget.value)}
        />
        <Button onClick={apply} disabled={nothing} loading={update.isPending}>
          Apply to selected
        </Button>
        <Button variant="default" onClick={onDone}>
          Clear selection
        </Button>
      </Group>
      <ErrorAlert error={update.error} title="Not changed" />
    </Card>
  );
}

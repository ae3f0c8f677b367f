import { Button, Group, NativeSelect, Paper, SimpleGrid, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
import { filtersFromForm, OUTCOMES, toUtcInput, type AuditFilters } from './filters.js';

interface Props {
  /** The filters in force; the form starts from them. */
  filters: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}

export function AuditFilterForm({ filters, onApply }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(filtersFromForm(new FormData(event.currentTarget)));
  };

  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} onReset={() => onApply({})} aria-label="Audit filters">
        <SimpleGrid cols={{ base: 1, sm: 3, lg: 6 }}>
          <TextInput name="action" label="Action" placeholder="participant.*" defaultValue={filters.action} />
          <NativeSelect
            name="outcome"
            label="Outcome"
            data={[{ value: '', label: 'Any' }, ...OUTCOMES]}
            defaultValue={filters.outcome ?? ''}
          />
          <TextInput name="actorId" label="Actor id" defaultValue={filters.actorId} />
          <TextInput name="participantId" label="Participant id" defaultValue={filters.participantId} />
          <TextInput name="from" label="From (UTC)" type="datetime-local" defaultValue={toUtcInput(filters.from)} />
          <TextInput name="to" label="To (UTC)" type="datetime-local" defaultValue={toUtcInput(filters.to)} />
        </SimpleGrid>
        <Group justify="flex-end" mt="sm">
          <Button type="reset" variant="default">
            Clear
          </Button>
          <Button type="submit">Apply filters</Button>
        </Group>
      </form>
    </Paper>
  );
}

import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router-dom';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { AuditEventDrawer } from './AuditEventDrawer.js';
import { AuditFilterForm } from './AuditFilterForm.js';
import { AuditTable } from './AuditTable.js';
import { readFilters, readSelectedEvent, writeFilters, type AuditFilters } from './filters.js';
import { useAuditEvents } from './queries.js';
import { VerifyChainPanel } from './VerifyChainPanel.js';

/** The hash-chained audit trail: verify it, filter it, page back through it, open one event. */
export function AuditPage() {
  const can = useCan();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const events = useAuditEvents(filters);
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  const applyFilters = (next: AuditFilters) => setParams(writeFilters(next));
  const openEvent = (seq: number | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (seq === null) next.delete('event');
      else next.set('event', String(seq));
      return next;
    });

  return (
    <Stack>
      <Title order={2}>Audit trail</Title>
      {can('audit:verify') && <VerifyChainPanel onOpenEvent={openEvent} />}
      {/* Keyed by the filters in force, so the form's fields follow the URL (back button, Clear). */}
      <AuditFilterForm key={writeFilters(filters).toString()} filters={filters} onApply={applyFilters} />
      <ErrorAlert error={events.error} title="Could not load audit events" />
      {events.data && <AuditTable events={items} onOpen={openEvent} />}
      {events.data && items.length === 0 && <Text c="dimmed">No event matches these filters.</Text>}
      {events.hasNextPage && (
        <Center>
          <Button variant="default" loading={events.isFetchingNextPage} onClick={() => events.fetchNextPage()}>
            Load older
          </Button>
        </Center>
      )}
      <AuditEventDrawer seq={readSelectedEvent(params)} onClose={() => openEvent(null)} />
    </Stack>
  );
}

import { Drawer, Loader } from '@mantine/core';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { AuditEventDetails } from './AuditEventDetails.js';
import { useAuditEvent } from './queries.js';

interface Props {
  seq: number | null;
  onClose: () => void;
}

/** Opens over the list for the event named in the URL, so a link to one event works on its own. */
export function AuditEventDrawer({ seq, onClose }: Props) {
  const event = useAuditEvent(seq);
  return (
    <Drawer
      opened={seq !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={`Audit event #${seq ?? ''}`}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {event.isLoading && <Loader aria-label="Loading event" />}
      <ErrorAlert error={event.error} title="Could not load the event" />
      {event.data && <AuditEventDetails event={event.data} />}
    </Drawer>
  );
}

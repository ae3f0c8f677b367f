import { Drawer, Loader } from '@mantine/core';
import { useState } from 'react';
import { useCan } from '../session/queries.js';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { KeyActions } from './KeyActions.js';
import { KeyDetails } from './KeyDetails.js';
import { useKey } from './queries.js';

interface Props {
  id: string | null;
  onClose: () => void;
}

/** Opens over the list for the key named in the URL, so a link to one key works on its own. */
export function KeyDrawer({ id, onClose }: Props) {
  const can = useCan();
  // The last key opened stays shown after `id` goes back to null, so the drawer slides out with its content.
  const [shownId, setShownId] = useState(id);
  if (id !== null && id !== shownId) setShownId(id);
  const key = useKey(shownId);
  return (
    <Drawer
      opened={id !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={key.data ? `Key ${key.data.key.name}` : 'Key'}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {key.isLoading && <Loader aria-label="Loading key" />}
      <ErrorAlert error={key.error} title="Could not load the key" />
      {key.data && can('keys:write') && <KeyActions keyView={key.data.key} />}
      {key.data && <KeyDetails detail={key.data} />}
    </Drawer>
  );
}

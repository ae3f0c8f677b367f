import { Alert, Button, Code, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ErrorAlert } from '../ui/ErrorAlert.js';
import { useSubscribe } from './queries.js';
import type { CreatedSubscription } from './types.js';

/** Subscribes a webhook; the signing secret is shown here once and never again. */
export function SubscribeModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const subscribe = useSubscribe();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('*');
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<CreatedSubscription | null>(null);

  const close = () => {
    subscribe.reset();
    setUrl('');
    setEvents('*');
    setDescription('');
    setCreated(null);
    onClose();
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    subscribe.mutate(
      {
        url: url.trim(),
        eventTypes: events
          .split(',')
          .map((value) => value.trim())
          .filter(Boolean),
        ...(description.trim() ? { description: description.trim() } : {}),
      },
      { onSuccess: setCreated },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title="Add webhook" closeButtonProps={{ 'aria-label': 'Close' }}>
      {created ? (
        <Stack>
          <Alert color="yellow" variant="light" title="Signing secret (shown once)">
            Store it now: deliveries carry a webhook-signature header, an HMAC-SHA256 under this secret of
            “webhook-id.webhook-timestamp.body” (Standard Webhooks).
          </Alert>
          <Code block data-testid="webhook-secret">
            {created.secret}
          </Code>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} aria-label="Add webhook">
          <Stack>
            <TextInput label="URL" required value={url} onChange={(e) => setUrl(e.currentTarget.value)} />
            <TextInput
              label="Event types"
              description="comma-separated: a type, a prefix ending in .*, or *"
              required
              value={events}
              onChange={(e) => setEvents(e.currentTarget.value)}
            />
            <TextInput
              label="Description (optional)"
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
            />
            <ErrorAlert error={subscribe.error} title="Webhook not added" />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={subscribe.isPending}>
                Add
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

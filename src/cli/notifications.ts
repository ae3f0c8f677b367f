import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { callServer } from './api-client.js';
import { printJson, printTable, writeOut } from './output.js';

interface Listed {
  id: string;
  type: string;
  severity: string;
  subject: string;
  participantId: string | null;
  createdAt: string;
  deliveries: { pending: number; delivered: number; dead: number; cancelled: number };
}

interface SubscriptionView {
  id: string;
  url: string;
  eventTypes: string[];
  participantId: string | null;
  createdAt: string;
}

const ID = (prefix: string) => new RegExp(`^${prefix}_[a-z2-7]{16}$`);
const checked = (value: string, prefix: string, what: string): string => {
  if (!ID(prefix).test(value))
    throw new TrustloopError('ERR_VALIDATION', `${what} must look like ${prefix}_ followed by 16 characters`);
  return value;
};

/** `trustloop notifications …`: the outbox and its webhook subscriptions, through the running server. */
export function notificationCommands(program: Command): void {
  const notifications = program
    .command('notifications')
    .description('notifications and webhook subscriptions (through the running server)');

  notifications
    .command('list')
    .description('notifications, newest first, with their delivery counts')
    .option('--type <type>', 'a type, a prefix ending in .*, or *')
    .option('--severity <severity>', 'info, warning or critical')
    .option('--participant <fspId>', 'only this participant')
    .option('--status <status>', 'only those with a delivery in this status (pending, delivered, dead, cancelled)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const query = new URLSearchParams({ limit: String(o.limit) });
      if (o.type) query.set('type', String(o.type));
      if (o.severity) query.set('severity', String(o.severity));
      if (o.participant) query.set('participantId', String(o.participant));
      if (o.status) query.set('deliveryStatus', String(o.status));
      const { items } = await callServer<{ items: Listed[] }>('GET', `/api/v1/notifications?${query}`);
      if (o.json) return printJson(items);
      printTable(
        items.map((n) => ({
          ...n,
          participant: n.participantId,
          delivered: n.deliveries.delivered,
          pending: n.deliveries.pending,
          dead: n.deliveries.dead,
        })),
        ['id', 'createdAt', 'severity', 'type', 'participant', 'delivered', 'pending', 'dead', 'subject'],
      );
    });

  notifications
    .command('subscribe')
    .description('send matching notifications to a webhook; prints its signing secret once')
    .requiredOption('--url <url>', 'http(s) URL that receives signed POSTs')
    .requiredOption('--events <types...>', 'notification types, prefixes ending in .*, or *')
    .option('--participant <fspId>', "only this participant's notifications (hub callers)")
    .option('--description <text>', 'what the webhook is for')
    .option('--json', 'machine-readable output')
    .action(
      async (o: { url: string; events: string[]; participant?: string; description?: string; json?: boolean }) => {
        const created = await callServer<{ subscription: SubscriptionView; secret: string }>(
          'POST',
          '/api/v1/notifications/subscriptions',
          {
            url: o.url,
            eventTypes: o.events,
            ...(o.participant ? { participantId: o.participant } : {}),
            ...(o.description ? { description: o.description } : {}),
          },
        );
        if (o.json) return printJson(created);
        writeOut(`subscribed ${created.subscription.id} to ${created.subscription.eventTypes.join(', ')}`);
        writeOut(`signing secret (shown once; verify webhook-signature with it): ${created.secret}`);
      },
    );

  notifications
    .command('subscriptions')
    .description('webhook subscriptions (never their secrets)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const { items } = await callServer<{ items: SubscriptionView[] }>('GET', '/api/v1/notifications/subscriptions');
      if (o.json) return printJson(items);
      printTable(
        items.map((s) => ({ ...s, events: s.eventTypes.join(','), participant: s.participantId })),
        ['id', 'url', 'events', 'participant', 'createdAt'],
      );
    });

  notifications
    .command('unsubscribe <subscriptionId>')
    .description('delete a webhook subscription; its pending deliveries are cancelled')
    .action(async (id: string) => {
      await callServer('DELETE', `/api/v1/notifications/subscriptions/${checked(id, 'whk', 'subscriptionId')}`);
      writeOut(`deleted ${id}`);
    });

  notifications
    .command('redeliver <deliveryId>')
    .description('queue a dead-lettered or delivered delivery again')
    .action(async (id: string) => {
      await callServer('POST', `/api/v1/notifications/deliveries/${checked(id, 'dlv', 'deliveryId')}/redeliver`);
      writeOut(`queued ${id} again`);
    });
}

import { Type, type Static } from 'typebox';
import { literals, Nullable } from '../core/schema.js';
import { FspId } from '../participants/schemas.js';

/**
 * Every notification type Trustloop emits. Subscriptions filter on these (exactly, by a
 * `prefix.*` pattern, or `*`), and a filter that matches none of them is refused as a typo.
 */
export const NOTIFICATION_TYPES = [
  'controls.collector.failed',
  'pki.certificate.expiring',
  'pki.crl.expiring',
  'iam.access-review.completed',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'cancelled'] as const;

const Time = Type.String({ format: 'date-time' });
const NotificationId = Type.String({ pattern: '^ntf_[a-z2-7]{16}$' });
const SubscriptionId = Type.String({ pattern: '^whk_[a-z2-7]{16}$' });
const DeliveryId = Type.String({ pattern: '^dlv_[a-z2-7]{16}$' });

/** `controls.collector.failed`, `pki.*` or `*`. */
export const EventTypeFilter = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^(\\*|[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*(\\.\\*)?)$',
  description: 'a notification type, a prefix ending in `.*`, or `*` for every type',
});

export const DeliverySummary = Type.Object(
  {
    pending: Type.Integer(),
    delivered: Type.Integer(),
    dead: Type.Integer(),
    cancelled: Type.Integer(),
  },
  { additionalProperties: false },
);

export const Notification = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    severity: literals(SEVERITIES),
    subject: Type.String(),
    participantId: Nullable(Type.String()),
    payload: Type.Record(Type.String(), Type.Unknown()),
    createdAt: Time,
    deliveries: DeliverySummary,
  },
  { additionalProperties: false },
);
export type Notification = Static<typeof Notification>;

export const NotificationQuery = Type.Object(
  {
    type: Type.Optional(EventTypeFilter),
    severity: Type.Optional(literals(SEVERITIES)),
    participantId: Type.Optional(FspId),
    deliveryStatus: Type.Optional(literals(DELIVERY_STATUSES)),
    since: Type.Optional(Time),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type NotificationQuery = Static<typeof NotificationQuery>;

export const NotificationList = Type.Object(
  { items: Type.Array(Notification), total: Type.Integer() },
  { additionalProperties: false },
);

export const Attempt = Type.Object(
  {
    number: Type.Integer(),
    at: Time,
    durationMs: Type.Integer(),
    statusCode: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
    outcome: literals(['delivered', 'failed'] as const),
  },
  { additionalProperties: false },
);

export const Delivery = Type.Object(
  {
    id: Type.String(),
    subscriptionId: Type.String(),
    url: Type.String(),
    status: literals(DELIVERY_STATUSES),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Time),
    lastAttemptAt: Nullable(Time),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    deliveredAt: Nullable(Time),
    history: Type.Array(Attempt),
  },
  { additionalProperties: false },
);
export type Delivery = Static<typeof Delivery>;

export const NotificationDetail = Type.Object(
  { notification: Notification, deliveries: Type.Array(Delivery) },
  { additionalProperties: false },
);

export const NotificationParams = Type.Object({ id: NotificationId }, { additionalProperties: false });
export const DeliveryParams = Type.Object({ id: DeliveryId }, { additionalProperties: false });
export const SubscriptionParams = Type.Object({ id: SubscriptionId }, { additionalProperties: false });

export const Subscription = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    eventTypes: Type.Array(Type.String()),
    participantId: Nullable(Type.String()),
    description: Nullable(Type.String()),
    secretPreview: Type.String({ description: 'redacted; the secret is shown once, at creation' }),
    createdAt: Time,
    createdBy: Type.String(),
  },
  { additionalProperties: false },
);
export type Subscription = Static<typeof Subscription>;

export const CreateSubscription = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2048, description: 'http(s) URL without credentials' }),
    eventTypes: Type.Array(EventTypeFilter, { minItems: 1, maxItems: 20, uniqueItems: true }),
    participantId: Type.Optional(FspId),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })),
  },
  { additionalProperties: false },
);
export type CreateSubscription = Static<typeof CreateSubscription>;

export const CreatedSubscription = Type.Object(
  {
    subscription: Subscription,
    secret: Type.String({
      description:
        'whsec_ + base64 of the HMAC-SHA256 key (Standard Webhooks); shown once: deliveries carry webhook-signature v1,<base64 HMAC of "id.timestamp.body">',
    }),
  },
  { additionalProperties: false },
);

export const SubscriptionList = Type.Object({ items: Type.Array(Subscription) }, { additionalProperties: false });

export const Requeued = Type.Object(
  { id: Type.String(), status: Type.Literal('pending') },
  { additionalProperties: false },
);

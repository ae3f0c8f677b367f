import { randomBytes } from 'node:crypto';
import type { AuditService } from '../audit/service.js';
import { redactDetails } from '../audit/redact.js';
import { isoNow, systemClock, type Clock } from '../core/clock.js';
import { scopeOf, type RequestContext } from '../core/context.js';
import type { Database, Tx } from '../core/db/database.js';
import type { DeliveryStatus, NotificationSeverity } from '../core/db/schema.js';
import { isForeignKeyViolation } from '../core/db/violations.js';
import { TrustloopError, invalid, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { KeyService } from '../cpm/keys/service.js';
import type { CryptoService } from '../cpm/ops/service.js';
import {
  NOTIFICATION_TYPES,
  type CreateSubscription,
  type Delivery,
  type Notification,
  type NotificationQuery,
  type NotificationType,
  type Subscription,
} from './schemas.js';
import { SecretSeal } from './sealing.js';
import {
  attemptsOf,
  cancelPending,
  deliveriesOf,
  deliveryCounts,
  findDelivery,
  findNotification,
  findSubscription,
  insertDeliveries,
  insertNotification,
  insertSubscription,
  listNotifications,
  listSubscriptions,
  markSubscriptionDeleted,
  requeueDelivery,
  type NotificationRow,
  type SubscriptionRow,
} from './store.js';
import { checkWebhookUrl } from './webhook-url.js';

/** What a producer hands the outbox. The payload must not carry secrets; secret-like keys are dropped anyway. */
export interface NotificationInput {
  type: NotificationType;
  severity: NotificationSeverity;
  subject: string;
  participantId: string | null;
  payload: Record<string, unknown>;
}

/** A webhook body stays small: larger payloads are replaced by a marker naming their size. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
const MAX_SUBJECT = 200;
const SECRET_PREFIX = 'whsec_';

/** Does a subscription filter (`type`, `prefix.*`, `*`) select this type? */
export function filterMatches(filter: string, type: string): boolean {
  if (filter === '*') return true;
  if (filter.endsWith('.*')) return type.startsWith(filter.slice(0, -1));
  return filter === type;
}

/**
 * The transactional outbox. Producers call `emit` inside the transaction of the change that
 * causes the notification, so both commit or neither does; one delivery per matching webhook
 * subscription is queued in the same transaction, and the dispatcher sends them later.
 */
export class NotificationService {
  readonly seal: SecretSeal;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    keys: KeyService,
    crypto: CryptoService,
    private readonly allowPrivateNetworks: boolean,
    private readonly clock: Clock = systemClock,
  ) {
    this.seal = new SecretSeal(keys, crypto);
  }

  /** Writes a notification and its deliveries inside `tx`, audited there too; returns its id. */
  async emit(tx: Tx, ctx: RequestContext, input: NotificationInput): Promise<string> {
    const row: NotificationRow = {
      id: newId('ntf'),
      type: input.type,
      severity: input.severity,
      subject: input.subject.length > MAX_SUBJECT ? `${input.subject.slice(0, MAX_SUBJECT - 1)}…` : input.subject,
      participant_id: input.participantId,
      payload: boundedPayload(input.payload),
      created_at: isoNow(this.clock),
    };
    await insertNotification(tx, row);
    const subscribers = (await listSubscriptions(tx, { kind: 'all' })).filter(
      (sub) =>
        (sub.participant_id === null || sub.participant_id === row.participant_id) &&
        (JSON.parse(sub.event_types) as string[]).some((filter) => filterMatches(filter, row.type)),
    );
    await insertDeliveries(
      tx,
      subscribers.map((sub) => ({
        id: newId('dlv'),
        notification_id: row.id,
        subscription_id: sub.id,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: row.created_at,
        last_attempt_at: null,
        last_status_code: null,
        last_error: null,
        delivered_at: null,
        created_at: row.created_at,
      })),
    );
    await this.audit.append(tx, ctx, {
      action: 'notification.emit',
      resource: { type: 'notification', id: row.id },
      participantId: row.participant_id,
      details: { type: row.type, severity: row.severity, deliveries: subscribers.map((sub) => sub.id) },
    });
    return row.id;
  }

  async list(ctx: RequestContext, query: NotificationQuery): Promise<{ items: Notification[]; total: number }> {
    const scope = scopeOf(ctx.actor);
    const type = query.type;
    const { rows, total } = await listNotifications(this.database.db, scope, {
      type:
        type === undefined || type === '*'
          ? undefined
          : type.endsWith('.*')
            ? { prefix: type.slice(0, -1) }
            : { exact: type },
      severity: query.severity,
      participantId: query.participantId,
      deliveryStatus: query.deliveryStatus,
      since: query.since,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    const counts = await deliveryCounts(
      this.database.db,
      scope,
      rows.map((row) => row.id),
    );
    return {
      items: rows.map((row) =>
        toNotification(
          row,
          counts.filter((c) => c.notification_id === row.id),
        ),
      ),
      total,
    };
  }

  async get(ctx: RequestContext, id: string): Promise<{ notification: Notification; deliveries: Delivery[] }> {
    const scope = scopeOf(ctx.actor);
    const row = await findNotification(this.database.db, scope, id);
    if (!row) throw notFound('notification', id);
    const deliveries = await deliveriesOf(this.database.db, scope, id);
    const attempts = await attemptsOf(
      this.database.db,
      deliveries.map((d) => d.id),
    );
    const counts = await deliveryCounts(this.database.db, scope, [id]);
    return {
      notification: toNotification(row, counts),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        subscriptionId: d.subscription_id,
        url: d.url,
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.status === 'pending' ? d.next_attempt_at : null,
        lastAttemptAt: d.last_attempt_at,
        lastStatusCode: d.last_status_code,
        lastError: d.last_error,
        deliveredAt: d.delivered_at,
        history: attempts
          .filter((a) => a.delivery_id === d.id)
          .map((a) => ({
            number: a.number,
            at: a.at,
            durationMs: a.duration_ms,
            statusCode: a.status_code,
            error: a.error,
            outcome: a.outcome,
          })),
      })),
    };
  }

  async subscriptions(ctx: RequestContext): Promise<Subscription[]> {
    return (await listSubscriptions(this.database.db, scopeOf(ctx.actor))).map(toSubscription);
  }

  /**
   * Creates a webhook subscription and returns its signing secret, once. A participant subscribes
   * for its own notifications only; a hub subscription without a participant gets every one.
   */
  async subscribe(
    ctx: RequestContext,
    input: CreateSubscription,
  ): Promise<{ subscription: Subscription; secret: string }> {
    const url = checkWebhookUrl(input.url, this.allowPrivateNetworks).href;
    for (const filter of input.eventTypes) {
      if (!NOTIFICATION_TYPES.some((type) => filterMatches(filter, type)))
        throw invalid('eventTypes', `'${filter}' matches no notification type (${NOTIFICATION_TYPES.join(', ')})`);
    }
    const scope = scopeOf(ctx.actor);
    if (
      scope.kind === 'participant' &&
      input.participantId !== undefined &&
      input.participantId !== scope.participantId
    )
      throw new TrustloopError('ERR_FORBIDDEN', 'a participant subscribes to its own notifications only');
    const participantId = scope.kind === 'participant' ? scope.participantId : (input.participantId ?? null);
    if (participantId !== null && !(await this.participantExists(participantId)))
      throw invalid('participantId', 'no such participant');
    const id = newId('whk');
    const secret = randomBytes(32);
    const { keyId, sealed } = await this.seal.seal(ctx, id, secret);
    const row: SubscriptionRow = {
      id,
      url,
      event_types: JSON.stringify(input.eventTypes),
      participant_id: participantId,
      description: input.description ?? null,
      secret_key_id: keyId,
      secret_sealed: sealed,
      created_at: isoNow(this.clock),
      created_by: ctx.actor.id,
      deleted_at: null,
      deleted_by: null,
    };
    try {
      await this.database.transaction(async (tx) => {
        await insertSubscription(tx, row);
        await this.audit.append(tx, ctx, {
          action: 'notification.subscription.create',
          resource: { type: 'notification-subscription', id },
          participantId,
          details: { url: redactUrl(url), eventTypes: input.eventTypes },
        });
      });
    } catch (error) {
      this.seal.forget(id);
      if (isForeignKeyViolation(error)) throw invalid('participantId', 'no such participant');
      throw error;
    }
    return { subscription: toSubscription(row), secret: `${SECRET_PREFIX}${secret.toString('base64')}` };
  }

  /** Ends a subscription; its pending deliveries are cancelled, its history kept. */
  async unsubscribe(ctx: RequestContext, id: string): Promise<Subscription> {
    const scope = scopeOf(ctx.actor);
    const row = await findSubscription(this.database.db, scope, id);
    if (!row) throw notFound('subscription', id);
    const now = isoNow(this.clock);
    await this.database.transaction(async (tx) => {
      if (!(await markSubscriptionDeleted(tx, id, now, ctx.actor.id))) throw notFound('subscription', id);
      const cancelled = await cancelPending(tx, id);
      await this.audit.append(tx, ctx, {
        action: 'notification.subscription.delete',
        resource: { type: 'notification-subscription', id },
        participantId: row.participant_id,
        details: { cancelledDeliveries: cancelled },
      });
    });
    this.seal.forget(id);
    return toSubscription(row);
  }

  /** Queues a delivered or dead-lettered delivery again, from a fresh attempt count. */
  async redeliver(ctx: RequestContext, deliveryId: string): Promise<{ id: string; status: 'pending' }> {
    const scope = scopeOf(ctx.actor);
    const row = await findDelivery(this.database.db, scope, deliveryId);
    if (!row) throw notFound('delivery', deliveryId);
    const subscription = await findSubscription(this.database.db, scope, row.subscription_id);
    if (!subscription)
      throw new TrustloopError('ERR_CONFLICT', `the subscription of delivery '${deliveryId}' has been deleted`);
    await this.database.transaction(async (tx) => {
      if (!(await requeueDelivery(tx, deliveryId, isoNow(this.clock))))
        throw new TrustloopError('ERR_CONFLICT', `delivery '${deliveryId}' is ${row.status}: nothing to redeliver`);
      await this.audit.append(tx, ctx, {
        action: 'notification.redeliver',
        resource: { type: 'notification-delivery', id: deliveryId },
        participantId: subscription.participant_id,
        details: { notificationId: row.notification_id, previousStatus: row.status },
      });
    });
    return { id: deliveryId, status: 'pending' };
  }

  private async participantExists(id: string): Promise<boolean> {
    const row = await this.database.db.selectFrom('participants').select('id').where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }
}

function boundedPayload(payload: Record<string, unknown>): string {
  const json = JSON.stringify(redactDetails(payload));
  const bytes = Buffer.byteLength(json);
  return bytes <= MAX_PAYLOAD_BYTES ? json : JSON.stringify({ truncated: true, bytes });
}

/** The audit trail keeps where a webhook points, not its query string (which may carry a key). */
const redactUrl = (href: string): string => {
  const url = new URL(href);
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
};

const toNotification = (
  row: NotificationRow,
  counts: { status: DeliveryStatus; count: number | string }[],
): Notification => {
  const deliveries = { pending: 0, delivered: 0, dead: 0, cancelled: 0 };
  for (const c of counts) deliveries[c.status] += Number(c.count);
  return {
    id: row.id,
    type: row.type,
    severity: row.severity,
    subject: row.subject,
    participantId: row.participant_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    createdAt: row.created_at,
    deliveries,
  };
};

const toSubscription = (row: SubscriptionRow): Subscription => ({
  id: row.id,
  url: row.url,
  eventTypes: JSON.parse(row.event_types) as string[],
  participantId: row.participant_id,
  description: row.description,
  secretPreview: `${SECRET_PREFIX}…`,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

import type { Kysely } from 'kysely';
import type { Scope } from '../core/context.js';
import type { Tx } from '../core/db/database.js';
import type {
  DB,
  DeliveryStatus,
  NotificationAttemptsTable,
  NotificationDeliveriesTable,
  NotificationsTable,
  NotificationSubscriptionsTable,
} from '../core/db/schema.js';

export type NotificationRow = NotificationsTable;
export type SubscriptionRow = NotificationSubscriptionsTable;
export type DeliveryRow = NotificationDeliveriesTable;
export type AttemptRow = NotificationAttemptsTable;

/** A participant-scoped caller matches only rows of its own participant; hub-wide rows stay hidden. */
const own = (scope: Scope): string | undefined => (scope.kind === 'participant' ? scope.participantId : undefined);

export async function insertNotification(tx: Tx, row: NotificationRow): Promise<void> {
  await tx.insertInto('notifications').values(row).execute();
}

export async function insertDeliveries(tx: Tx, rows: DeliveryRow[]): Promise<void> {
  if (rows.length > 0) await tx.insertInto('notification_deliveries').values(rows).execute();
}

export interface NotificationFilter {
  type?: { exact: string } | { prefix: string } | undefined;
  severity?: string | undefined;
  participantId?: string | undefined;
  deliveryStatus?: DeliveryStatus | undefined;
  since?: string | undefined;
  limit: number;
  offset: number;
}

export async function listNotifications(
  db: Kysely<DB>,
  scope: Scope,
  filter: NotificationFilter,
): Promise<{ rows: NotificationRow[]; total: number }> {
  const mine = own(scope);
  let query = db.selectFrom('notifications').$if(mine !== undefined, (q) => q.where('participant_id', '=', mine!));
  if (filter.type && 'exact' in filter.type) query = query.where('type', '=', filter.type.exact);
  if (filter.type && 'prefix' in filter.type) query = query.where('type', 'like', `${filter.type.prefix}%`);
  if (filter.severity !== undefined)
    query = query.where('severity', '=', filter.severity as NotificationRow['severity']);
  if (filter.participantId !== undefined) query = query.where('participant_id', '=', filter.participantId);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.deliveryStatus !== undefined) {
    const status = filter.deliveryStatus;
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('notification_deliveries')
          .innerJoin(
            'notification_subscriptions',
            'notification_subscriptions.id',
            'notification_deliveries.subscription_id',
          )
          .select('notification_deliveries.id')
          .whereRef('notification_deliveries.notification_id', '=', 'notifications.id')
          .where('notification_deliveries.status', '=', status)
          .$if(mine !== undefined, (q) => q.where('notification_subscriptions.participant_id', '=', mine!)),
      ),
    );
  }
  const rows = await query
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  const { total } = await query.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow();
  return { rows, total: Number(total) };
}

export async function findNotification(db: Kysely<DB>, scope: Scope, id: string): Promise<NotificationRow | undefined> {
  const mine = own(scope);
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .$if(mine !== undefined, (q) => q.where('participant_id', '=', mine!))
    .executeTakeFirst();
}

/**
 * Delivery counts per status for each notification, over the subscriptions the caller may see (a
 * participant does not learn where the hub's own webhooks point, nor how many there are).
 */
export async function deliveryCounts(
  db: Kysely<DB>,
  scope: Scope,
  notificationIds: string[],
): Promise<{ notification_id: string; status: DeliveryStatus; count: number | string }[]> {
  if (notificationIds.length === 0) return [];
  const mine = own(scope);
  return db
    .selectFrom('notification_deliveries')
    .innerJoin('notification_subscriptions', 'notification_subscriptions.id', 'notification_deliveries.subscription_id')
    .select([
      'notification_deliveries.notification_id',
      'notification_deliveries.status',
      (eb) => eb.fn.countAll<number | string>().as('count'),
    ])
    .where('notification_deliveries.notification_id', 'in', notificationIds)
    .$if(mine !== undefined, (q) => q.where('notification_subscriptions.participant_id', '=', mine!))
    .groupBy(['notification_deliveries.notification_id', 'notification_deliveries.status'])
    .execute();
}

export async function deliveriesOf(
  db: Kysely<DB>,
  scope: Scope,
  notificationId: string,
): Promise<(DeliveryRow & { url: string })[]> {
  const mine = own(scope);
  return db
    .selectFrom('notification_deliveries')
    .innerJoin('notification_subscriptions', 'notification_subscriptions.id', 'notification_deliveries.subscription_id')
    .selectAll('notification_deliveries')
    .select('notification_subscriptions.url')
    .where('notification_deliveries.notification_id', '=', notificationId)
    .$if(mine !== undefined, (q) => q.where('notification_subscriptions.participant_id', '=', mine!))
    .orderBy('notification_deliveries.created_at')
    .orderBy('notification_deliveries.id')
    .execute();
}

export async function attemptsOf(db: Kysely<DB>, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom('notification_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('delivery_id')
    .orderBy('number')
    .execute();
}

export async function insertSubscription(tx: Tx, row: SubscriptionRow): Promise<void> {
  await tx.insertInto('notification_subscriptions').values(row).execute();
}

/** Live subscriptions the caller may see; hub callers see all, a participant its own. */
export async function listSubscriptions(db: Kysely<DB>, scope: Scope): Promise<SubscriptionRow[]> {
  const mine = own(scope);
  return db
    .selectFrom('notification_subscriptions')
    .selectAll()
    .where('deleted_at', 'is', null)
    .$if(mine !== undefined, (q) => q.where('participant_id', '=', mine!))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findSubscription(db: Kysely<DB>, scope: Scope, id: string): Promise<SubscriptionRow | undefined> {
  const mine = own(scope);
  return db
    .selectFrom('notification_subscriptions')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .$if(mine !== undefined, (q) => q.where('participant_id', '=', mine!))
    .executeTakeFirst();
}

export async function markSubscriptionDeleted(tx: Tx, id: string, at: string, by: string): Promise<boolean> {
  const result = await tx
    .updateTable('notification_subscriptions')
    .set({ deleted_at: at, deleted_by: by })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function cancelPending(tx: Tx, subscriptionId: string): Promise<number> {
  const result = await tx
    .updateTable('notification_deliveries')
    .set({ status: 'cancelled' })
    .where('subscription_id', '=', subscriptionId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type DueDelivery = DeliveryRow & {
  url: string;
  secret_key_id: string;
  secret_sealed: string;
};

export async function dueDeliveries(db: Kysely<DB>, now: string, limit: number): Promise<DueDelivery[]> {
  return db
    .selectFrom('notification_deliveries')
    .innerJoin('notification_subscriptions', 'notification_subscriptions.id', 'notification_deliveries.subscription_id')
    .selectAll('notification_deliveries')
    .select([
      'notification_subscriptions.url',
      'notification_subscriptions.secret_key_id',
      'notification_subscriptions.secret_sealed',
    ])
    .where('notification_deliveries.status', '=', 'pending')
    .where('notification_deliveries.next_attempt_at', '<=', now)
    .orderBy('notification_deliveries.next_attempt_at')
    .limit(limit)
    .execute();
}

/**
 * Takes a due delivery for one attempt by pushing its next attempt past the lease: another
 * instance reading the same row sees it moved and leaves it alone.
 */
export async function claimDelivery(tx: Tx, row: DeliveryRow, leaseUntil: string): Promise<boolean> {
  const result = await tx
    .updateTable('notification_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('id', '=', row.id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', row.next_attempt_at)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function recordAttempt(
  tx: Tx,
  id: string,
  attempt: AttemptRow,
  changes: Partial<Omit<DeliveryRow, 'id'>>,
): Promise<void> {
  await tx.insertInto('notification_attempts').values(attempt).execute();
  await tx.updateTable('notification_deliveries').set(changes).where('id', '=', id).execute();
}

export async function attemptCount(tx: Tx, deliveryId: string): Promise<number> {
  const { count } = await tx
    .selectFrom('notification_attempts')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('delivery_id', '=', deliveryId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** A delivery the caller may act on: through a notification of its own participant. */
export async function findDelivery(db: Kysely<DB>, scope: Scope, id: string): Promise<DeliveryRow | undefined> {
  const mine = own(scope);
  return db
    .selectFrom('notification_deliveries')
    .innerJoin('notification_subscriptions', 'notification_subscriptions.id', 'notification_deliveries.subscription_id')
    .selectAll('notification_deliveries')
    .where('notification_deliveries.id', '=', id)
    .$if(mine !== undefined, (q) => q.where('notification_subscriptions.participant_id', '=', mine!))
    .executeTakeFirst();
}

export async function requeueDelivery(tx: Tx, id: string, now: string): Promise<boolean> {
  const result = await tx
    .updateTable('notification_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now })
    .where('id', '=', id)
    .where('status', 'in', ['dead', 'delivered'])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

import { sql, type Kysely } from 'kysely';

/**
 * The notification outbox: notifications written in the transaction of the change that causes
 * them, webhook subscriptions with sealed signing secrets, one delivery per notification and
 * subscription, and every delivery attempt. Access reviews (PCI DSS 7.2.4): a snapshot of every
 * live token and its role, and a decision per entry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull().check(sql`severity in ('info', 'warning', 'critical')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.references('participants.id'))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_created').on('notifications').columns(['created_at', 'id']).execute();
  await db.schema
    .createIndex('notifications_participant')
    .on('notifications')
    .columns(['participant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('notification_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('event_types', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text', (c) => c.references('participants.id'))
    .addColumn('description', 'text')
    // The signing secret, encrypted by a CPM key with the subscription id as associated data.
    .addColumn('secret_key_id', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('deleted_by', 'text')
    .execute();

  await db.schema
    .createTable('notification_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id'))
    .addColumn('subscription_id', 'text', (c) => c.notNull().references('notification_subscriptions.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'dead', 'cancelled')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('notification_deliveries_once', ['notification_id', 'subscription_id'])
    .execute();
  await db.schema
    .createIndex('notification_deliveries_due')
    .on('notification_deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('notification_attempts')
    .addColumn('delivery_id', 'text', (c) => c.notNull().references('notification_deliveries.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('delivered', 'failed')`))
    .addPrimaryKeyConstraint('notification_attempts_pk', ['delivery_id', 'number'])
    .execute();

  // The expiry watch's smallest threshold (days) already announced for a certificate.
  await db.schema.alterTable('pki_certificates').addColumn('expiry_warned_days', 'integer').execute();

  await db.schema
    .createTable('access_reviews')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'completed')`))
    .addColumn('note', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('completed_by', 'text')
    .execute();
  // One review open at a time: a second would split the decisions between two snapshots.
  await sql`create unique index access_reviews_one_open on access_reviews (status) where status = 'open'`.execute(db);
  await db.schema.createIndex('access_reviews_completed').on('access_reviews').column('completed_at').execute();

  await db.schema
    .createTable('access_review_entries')
    .addColumn('review_id', 'text', (c) => c.notNull().references('access_reviews.id'))
    .addColumn('token_id', 'text', (c) => c.notNull().references('api_tokens.id'))
    .addColumn('token_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('participant_id', 'text')
    .addColumn('token_created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('decision', 'text', (c) => c.check(sql`decision in ('keep', 'revoke')`))
    .addColumn('reason', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addPrimaryKeyConstraint('access_review_entries_pk', ['review_id', 'token_id'])
    .execute();
}

import type { AuditService } from '../audit/service.js';
import { systemClock, type Clock } from '../core/clock.js';
import { systemContext } from '../core/context.js';
import type { Database } from '../core/db/database.js';
import { isTrustloopError } from '../core/errors.js';
import type { SecretSeal } from './sealing.js';
import { postWebhook, signatureHeaders, type SendOutcome } from './send.js';
import {
  attemptCount,
  claimDelivery,
  dueDeliveries,
  findNotification,
  recordAttempt,
  type DueDelivery,
  type NotificationRow,
} from './store.js';

export interface DispatchOptions {
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
  /** Delay after the first failure; doubled after each further one, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Bound on one POST: connection, request and answer together. */
  timeoutMs: number;
  /** Deliveries taken per run, and how many are in flight at once. */
  batch: number;
  concurrency: number;
  allowPrivateNetworks: boolean;
}

export const DEFAULT_DISPATCH: Omit<DispatchOptions, 'allowPrivateNetworks'> = {
  maxAttempts: 8,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  timeoutMs: 10_000,
  batch: 100,
  concurrency: 8,
};

export interface DispatchReport {
  delivered: number;
  failed: number;
  deadLettered: number;
  skipped?: string;
}

/** Delay before attempt `failures + 1`: exponential from the base, capped, with up to 20 % jitter. */
export function backoffMs(failures: number, options: Pick<DispatchOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  const plain = Math.min(options.baseDelayMs * 2 ** Math.max(0, failures - 1), options.maxDelayMs);
  return Math.round(plain * (0.8 + Math.random() * 0.2));
}

/**
 * Sends due webhook deliveries: one signed POST each, every attempt recorded and audited, a
 * failure retried with backoff until `maxAttempts`, then dead-lettered (and audited as such).
 */
export class Dispatcher {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly seal: SecretSeal,
    private readonly sealed: () => boolean,
    private readonly options: DispatchOptions,
    private readonly clock: Clock = systemClock,
  ) {}

  async run(): Promise<DispatchReport> {
    const report: DispatchReport = { delivered: 0, failed: 0, deadLettered: 0 };
    // Secrets open through the CPM: with the keystore sealed, deliveries wait rather than fail.
    if (this.sealed()) return { ...report, skipped: 'keystore sealed' };
    const due = await dueDeliveries(this.database.db, this.clock.now().toISOString(), this.options.batch);
    for (let i = 0; i < due.length; i += this.options.concurrency) {
      const outcomes = await Promise.all(due.slice(i, i + this.options.concurrency).map((row) => this.deliver(row)));
      for (const outcome of outcomes) if (outcome) report[outcome] += 1;
    }
    return report;
  }

  private async deliver(row: DueDelivery): Promise<keyof Omit<DispatchReport, 'skipped'> | null> {
    const lease = new Date(this.clock.now().getTime() + this.options.timeoutMs + 60_000).toISOString();
    if (!(await this.database.transaction((tx) => claimDelivery(tx, row, lease)))) return null;
    const notification = await findNotification(this.database.db, { kind: 'all' }, row.notification_id);
    const started = this.clock.now();
    const outcome = notification ? await this.send(row, notification) : { statusCode: null, error: 'gone' };
    const finished = this.clock.now();
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const attempts = row.attempts + 1;
    const dead = !ok && attempts >= this.options.maxAttempts;
    const at = finished.toISOString();
    const error = ok ? null : (outcome.error ?? `answered ${outcome.statusCode}`);
    await this.database.transaction(async (tx) => {
      const number = (await attemptCount(tx, row.id)) + 1;
      await recordAttempt(
        tx,
        row.id,
        {
          delivery_id: row.id,
          number,
          at,
          duration_ms: Math.max(0, finished.getTime() - started.getTime()),
          status_code: outcome.statusCode,
          error,
          outcome: ok ? 'delivered' : 'failed',
        },
        {
          status: ok ? 'delivered' : dead ? 'dead' : 'pending',
          attempts,
          last_attempt_at: at,
          last_status_code: outcome.statusCode,
          last_error: error,
          delivered_at: ok ? at : null,
          next_attempt_at:
            ok || dead ? at : new Date(finished.getTime() + backoffMs(attempts, this.options)).toISOString(),
        },
      );
      await this.audit.append(tx, systemContext(), {
        action: ok ? 'notification.delivered' : dead ? 'notification.dead-lettered' : 'notification.delivery.failed',
        resource: { type: 'notification-delivery', id: row.id },
        participantId: notification?.participant_id ?? null,
        outcome: ok ? 'success' : 'failure',
        details: {
          notificationId: row.notification_id,
          subscriptionId: row.subscription_id,
          attempt: attempts,
          statusCode: outcome.statusCode,
          error,
        },
      });
    });
    return ok ? 'delivered' : dead ? 'deadLettered' : 'failed';
  }

  private async send(row: DueDelivery, notification: NotificationRow): Promise<SendOutcome> {
    let key: Buffer;
    try {
      key = await this.seal.open(systemContext(), row.subscription_id, row.secret_key_id, row.secret_sealed);
    } catch (error) {
      return { statusCode: null, error: isTrustloopError(error) ? `signing secret: ${error.code}` : 'signing secret' };
    }
    const body = JSON.stringify({
      id: notification.id,
      type: notification.type,
      severity: notification.severity,
      subject: notification.subject,
      participantId: notification.participant_id,
      createdAt: notification.created_at,
      data: JSON.parse(notification.payload) as unknown,
    });
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    return postWebhook(row.url, body, signatureHeaders(notification.id, timestamp, body, key), {
      timeoutMs: this.options.timeoutMs,
      allowPrivate: this.options.allowPrivateNetworks,
    });
  }
}

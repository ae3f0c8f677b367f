import type { AuditService } from '../audit/service.js';
import { isoNow, systemClock, type Clock } from '../core/clock.js';
import { systemContext, type RequestContext } from '../core/context.js';
import type { Database, Tx } from '../core/db/database.js';
import { invalid, isTrustloopError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { KeyService } from '../cpm/keys/service.js';
import type { AccessReviewService } from '../iam/reviews/service.js';
import type { TokenService } from '../iam/tokens/service.js';
import type { NotificationService } from '../notifications/service.js';
import { unrevokedCertificates, type CertificateRow } from '../pki/store.js';
import { requirementUrn } from './catalog/model.js';
import type { EvidenceService, EvidenceView } from './evidence.js';
import type { ControlsService } from './service.js';
import { insertEvidence, type EvidenceRow } from './store.js';

const PCI = 'urn:trustloop:catalog:pci-dss:4.0.1';
const MOJALOOP = 'urn:trustloop:catalog:mojaloop-security:1.0';
const GDPR = 'urn:trustloop:catalog:gdpr:2016-679';

/** Automated evidence stays valid for a day: a collector that stops running stops vouching. */
export const AUTOMATED_VALIDITY_MS = 24 * 60 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

interface Finding {
  participantId: string;
  result: 'pass' | 'fail';
  summary: string;
  data: Record<string, unknown>;
}

interface Collector {
  id: string;
  title: string;
  backs: string[];
  collect(hubId: string): Promise<Finding[]>;
}

/**
 * Collectors read the live system and record dated evidence. A failure turns the requirements the
 * collector backs non-compliant in every open assessment of that scope, with an audit event, and
 * a collector that starts failing writes a `controls.collector.failed` notification with its record.
 */
export class CollectorService {
  private readonly collectors: Collector[];

  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly controls: ControlsService,
    private readonly evidence: EvidenceService,
    private readonly notifications: NotificationService,
    keys: KeyService,
    tokens: TokenService,
    reviews: AccessReviewService,
    private readonly clock: Clock = systemClock,
  ) {
    this.collectors = [
      keyRotationCollector(keys),
      auditChainCollector(database, audit),
      tokenHygieneCollector(tokens, clock),
      accessReviewCollector(reviews, tokens, clock),
      certificateCollector(database, clock),
    ];
  }

  list(): { id: string; title: string; backs: string[] }[] {
    return this.collectors.map(({ id, title, backs }) => ({ id, title, backs }));
  }

  /** The scheduled run: nothing to collect for until the hub is registered, which is not an error. */
  async runScheduled(ctx: RequestContext): Promise<EvidenceView[]> {
    return (await this.hubId()) === undefined ? [] : this.run(ctx);
  }

  /** Runs every collector (or one) now. */
  async run(ctx: RequestContext, only?: string): Promise<EvidenceView[]> {
    const chosen = only === undefined ? this.collectors : this.collectors.filter((collector) => collector.id === only);
    if (chosen.length === 0) throw invalid('collector', `no collector named '${only}'`);
    const hub = await this.hubId();
    if (hub === undefined) throw invalid('collector', 'the scheme has no hub registered yet');
    const out: EvidenceView[] = [];
    for (const collector of chosen) {
      const findings = await collectOrFail(collector, hub);
      for (const finding of findings) {
        const now = this.clock.now();
        const row: EvidenceRow = {
          id: newId('evd'),
          participant_id: finding.participantId,
          kind: 'automated',
          title: `${collector.title}: ${finding.summary}`,
          url: null,
          file_name: null,
          media_type: null,
          size_bytes: null,
          sha256: null,
          content: null,
          collector: collector.id,
          result: finding.result,
          data: JSON.stringify(finding.data),
          requirement_urns: JSON.stringify(collector.backs),
          created_at: now.toISOString(),
          created_by: ctx.actor.id,
          expires_at: new Date(now.getTime() + AUTOMATED_VALIDITY_MS).toISOString(),
        };
        await this.database.transaction(async (tx) => {
          const wasFailing = await lastResultWasFail(tx, collector.id, finding.participantId);
          await insertEvidence(tx, row);
          await this.audit.append(tx, ctx, {
            action: 'controls.collector.run',
            resource: { type: 'evidence', id: row.id },
            participantId: finding.participantId,
            outcome: finding.result === 'pass' ? 'success' : 'failure',
            details: { collector: collector.id, result: finding.result, summary: finding.summary },
          });
          // Announced when a collector starts failing, not on every hourly run that still fails.
          if (finding.result === 'fail' && !wasFailing)
            await this.notifications.emit(tx, ctx, {
              type: 'controls.collector.failed',
              severity: 'critical',
              subject: `${collector.title} failed for ${finding.participantId}: ${finding.summary}`,
              participantId: finding.participantId,
              payload: {
                collector: collector.id,
                evidenceId: row.id,
                requirements: collector.backs,
                summary: finding.summary,
                data: finding.data,
              },
            });
        });
        await this.controls.applyCollectorResult(
          finding.participantId,
          collector.id,
          collector.backs,
          finding.result,
          finding.summary,
        );
        out.push(this.evidence.view(row));
      }
    }
    return out;
  }

  private async hubId(): Promise<string | undefined> {
    const hub = await this.database.db
      .selectFrom('participants')
      .select('id')
      .where('kind', '=', 'hub')
      .executeTakeFirst();
    return hub?.id;
  }

  generatedAt(): string {
    return isoNow(this.clock);
  }
}

/**
 * A collector that cannot read the live system vouches for nothing: its crash is recorded as a
 * failure of the hub scope (by error code only, never the message), so the requirements it backs
 * turn non-compliant and the failure is announced like any other.
 */
async function collectOrFail(collector: Collector, hubId: string): Promise<Finding[]> {
  try {
    return await collector.collect(hubId);
  } catch (error) {
    const code = isTrustloopError(error) ? error.code : 'ERR_INTERNAL';
    return [{ participantId: hubId, result: 'fail', summary: `could not run (${code})`, data: { error: code } }];
  }
}

/** Whether the newest record of this collector for this participant, if any, was a failure. */
async function lastResultWasFail(tx: Tx, collector: string, participantId: string): Promise<boolean> {
  const last = await tx
    .selectFrom('controls_evidence')
    .select('result')
    .where('kind', '=', 'automated')
    .where('collector', '=', collector)
    .where('participant_id', '=', participantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last?.result === 'fail';
}

/** PCI DSS 3.6.1/3.7.1/3.7.4: every CPM key of a scope is at least 128-bit strong and rotated within its cryptoperiod. */
function keyRotationCollector(keys: KeyService): Collector {
  return {
    id: 'cpm.key-rotation',
    title: 'CPM key strength and rotation',
    backs: [
      requirementUrn(PCI, '3.6.1'),
      requirementUrn(PCI, '3.7.1'),
      requirementUrn(PCI, '3.7.4'),
      requirementUrn(MOJALOOP, 'PKI-11'),
    ],
    async collect(hubId) {
      const inventory = await keys.inventory(systemContext());
      const byOwner = new Map<string, typeof inventory.keys>();
      byOwner.set(hubId, []);
      for (const key of inventory.keys) {
        const owner = key.owner === 'hub' ? hubId : key.owner;
        byOwner.set(owner, [...(byOwner.get(owner) ?? []), key]);
      }
      return [...byOwner].map(([participantId, owned]) => {
        const overdue = owned.filter((key) => key.rotationCompliant === false).map((key) => key.name);
        const noPeriod = owned.filter((key) => key.rotationPeriodDays === null).map((key) => key.name);
        const weak = owned.filter((key) => key.strengthBits < 128).map((key) => key.name);
        const failing = overdue.length + noPeriod.length + weak.length;
        return {
          participantId,
          result: failing === 0 ? ('pass' as const) : ('fail' as const),
          summary:
            failing === 0
              ? `${owned.length} key(s), all rotated within their period and at least 128-bit`
              : `${overdue.length} overdue, ${noPeriod.length} without a rotation period, ${weak.length} below 128 bits`,
          data: {
            generatedAt: inventory.generatedAt,
            keys: owned.length,
            overdue,
            withoutRotationPeriod: noPeriod,
            weak,
          },
        };
      });
    },
  };
}

/**
 * PCI DSS 4.2.1, Mojaloop PKI-4: no certificate of the hub PKI that is still unrevoked has passed
 * its expiry, and none has a key below 128-bit strength. Revoked ones are out of use by definition.
 */
function certificateCollector(database: Database, clock: Clock): Collector {
  return {
    id: 'pki.certificates',
    title: 'Certificates in use: expiry and key strength',
    backs: [requirementUrn(PCI, '4.2.1'), requirementUrn(MOJALOOP, 'PKI-4')],
    async collect(hubId) {
      const now = isoNow(clock);
      const byOwner = new Map<string, CertificateRow[]>([[hubId, []]]);
      for (const row of await unrevokedCertificates(database.db)) {
        byOwner.set(row.participant_id, [...(byOwner.get(row.participant_id) ?? []), row]);
      }
      return [...byOwner].map(([participantId, rows]) => {
        const expired = rows.filter((row) => row.not_after <= now).map((row) => row.serial);
        const weak = rows.filter((row) => row.key_strength_bits < 128).map((row) => row.serial);
        const failing = expired.length + weak.length;
        return {
          participantId,
          result: failing === 0 ? ('pass' as const) : ('fail' as const),
          summary:
            failing === 0
              ? `${rows.length} certificate(s) in use, none expired, all keys at least 128-bit`
              : `${expired.length} expired but not revoked, ${weak.length} with keys below 128 bits`,
          data: { certificates: rows.length, expired, weak },
        };
      });
    },
  };
}

/** PCI DSS 10.2.1/10.3.2/10.3.4/10.5.1: the audit chain verifies now and is complete from its first event. */
function auditChainCollector(database: Database, audit: AuditService): Collector {
  return {
    id: 'audit.chain',
    title: 'Audit trail integrity and retention',
    backs: [
      requirementUrn(PCI, '10.2.1'),
      requirementUrn(PCI, '10.3.2'),
      requirementUrn(PCI, '10.3.4'),
      requirementUrn(PCI, '10.5.1'),
      requirementUrn(MOJALOOP, 'LOG-9'),
      requirementUrn(GDPR, '32'),
    ],
    async collect(hubId) {
      const verification = await audit.verify();
      const first = await database.db
        .selectFrom('audit_events')
        .select(['seq', 'time'])
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      // Retention: nothing may be cut from the start of the trail; the oldest event must be seq 1.
      const complete = first === undefined || Number(first.seq) === 1;
      const ok = verification.ok && complete;
      const retainedDays = first ? Math.floor((Date.parse(verification.verifiedAt) - Date.parse(first.time)) / DAY) : 0;
      return [
        {
          participantId: hubId,
          result: ok ? 'pass' : 'fail',
          summary: ok
            ? `chain of ${verification.checked} event(s) verified; complete since ${first?.time ?? 'now'} (${retainedDays} days)`
            : verification.ok
              ? `the trail no longer starts at sequence 1 (oldest is ${first!.seq})`
              : `chain broken at sequence ${verification.firstBadSeq}`,
          data: {
            verifiedAt: verification.verifiedAt,
            checked: verification.checked,
            firstBadSeq: verification.firstBadSeq,
            reason: verification.reason,
            oldestSeq: first ? Number(first.seq) : null,
            oldestEventAt: first?.time ?? null,
            retainedDays,
          },
        },
      ];
    },
  };
}

/** PCI DSS 8.2.6: no live API token of a scope has sat unused for 90 days or lives without an expiry. */
function tokenHygieneCollector(tokens: TokenService, clock: Clock): Collector {
  return {
    id: 'iam.token-hygiene',
    title: 'API token review',
    backs: [requirementUrn(PCI, '8.2.6')],
    async collect(hubId) {
      const now = clock.now().getTime();
      const live = (await tokens.list(false)).filter((token) => !token.expiresAt || Date.parse(token.expiresAt) > now);
      const byScope = new Map<string, typeof live>();
      byScope.set(hubId, []);
      for (const token of live) {
        const scope = token.participantId ?? hubId;
        byScope.set(scope, [...(byScope.get(scope) ?? []), token]);
      }
      return [...byScope].map(([participantId, owned]) => {
        const idle = owned
          .filter((token) => now - Date.parse(token.lastUsedAt ?? token.createdAt) > 90 * DAY)
          .map((token) => token.id);
        const noExpiry = owned.filter((token) => token.expiresAt === null).map((token) => token.id);
        const ok = idle.length === 0 && noExpiry.length === 0;
        return {
          participantId,
          result: ok ? ('pass' as const) : ('fail' as const),
          summary: ok
            ? `${owned.length} live token(s), none idle for 90 days, all expiring`
            : `${idle.length} idle for 90+ days, ${noExpiry.length} without expiry`,
          data: { tokens: owned.length, idle, withoutExpiry: noExpiry },
        };
      });
    },
  };
}

/** An access review counts for six months (PCI DSS 7.2.4 asks for one at least that often). */
const REVIEW_VALIDITY_DAYS = 183;

/**
 * PCI DSS 7.2.4: an access review completed within six months kept every token of the scope that
 * is live now. A token created after it, or one it decided to revoke that still works, is uncovered.
 */
function accessReviewCollector(reviews: AccessReviewService, tokens: TokenService, clock: Clock): Collector {
  return {
    id: 'iam.access-review',
    title: 'Access review of accounts and roles',
    backs: [requirementUrn(PCI, '7.2.4')],
    async collect(hubId) {
      const now = clock.now().getTime();
      const coverage = await reviews.coverage();
      const completedAt = coverage?.review.completedAt ?? null;
      const ageDays = completedAt === null ? null : Math.floor((now - Date.parse(completedAt)) / DAY);
      const recent = ageDays !== null && ageDays <= REVIEW_VALIDITY_DAYS;
      const live = (await tokens.list(false)).filter((token) => !token.expiresAt || Date.parse(token.expiresAt) > now);
      const byScope = new Map<string, typeof live>([[hubId, []]]);
      for (const token of live) {
        const scope = token.participantId ?? hubId;
        byScope.set(scope, [...(byScope.get(scope) ?? []), token]);
      }
      return [...byScope].map(([participantId, owned]) => {
        const uncovered = owned.filter((token) => !coverage?.kept.has(token.id)).map((token) => token.id);
        const ok = recent && uncovered.length === 0;
        return {
          participantId,
          result: ok ? ('pass' as const) : ('fail' as const),
          summary: ok
            ? `review ${coverage!.review.id} of ${completedAt} covers all ${owned.length} live token(s)`
            : coverage === undefined
              ? 'no access review has been completed'
              : !recent
                ? `the last access review was completed ${ageDays} days ago (more than ${REVIEW_VALIDITY_DAYS})`
                : `${uncovered.length} live token(s) not kept by review ${coverage.review.id}`,
          data: {
            reviewId: coverage?.review.id ?? null,
            completedAt,
            completedBy: coverage?.review.completedBy ?? null,
            ageDays,
            maxAgeDays: REVIEW_VALIDITY_DAYS,
            liveTokens: owned.length,
            uncovered,
          },
        };
      });
    },
  };
}

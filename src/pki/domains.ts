import type { RequestContext } from '../core/context.js';
import { isoNow } from '../core/clock.js';
import { isUniqueViolation } from '../core/db/violations.js';
import { conflict, invalid, notFound } from '../core/errors.js';
import type { PkiDeps } from './context.js';
import type { PkiParticipantDomainsTable } from '../core/db/schema.js';

export type DomainRow = PkiParticipantDomainsTable;

/** LDH labels of 1–63 characters, at least two of them, 253 characters at most; no wildcard. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The DNS domains each participant owns, registered by an officer (who checked the ownership out
 * of band) and audited. A certificate's DNS names and server common name must lie under one of
 * them, or under the participant's own namespace in the scheme's domain. A domain belongs to one
 * participant at most.
 */
export class DomainRegistry {
  constructor(private readonly deps: PkiDeps) {}

  async register(ctx: RequestContext, participantId: string, domain: string): Promise<DomainRow> {
    const name = domain.toLowerCase();
    if (!DOMAIN.test(name))
      throw invalid('domain', 'a DNS domain of two or more labels (letters, digits, hyphens), without a wildcard');
    if (name === this.deps.config.pkiDnsDomain || name.endsWith(`.${this.deps.config.pkiDnsDomain}`))
      throw invalid('domain', `names under ${this.deps.config.pkiDnsDomain} are the scheme's and cannot be registered`);
    await this.participant(participantId);
    const row: DomainRow = {
      domain: name,
      participant_id: participantId,
      registered_by: ctx.actor.id,
      created_at: isoNow(this.deps.clock),
    };
    try {
      await this.deps.database.transaction(async (tx) => {
        const overlapping = await tx
          .selectFrom('pki_participant_domains')
          .select(['domain', 'participant_id'])
          .where('participant_id', '!=', participantId)
          .execute();
        const clash = overlapping.find((other) => within(name, other.domain) || within(other.domain, name));
        if (clash) throw conflict(`'${name}' overlaps '${clash.domain}', registered to another participant`);
        await tx.insertInto('pki_participant_domains').values(row).execute();
        await this.deps.audit.append(tx, ctx, {
          action: 'pki.domain.register',
          resource: { type: 'pki-domain', id: name },
          participantId,
          details: { domain: name },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`'${name}' is already registered`);
      throw error;
    }
    return row;
  }

  async remove(ctx: RequestContext, participantId: string, domain: string): Promise<void> {
    const name = domain.toLowerCase();
    await this.deps.database.transaction(async (tx) => {
      const removed = await tx
        .deleteFrom('pki_participant_domains')
        .where('domain', '=', name)
        .where('participant_id', '=', participantId)
        .executeTakeFirst();
      if (removed.numDeletedRows === 0n) throw notFound('domain', name.slice(0, 253));
      await this.deps.audit.append(tx, ctx, {
        action: 'pki.domain.remove',
        resource: { type: 'pki-domain', id: name },
        participantId,
        details: { domain: name },
      });
    });
  }

  async list(participantId: string): Promise<DomainRow[]> {
    await this.participant(participantId);
    return this.deps.database.db
      .selectFrom('pki_participant_domains')
      .selectAll()
      .where('participant_id', '=', participantId)
      .orderBy('domain')
      .execute();
  }

  /** The participant's registered domains, as enrolment checks names against them. */
  async domainsOf(participantId: string): Promise<string[]> {
    const rows = await this.deps.database.db
      .selectFrom('pki_participant_domains')
      .select('domain')
      .where('participant_id', '=', participantId)
      .execute();
    return rows.map((row) => row.domain);
  }

  private async participant(id: string): Promise<void> {
    const found = await this.deps.database.db
      .selectFrom('participants')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!found) throw notFound('participant', id.slice(0, 64));
  }
}

/** `name` equals `domain` or lies under it. */
export const within = (name: string, domain: string): boolean => name === domain || name.endsWith(`.${domain}`);

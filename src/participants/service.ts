import type { AuditService } from '../audit/service.js';
import { isoNow, systemClock, type Clock } from '../core/clock.js';
import { scopeOf, type RequestContext } from '../core/context.js';
import type { Database } from '../core/db/database.js';
import { isUniqueViolation } from '../core/db/violations.js';
import { conflict, notFound } from '../core/errors.js';
import type {
  CreateParticipant,
  Participant,
  ParticipantQuery,
  SecurityContact,
  UpdateParticipant,
} from './schemas.js';
import {
  findParticipant,
  insertParticipant,
  listParticipants,
  updateParticipant,
  type ParticipantRow,
} from './store.js';

/** The hub and its DFSPs. Later domains (PKI, incidents, responsibility matrix) hang off these ids. */
export class ParticipantService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(ctx: RequestContext, input: CreateParticipant): Promise<Participant> {
    const now = isoNow(this.clock);
    const row: ParticipantRow = {
      id: input.id,
      name: input.name,
      kind: input.kind,
      status: input.status ?? 'active',
      security_contacts: JSON.stringify(input.securityContacts ?? []),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.database.transaction(async (tx) => {
        await insertParticipant(tx, row);
        await this.audit.append(tx, ctx, {
          action: 'participant.create',
          resource: { type: 'participant', id: row.id },
          participantId: row.id,
          details: {
            name: row.name,
            kind: row.kind,
            status: row.status,
            securityContacts: input.securityContacts ?? [],
          },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict(
          input.kind === 'hub'
            ? `participant '${input.id}' exists, or the scheme already has a hub`
            : `participant '${input.id}' already exists`,
        );
      }
      throw error;
    }
    return toParticipant(row);
  }

  async list(ctx: RequestContext, query: ParticipantQuery): Promise<{ items: Participant[]; total: number }> {
    const { rows, total } = await listParticipants(this.database.db, scopeOf(ctx.actor), {
      kind: query.kind,
      status: query.status,
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
    });
    return { items: rows.map(toParticipant), total };
  }

  async get(ctx: RequestContext, id: string): Promise<Participant> {
    const row = await findParticipant(this.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('participant', id);
    return toParticipant(row);
  }

  async update(ctx: RequestContext, id: string, changes: UpdateParticipant): Promise<Participant> {
    return this.change(ctx, id, 'participant.update', { ...changes }, changes);
  }

  async replaceContacts(ctx: RequestContext, id: string, contacts: SecurityContact[]): Promise<Participant> {
    return this.change(
      ctx,
      id,
      'participant.contacts.replace',
      { security_contacts: JSON.stringify(contacts) },
      {
        securityContacts: contacts,
      },
    );
  }

  private async change(
    ctx: RequestContext,
    id: string,
    action: string,
    changes: Partial<ParticipantRow>,
    details: Record<string, unknown>,
  ): Promise<Participant> {
    const row = await this.database.transaction(async (tx) => {
      const updated = await updateParticipant(tx, scopeOf(ctx.actor), id, {
        ...changes,
        updated_at: isoNow(this.clock),
      });
      if (!updated) throw notFound('participant', id);
      await this.audit.append(tx, ctx, { action, resource: { type: 'participant', id }, participantId: id, details });
      return updated;
    });
    return toParticipant(row);
  }
}

const toParticipant = (row: ParticipantRow): Participant => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  status: row.status,
  securityContacts: JSON.parse(row.security_contacts) as SecurityContact[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

import { createHash } from 'node:crypto';
import type { AuditService } from '../audit/service.js';
import { isoNow, systemClock, type Clock } from '../core/clock.js';
import { scopeOf, type RequestContext } from '../core/context.js';
import type { Database } from '../core/db/database.js';
import { TrustloopError, invalid, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { ParticipantService } from '../participants/service.js';
import { sniffEvidence } from './sniff.js';
import { evidenceContent, insertEvidence, listEvidence, type EvidenceMeta, type EvidenceRow } from './store.js';

/** Largest evidence file accepted (decoded bytes); the server's body limit usually refuses first, with 413. */
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;

export interface EvidenceView {
  id: string;
  participantId: string;
  kind: EvidenceRow['kind'];
  title: string;
  url: string | null;
  fileName: string | null;
  mediaType: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  collector: string | null;
  result: 'pass' | 'fail' | null;
  data: unknown;
  requirementUrns: string[];
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  expired: boolean;
}

/** Files, links and automated records that back assessment answers. Files are stored, hashed and never run. */
export class EvidenceService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly participants: ParticipantService,
    private readonly clock: Clock = systemClock,
  ) {}

  async upload(
    ctx: RequestContext,
    input: {
      participantId: string;
      title: string;
      fileName: string;
      contentBase64: string;
      expiresAt?: string | undefined;
    },
  ): Promise<EvidenceView> {
    await this.participants.get(ctx, input.participantId);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.contentBase64) || input.contentBase64.length % 4 !== 0)
      throw invalid('body/contentBase64', 'must be standard base64');
    const bytes = Buffer.from(input.contentBase64, 'base64');
    if (bytes.length === 0) throw invalid('body/contentBase64', 'the file is empty');
    if (bytes.length > MAX_EVIDENCE_BYTES)
      throw new TrustloopError(
        'ERR_PAYLOAD_TOO_LARGE',
        `the file is ${bytes.length} bytes; the limit is ${MAX_EVIDENCE_BYTES}`,
      );
    const type = sniffEvidence(input.fileName, bytes);
    return this.store(ctx, {
      participant_id: input.participantId,
      kind: 'file',
      title: input.title,
      url: null,
      file_name: input.fileName,
      media_type: type.mediaType,
      size_bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      content: bytes,
      expires_at: this.checkExpiry(input.expiresAt),
    });
  }

  async link(
    ctx: RequestContext,
    input: { participantId: string; title: string; url: string; expiresAt?: string | undefined },
  ): Promise<EvidenceView> {
    await this.participants.get(ctx, input.participantId);
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw invalid('body/url', 'must be an absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('body/url', 'must be http or https');
    if (url.username || url.password) throw invalid('body/url', 'must not carry credentials');
    return this.store(ctx, {
      participant_id: input.participantId,
      kind: 'link',
      title: input.title,
      url: url.toString(),
      file_name: null,
      media_type: null,
      size_bytes: null,
      sha256: null,
      content: null,
      expires_at: this.checkExpiry(input.expiresAt),
    });
  }

  private checkExpiry(expiresAt: string | undefined): string | null {
    if (expiresAt === undefined) return null;
    const time = Date.parse(expiresAt);
    if (Number.isNaN(time)) throw invalid('body/expiresAt', 'must be a date-time');
    if (time <= this.clock.now().getTime()) throw invalid('body/expiresAt', 'must be in the future');
    return new Date(time).toISOString();
  }

  private async store(
    ctx: RequestContext,
    fields: Omit<
      EvidenceRow,
      'id' | 'collector' | 'result' | 'data' | 'requirement_urns' | 'created_at' | 'created_by'
    >,
  ): Promise<EvidenceView> {
    const row: EvidenceRow = {
      ...fields,
      id: newId('evd'),
      collector: null,
      result: null,
      data: null,
      requirement_urns: '[]',
      created_at: isoNow(this.clock),
      created_by: ctx.actor.id,
    };
    await this.database.transaction(async (tx) => {
      await insertEvidence(tx, row);
      await this.audit.append(tx, ctx, {
        action: `controls.evidence.${row.kind === 'file' ? 'upload' : 'link'}`,
        resource: { type: 'evidence', id: row.id },
        participantId: row.participant_id,
        details: {
          title: row.title,
          fileName: row.file_name,
          sha256: row.sha256,
          sizeBytes: row.size_bytes,
          url: row.url,
        },
      });
    });
    return this.view(row);
  }

  async list(
    ctx: RequestContext,
    filter: { participantId?: string | undefined; kind?: EvidenceRow['kind'] | undefined; limit?: number | undefined },
  ): Promise<EvidenceView[]> {
    const rows = await listEvidence(this.database.db, scopeOf(ctx.actor), { ...filter, limit: filter.limit ?? 100 });
    return rows.map((row) => this.view(row));
  }

  async get(ctx: RequestContext, id: string): Promise<EvidenceView> {
    const row = await evidenceContent(this.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('evidence', id);
    return this.view(row);
  }

  /** The stored bytes of an uploaded file, for download only (served as an attachment, never rendered). */
  async content(ctx: RequestContext, id: string): Promise<{ view: EvidenceView; bytes: Buffer }> {
    const row = await evidenceContent(this.database.db, scopeOf(ctx.actor), id);
    if (!row) throw notFound('evidence', id);
    if (row.kind !== 'file' || !row.content) throw notFound('evidence file', id);
    await this.audit.record(ctx, {
      action: 'controls.evidence.download',
      resource: { type: 'evidence', id },
      participantId: row.participant_id,
    });
    return { view: this.view(row), bytes: Buffer.from(row.content) };
  }

  view(row: EvidenceMeta): EvidenceView {
    return {
      id: row.id,
      participantId: row.participant_id,
      kind: row.kind,
      title: row.title,
      url: row.url,
      fileName: row.file_name,
      mediaType: row.media_type,
      sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
      sha256: row.sha256,
      collector: row.collector,
      result: row.result,
      data: row.data === null ? null : (JSON.parse(row.data) as unknown),
      requirementUrns: JSON.parse(row.requirement_urns) as string[],
      createdAt: row.created_at,
      createdBy: row.created_by,
      expiresAt: row.expires_at,
      expired: row.expires_at !== null && row.expires_at <= isoNow(this.clock),
    };
  }
}

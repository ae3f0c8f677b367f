import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { callServer } from './api-client.js';
import { printJson, printTable, writeOut } from './output.js';

interface Summary {
  id: string;
  status: string;
  startedAt: string;
  startedBy: string;
  completedAt: string | null;
  completedBy: string | null;
  entries: number;
  kept: number;
  revoked: number;
  undecided: number;
}
interface Detail {
  review: Summary;
  entries: Record<string, unknown>[];
}

const checked = (value: string, prefix: string, what: string): string => {
  if (!new RegExp(`^${prefix}_[a-z2-7]{16}$`).test(value))
    throw new TrustloopError('ERR_VALIDATION', `${what} must look like ${prefix}_ followed by 16 characters`);
  return value;
};

const show = (detail: Detail, json: boolean | undefined): void => {
  if (json) return printJson(detail);
  const r = detail.review;
  writeOut(
    `${r.id} ${r.status}: ${r.entries} entries, ${r.kept} kept, ${r.revoked} revoked, ${r.undecided} undecided` +
      (r.completedAt ? ` (completed ${r.completedAt} by ${r.completedBy})` : ''),
  );
  printTable(detail.entries, ['tokenId', 'tokenName', 'role', 'participantId', 'lastUsedAt', 'decision', 'reason']);
};

/** `trustloop access-review …`: PCI DSS 7.2.4 reviews of every token and its role, through the running server. */
export function accessReviewCommands(program: Command): void {
  const review = program
    .command('access-review')
    .description('access reviews of every API token and its role (through the running server)');

  review
    .command('start')
    .description('snapshot every live token and its role for review')
    .option('--note <text>', 'what the review is for')
    .option('--json', 'machine-readable output')
    .action(async (o: { note?: string; json?: boolean }) =>
      show(await callServer<Detail>('POST', '/api/v1/access-reviews', o.note ? { note: o.note } : {}), o.json),
    );

  review
    .command('list')
    .description('access reviews, newest first')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const { items } = await callServer<{ items: Summary[] }>('GET', '/api/v1/access-reviews');
      if (o.json) return printJson(items);
      printTable(items as unknown as Record<string, unknown>[], [
        'id',
        'status',
        'startedAt',
        'entries',
        'kept',
        'revoked',
        'undecided',
        'completedAt',
        'completedBy',
      ]);
    });

  review
    .command('show <reviewId>')
    .description('one review with every entry')
    .option('--json', 'machine-readable output')
    .action(async (id: string, o: { json?: boolean }) =>
      show(await callServer<Detail>('GET', `/api/v1/access-reviews/${checked(id, 'arv', 'reviewId')}`), o.json),
    );

  review
    .command('decide <reviewId> <tokenId>')
    .description('keep a token, or revoke it now (--reason required)')
    .requiredOption('--decision <decision>', 'keep or revoke')
    .option('--reason <text>', 'why (required to revoke)')
    .action(async (id: string, tokenId: string, o: { decision: string; reason?: string }) => {
      const detail = await callServer<Detail>(
        'PUT',
        `/api/v1/access-reviews/${checked(id, 'arv', 'reviewId')}/entries/${checked(tokenId, 'tok', 'tokenId')}`,
        { decision: o.decision, ...(o.reason ? { reason: o.reason } : {}) },
      );
      writeOut(`${o.decision === 'revoke' ? 'revoked' : 'kept'} ${tokenId}; ${detail.review.undecided} undecided`);
    });

  review
    .command('complete <reviewId>')
    .description('complete a review whose entries are all decided')
    .action(async (id: string) => {
      const detail = await callServer<Detail>(
        'POST',
        `/api/v1/access-reviews/${checked(id, 'arv', 'reviewId')}/complete`,
      );
      writeOut(`completed ${id}: ${detail.review.kept} kept, ${detail.review.revoked} revoked`);
    });
}

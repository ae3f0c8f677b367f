import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { assertValid } from '../core/validate.js';
import { CreateParticipant, type SecurityContact } from '../participants/schemas.js';
import { cliContext, withApp, type ConfigLoader } from './context.js';
import { printJson, printTable, writeOut } from './output.js';

/** `--contact "Name,email[,+phone]"`, repeatable. */
function collectContact(raw: string, previous: SecurityContact[]): SecurityContact[] {
  const [name, email, phone, extra] = raw.split(',').map((part) => part.trim());
  if (!name || !email || extra !== undefined) {
    throw new TrustloopError('ERR_VALIDATION', '--contact must be "Name,email" or "Name,email,+phone"');
  }
  return [...previous, { name, email, ...(phone ? { phone } : {}) }];
}

export function participantCommands(program: Command, config: ConfigLoader): void {
  const participant = program.command('participant').description('the hub and its DFSPs');

  participant
    .command('add')
    .description('register the hub or a DFSP')
    .requiredOption('--id <fspId>', 'FSPIOP FspId (1-32 letters, digits, ".", "_", "-")')
    .requiredOption('--name <name>', 'display name')
    .option('--kind <kind>', 'hub or dfsp', 'dfsp')
    .option('--status <status>', 'active or suspended', 'active')
    .option('--contact <contact>', 'security contact "Name,email[,+phone]" (repeatable)', collectContact, [])
    .option('--json', 'machine-readable output')
    .action(
      async (options: {
        id: string;
        name: string;
        kind: string;
        status: string;
        contact: SecurityContact[];
        json?: boolean;
      }) => {
        const input = assertValid<CreateParticipant>(
          CreateParticipant,
          {
            id: options.id,
            name: options.name,
            kind: options.kind,
            status: options.status,
            securityContacts: options.contact,
          },
          'participant',
        );
        const created = await withApp(config, (app) => app.participants.create(cliContext(), input));
        if (options.json) return printJson(created);
        writeOut(`added ${created.kind} ${created.id} (${created.name})`);
      },
    );

  participant
    .command('list')
    .description('list participants')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const { items } = await withApp(config, (app) => app.participants.list(cliContext(), { limit: 500, offset: 0 }));
      if (options.json) return printJson(items);
      printTable(
        items.map((p) => ({ ...p, contacts: p.securityContacts.length })),
        ['id', 'name', 'kind', 'status', 'contacts', 'updatedAt'],
      );
    });
}

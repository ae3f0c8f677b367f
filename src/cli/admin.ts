import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { ROLES } from '../iam/permissions.js';
import { cliContext, withApp, type ConfigLoader } from './context.js';
import { printJson, printTable, writeOut } from './output.js';

const DAY_MS = 86_400_000;

function parseDays(raw: string): number {
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > 3650) {
    throw new TrustloopError('ERR_VALIDATION', '--expires-in-days must be an integer from 1 to 3650');
  }
  return Number(raw);
}

export function adminCommands(program: Command, config: ConfigLoader): void {
  const token = program.command('admin').description('administration').command('token').description('API tokens');

  token
    .command('create')
    .description('create an API token and print its secret once')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--participant <fspId>', 'the participant a participant-role token is bound to')
    .option('--expires-in-days <days>', 'lifetime in days (1-3650)', '90')
    .option('--json', 'machine-readable output')
    .action(
      async (options: { name: string; role: string; participant?: string; expiresInDays: string; json?: boolean }) => {
        const days = parseDays(options.expiresInDays);
        if (options.name.trim() === '' || options.name.length > 100) {
          throw new TrustloopError('ERR_VALIDATION', '--name must be 1-100 characters');
        }
        const created = await withApp(config, (app) =>
          app.tokens.create(cliContext(), {
            name: options.name,
            role: options.role,
            participantId: options.participant ?? null,
            expiresAt: new Date(Date.now() + days * DAY_MS).toISOString(),
          }),
        );
        if (options.json) return printJson({ token: created.token, tokenInfo: created.view });
        writeOut(`token ${created.view.id} (${created.view.role}) expires ${created.view.expiresAt}`);
        writeOut(created.token);
        writeOut('Store it now: it is not shown again.');
      },
    );

  token
    .command('list')
    .description('list API tokens (never their secrets)')
    .option('--all', 'include revoked tokens')
    .option('--json', 'machine-readable output')
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const tokens = await withApp(config, (app) => app.tokens.list(options.all ?? false));
      if (options.json) return printJson(tokens);
      printTable(tokens as unknown as Record<string, unknown>[], [
        'id',
        'name',
        'role',
        'participantId',
        'expiresAt',
        'lastUsedAt',
        'revokedAt',
      ]);
    });

  token
    .command('revoke')
    .description('revoke an API token; its sessions end with it')
    .argument('<id>', 'token id (tok_…)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => {
      if (!/^tok_[a-z2-7]{16}$/.test(id))
        throw new TrustloopError('ERR_VALIDATION', 'token id must look like tok_ followed by 16 characters');
      const view = await withApp(config, (app) => app.tokens.revoke(cliContext(), id));
      if (options.json) return printJson(view);
      writeOut(`revoked ${view.id}`);
    });
}

import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import type { SealStatus } from '../cpm/keystore/types.js';
import type { KeyInventory, KeyView } from '../cpm/keys/schemas.js';
import { callServer, readStdinLines } from './api-client.js';
import { cliContext, withApp, type ConfigLoader } from './context.js';
import { printJson, printTable, writeOut } from './output.js';

const integerOption = (name: string, raw: string): number => {
  if (!/^\d{1,2}$/.test(raw)) throw new TrustloopError('ERR_VALIDATION', `--${name} must be an integer`);
  return Number(raw);
};

export function keystoreCommands(program: Command, config: ConfigLoader): void {
  const keystore = program.command('keystore').description('the CPM keystore and its key ceremony');

  keystore
    .command('init')
    .description('create the master key and print its custodian shares, once')
    .requiredOption('--shares <n>', 'number of custodian shares (2-10)')
    .requiredOption('--threshold <m>', 'shares needed to unseal (2-shares)')
    .option('--json', 'machine-readable output')
    .action(async (options: { shares: string; threshold: string; json?: boolean }) => {
      const shares = await withApp(config, (app) =>
        app.ceremony.init(cliContext(), {
          shares: integerOption('shares', options.shares),
          threshold: integerOption('threshold', options.threshold),
        }),
      );
      if (options.json) return printJson({ shares });
      writeOut(`Keystore initialised. Give each custodian one share; ${options.threshold} of them unseal it.`);
      shares.forEach((share, i) => writeOut(`  share ${i + 1}: ${share}`));
      writeOut('These shares are shown once and stored nowhere.');
    });

  keystore
    .command('status')
    .description("the running server's keystore: backend, sealed, unseal progress")
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const status = await callServer<SealStatus>('GET', '/api/v1/keystore');
      if (options.json) return printJson(status);
      writeOut(
        `${status.backend} keystore: ${status.sealed ? `sealed (${status.progress}/${status.threshold ?? '-'} shares)` : 'unsealed'}`,
      );
    });

  keystore
    .command('unseal')
    .description('present custodian shares, one per line on standard input, to the running server')
    .action(async () => {
      const shares = await readStdinLines();
      if (shares.length === 0) throw new TrustloopError('ERR_VALIDATION', 'give at least one share on standard input');
      let status: SealStatus | undefined;
      for (const share of shares) status = await callServer<SealStatus>('POST', '/api/v1/keystore/unseal', { share });
      writeOut(status!.sealed ? `still sealed: ${status!.progress}/${status!.threshold} shares` : 'keystore unsealed');
      if (status!.sealed) process.exitCode = 1;
    });

  const key = program.command('key').description('keys in the CPM (through the running server)');

  key
    .command('create')
    .description('create a key; version 1 is generated inside the keystore')
    .requiredOption('--name <name>', 'unique name')
    .requiredOption('--type <type>', 'aes-256-gcm, hmac-sha256, rsa-2048|3072|4096, ec-p256|p384, ed25519')
    .requiredOption('--purpose <purpose>', 'sign, encrypt, wrap or mac')
    .option('--owner <fspId>', 'the participant that owns it (default: the hub)')
    .option('--json', 'machine-readable output')
    .action(async (options: { name: string; type: string; purpose: string; owner?: string; json?: boolean }) => {
      const created = await callServer<KeyView>('POST', '/api/v1/keys', {
        name: options.name,
        type: options.type,
        purpose: options.purpose,
        ...(options.owner ? { ownerParticipantId: options.owner } : {}),
      });
      if (options.json) return printJson(created);
      writeOut(`created ${created.id} (${created.type}, ${created.purpose}, ${created.backend})`);
    });

  key
    .command('list')
    .description('the key inventory: type, age, versions, rotation status, backend, owner')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const { items } = await callServer<{ items: KeyView[] }>('GET', '/api/v1/keys');
      if (options.json) return printJson(items);
      printTable(
        items.map((k) => ({ ...k, owner: k.ownerParticipantId ?? 'hub', rotation: k.rotationDue ? 'DUE' : 'ok' })),
        ['id', 'name', 'type', 'purpose', 'status', 'latestVersion', 'ageDays', 'rotation', 'backend', 'owner'],
      );
    });

  key
    .command('inventory')
    .description('key-management evidence: strength, age, rotation against its period, backend, owner')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const report = await callServer<KeyInventory>('GET', '/api/v1/keys/inventory');
      if (options.json) return printJson(report);
      const { total, rotationOverdue, withoutRotationPeriod, below128Bits } = report.summary;
      writeOut(
        `${total} keys; ${rotationOverdue} overdue for rotation, ${withoutRotationPeriod} without a rotation period, ${below128Bits} below 128-bit strength`,
      );
      printTable(
        report.keys.map((k) => ({
          ...k,
          rotation: k.rotationCompliant === null ? 'no period' : k.rotationCompliant ? 'ok' : 'OVERDUE',
        })),
        ['id', 'name', 'type', 'strengthBits', 'ageDays', 'rotation', 'backend', 'owner', 'status'],
      );
    });

  key
    .command('rotate')
    .description('generate a new version of a key')
    .argument('<id>', 'key id (key_…)')
    .action(async (id: string) => {
      if (!/^key_[a-z2-7]{16}$/.test(id))
        throw new TrustloopError('ERR_VALIDATION', 'key id must look like key_ followed by 16 characters');
      const rotated = await callServer<KeyView>('POST', `/api/v1/keys/${id}/rotate`);
      writeOut(`rotated ${rotated.id} to version ${rotated.latestVersion}`);
    });
}

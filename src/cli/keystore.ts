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

/** Checked here so a mistyped id is a clear exit 2, not a request with an odd path. */
const keyId = (raw: string): string => {
  if (!/^key_[a-z2-7]{16}$/.test(raw))
    throw new TrustloopError('ERR_VALIDATION', 'key id must look like key_ followed by 16 characters');
  return raw;
};

const inRange = (name: string, raw: string, min: number, max: number): number => {
  const value = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max))
    throw new TrustloopError('ERR_VALIDATION', `--${name} must be a whole number from ${min} to ${max}`);
  return value;
};

interface CreateOptions {
  name: string;
  type: string;
  purpose: string;
  owner?: string;
  rotationPeriod?: string;
  roles?: string;
  operations?: string;
  json?: boolean;
}

const list = (raw: string): string[] =>
  raw === 'none'
    ? []
    : raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);

/** Both halves of a policy or neither (the server's default for the purpose and owner). */
function policyOf(options: CreateOptions): { policy?: { roles: string[]; operations: string[] } } {
  if (options.roles === undefined && options.operations === undefined) return {};
  if (options.roles === undefined || options.operations === undefined)
    throw new TrustloopError('ERR_VALIDATION', '--roles and --operations make a policy together: give both');
  return { policy: { roles: list(options.roles), operations: list(options.operations) } };
}

interface KeyDetail {
  key: KeyView;
  versions: { version: number; createdAt: string; destroyedAt: string | null; hasPublicKey: boolean }[];
  usage: Record<string, number>;
}

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
    .option('--rotation-period <days>', 'flag the key as due for rotation once this old (1-3650)')
    .option('--roles <list>', "policy: hub roles that may use it, comma-separated, or 'none' (with --operations)")
    .option('--operations <list>', 'policy: operations it allows, comma-separated (with --roles)')
    .option('--json', 'machine-readable output')
    .action(async (options: CreateOptions) => {
      const created = await callServer<KeyView>('POST', '/api/v1/keys', {
        name: options.name,
        type: options.type,
        purpose: options.purpose,
        ...(options.owner ? { ownerParticipantId: options.owner } : {}),
        ...(options.rotationPeriod === undefined
          ? {}
          : { rotationPeriodDays: inRange('rotation-period', options.rotationPeriod, 1, 3650) }),
        ...policyOf(options),
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
      const rotated = await callServer<KeyView>('POST', `/api/v1/keys/${keyId(id)}/rotate`);
      writeOut(`rotated ${rotated.id} to version ${rotated.latestVersion}`);
    });

  key
    .command('show')
    .description("a key's metadata, policy, versions and usage counts")
    .argument('<id>', 'key id (key_…)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { json?: boolean }) => {
      const detail = await callServer<KeyDetail>('GET', `/api/v1/keys/${keyId(id)}`);
      if (options.json) return printJson(detail);
      const k = detail.key;
      const rotation =
        k.rotationPeriodDays === null ? 'manual' : `every ${k.rotationPeriodDays} days${k.rotationDue ? ', DUE' : ''}`;
      const lines: [string, string | number][] = [
        ['id', k.id],
        ['name', k.name],
        ['type', `${k.type} (${k.purpose})`],
        ['status', k.destroyAfter ? `${k.status} (destroy after ${k.destroyAfter})` : k.status],
        ['backend', k.backend],
        ['owner', k.ownerParticipantId ?? 'hub'],
        ['policy', `${k.policy.operations.join(',') || 'nothing'} by ${k.policy.roles.join(',') || 'no hub role'}`],
        ['versions', `latest ${k.latestVersion}, min. decryption ${k.minDecryptionVersion}`],
        ['rotation', `${rotation}; last ${k.lastRotatedAt}`],
        ['age', `${k.ageDays} days`],
      ];
      for (const [label, value] of lines) writeOut(`${label.padEnd(9)} ${value}`);
      writeOut('');
      printTable(
        detail.versions.map((v) => ({ ...v, destroyedAt: v.destroyedAt ?? '-' })),
        ['version', 'createdAt', 'destroyedAt'],
      );
      const usage = Object.entries(detail.usage);
      writeOut('');
      writeOut(usage.length ? `usage: ${usage.map(([op, n]) => `${op} ${n}`).join(', ')}` : 'usage: none yet');
    });

  key
    .command('public-key')
    .description('the public half of an asymmetric key, as PEM (default) or JWK')
    .argument('<id>', 'key id (key_…)')
    .option('--jwk', 'print a JWK (with kid) instead of PEM')
    .option('--version <n>', 'a version other than the latest')
    .action(async (id: string, options: { jwk?: boolean; version?: string }) => {
      const query = new URLSearchParams({ format: options.jwk ? 'jwk' : 'pem' });
      if (options.version !== undefined)
        query.set('version', String(inRange('version', options.version, 1, 1_000_000)));
      const exported = await callServer<{ pem?: string; jwk?: Record<string, string> }>(
        'GET',
        `/api/v1/keys/${keyId(id)}/public-key?${query.toString()}`,
      );
      if (options.jwk) printJson(exported.jwk);
      else process.stdout.write(exported.pem ?? '');
    });

  for (const [command, status, description] of [
    ['disable', 'disabled', 'refuse every operation with a key until it is enabled'],
    ['enable', 'enabled', 'let callers allowed by its policy use a disabled key again'],
  ] as const) {
    key
      .command(command)
      .description(description)
      .argument('<id>', 'key id (key_…)')
      .action(async (id: string) => {
        const changed = await callServer<KeyView>('PATCH', `/api/v1/keys/${keyId(id)}`, { status });
        writeOut(`${changed.id} is ${changed.status}`);
      });
  }

  key
    .command('destroy')
    .description(
      'with --schedule: stop a key now and allow its destruction after that many days; without: destroy every version once that period is over',
    )
    .argument('<id>', 'key id (key_…)')
    .option('--schedule <days>', 'waiting period in days (1-30)')
    .action(async (id: string, options: { schedule?: string }) => {
      if (options.schedule === undefined) {
        const destroyed = await callServer<KeyView>('POST', `/api/v1/keys/${keyId(id)}/destroy`);
        writeOut(`destroyed every version of ${destroyed.id}; its metadata and audit trail remain`);
        return;
      }
      const waitingPeriodDays = inRange('schedule', options.schedule, 1, 30);
      const scheduled = await callServer<KeyView>('POST', `/api/v1/keys/${keyId(id)}/schedule-destruction`, {
        waitingPeriodDays,
      });
      writeOut(
        `${scheduled.id} is scheduled for destruction: refused from now on, destroyable after ${scheduled.destroyAfter} (trustloop key cancel-destruction ${scheduled.id} to keep it)`,
      );
    });

  key
    .command('cancel-destruction')
    .description('keep a key scheduled for destruction; it comes back disabled')
    .argument('<id>', 'key id (key_…)')
    .action(async (id: string) => {
      const kept = await callServer<KeyView>('POST', `/api/v1/keys/${keyId(id)}/cancel-destruction`);
      writeOut(`destruction of ${kept.id} cancelled; it is ${kept.status} (trustloop key enable ${kept.id})`);
    });
}

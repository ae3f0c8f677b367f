import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import {
  forEachEngine,
  openTestApp,
  tamperWithAudit,
  TEST_DATABASE_URL,
  type EngineName,
  type TestApp,
} from './support/engines.js';

const BIN = path.resolve('bin/trustloop.mjs');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Environment that points the CLI at the test app's own store on either engine. */
function storeEnv(engine: EngineName, app: TestApp): Record<string, string> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TRUSTLOOP_LOG_LEVEL: 'silent' };
  if (engine === 'sqlite') return { ...base, TRUSTLOOP_DATA_DIR: app.config.dataDir };
  return { ...base, DATABASE_URL: TEST_DATABASE_URL!, TRUSTLOOP_DATABASE_SCHEMA: app.database.schema! };
}

function cli(env: Record<string, string>, ...args: string[]): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

it('stops on invalid configuration with one line naming the setting', () => {
  const env = { PATH: process.env.PATH ?? '', TRUSTLOOP_PORT: 'eighty' };
  const run = cli(env, 'participant', 'list');
  assert.equal(run.status, 2);
  assert.equal(run.stderr.trim(), 'trustloop: ERR_CONFIG: TRUSTLOOP_PORT must be an integer 0-65535');

  const dir = mkdtempSync(path.join(tmpdir(), 'trustloop-config-'));
  const file = path.join(dir, 'trustloop.json');
  writeFileSync(file, JSON.stringify({ port: 8080, colour: 'blue' }));
  const unknown = cli({ PATH: process.env.PATH ?? '', TRUSTLOOP_CONFIG: file }, 'participant', 'list');
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stderr.trim(), 'trustloop: ERR_CONFIG: config file key "colour" is not a known setting');
  writeFileSync(file, JSON.stringify({ logLevel: 'loud' }));
  const badValue = cli({ PATH: process.env.PATH ?? '', TRUSTLOOP_CONFIG: file }, 'participant', 'list');
  assert.match(badValue.stderr, /config file key "logLevel" must be one of fatal, error/);
  rmSync(dir, { recursive: true, force: true });
});

it('prints the initial admin token on the first start only', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-serve-'));
  const env = {
    PATH: process.env.PATH ?? '',
    TRUSTLOOP_DATA_DIR: dataDir,
    TRUSTLOOP_PORT: '0',
    TRUSTLOOP_LOG_LEVEL: 'silent',
  };
  const first = await serveUntilListening(env);
  const token = /tl\.tok_[a-z2-7]{16}\.[A-Za-z0-9_-]{43}/.exec(first)?.[0];
  assert.ok(token, `no token in: ${first}`);
  const second = await serveUntilListening(env);
  assert.doesNotMatch(second, /tl\.tok_/);
  const list = cli(env, 'admin', 'token', 'list', '--json');
  assert.equal(JSON.parse(list.stdout)[0].role, 'admin');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `trustloop serve`, waits for its system.start audit event, stops it, returns stdout. */
async function serveUntilListening(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...env, TRUSTLOOP_LOG_LEVEL: 'info' } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!stdout.includes('Server listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return stdout;
}

forEachEngine('trustloop CLI', (engine) => {
  let app: TestApp;
  let env: Record<string, string>;

  before(async () => {
    app = await openTestApp(engine);
    env = storeEnv(engine, app);
  });
  after(() => app.close());

  it('adds and lists participants, refusing a bad FspId with exit 2', () => {
    const added = cli(
      env,
      'participant',
      'add',
      '--id',
      'dfsp.cli',
      '--name',
      'CLI Bank',
      '--contact',
      'SOC,soc@cli.example,+255700000002',
      '--json',
    );
    assert.equal(added.status, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).securityContacts[0].phone, '+255700000002');
    const bad = cli(env, 'participant', 'add', '--id', '../../etc', '--name', 'x');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^trustloop: ERR_VALIDATION: participant\/id must match pattern/);
    const list = cli(env, 'participant', 'list');
    assert.match(list.stdout, /dfsp\.cli\s+CLI Bank\s+dfsp\s+active\s+1/);
    const unknownKind = cli(env, 'participant', 'add', '--id', 'p2', '--name', 'x', '--kind', 'bank');
    assert.equal(unknownKind.status, 2);
  });

  it('creates, lists and revokes tokens, printing the secret once', () => {
    const created = cli(env, 'admin', 'token', 'create', '--name', 'ops', '--role', 'security-officer', '--json');
    assert.equal(created.status, 0, created.stderr);
    const { token, tokenInfo } = JSON.parse(created.stdout);
    assert.match(token, /^tl\.tok_/);
    const list = cli(env, 'admin', 'token', 'list');
    assert.match(list.stdout, new RegExp(`${tokenInfo.id}\\s+ops\\s+security-officer`));
    assert.ok(!list.stdout.includes(token.split('.')[2]));
    assert.equal(cli(env, 'admin', 'token', 'revoke', tokenInfo.id).status, 0);
    const again = cli(env, 'admin', 'token', 'revoke', tokenInfo.id);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /ERR_CONFLICT/);
    assert.equal(cli(env, 'admin', 'token', 'create', '--name', 'x', '--role', 'emperor').status, 2);
    assert.equal(
      cli(env, 'admin', 'token', 'create', '--name', 'x', '--role', 'admin', '--expires-in-days', '-1').status,
      2,
    );
    assert.equal(cli(env, 'admin', 'token', 'revoke', "'; drop table api_tokens; --").status, 2);
  });

  it('exports the trail and verifies it, exiting 1 naming the first bad sequence number', async () => {
    const ok = cli(env, 'audit', 'verify', '--json');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).ok, true);

    const exportDir = mkdtempSync(path.join(tmpdir(), 'trustloop-export-'));
    const file = path.join(exportDir, 'audit.ndjson');
    assert.equal(cli(env, 'audit', 'export', '--output', file).status, 0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.ok(lines.length >= 5);
    assert.deepEqual(
      lines.map((e) => e.seq),
      lines.map((_, i) => i + 1),
    );
    assert.equal(cli(env, 'audit', 'export', '--output', file).status, 2, 'overwrote an existing export');
    rmSync(exportDir, { recursive: true, force: true });

    await tamperWithAudit(app, "update audit_events set actor_id = 'someone-else' where seq = 2");
    const broken = cli(env, 'audit', 'verify');
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /audit chain BROKEN at sequence 2 \(hash-mismatch\)/);
  });
});

it('runs the key ceremony: init prints shares once, unseal takes them on stdin, keys are made through the server', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'trustloop-ceremony-'));
  const port = String(20000 + (process.pid % 10000));
  const env = {
    PATH: process.env.PATH ?? '',
    TRUSTLOOP_DATA_DIR: dataDir,
    TRUSTLOOP_PORT: port,
    TRUSTLOOP_LOG_LEVEL: 'silent',
  };
  const init = cli(env, 'keystore', 'init', '--shares', '3', '--threshold', '2', '--json');
  assert.equal(init.status, 0, init.stderr);
  const { shares } = JSON.parse(init.stdout) as { shares: string[] };
  assert.equal(shares.length, 3);
  assert.equal(cli(env, 'keystore', 'init', '--shares', '3', '--threshold', '2').status, 1, 'a second init must fail');
  const token = JSON.parse(
    cli(env, 'admin', 'token', 'create', '--name', 'officer', '--role', 'security-officer', '--json').stdout,
  ).token;
  const server = spawn(process.execPath, [BIN, 'serve'], { env: { ...env, TRUSTLOOP_LOG_LEVEL: 'info' } });
  try {
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const deadline = Date.now() + 20_000;
    while (!out.includes('Server listening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const client = { ...env, TRUSTLOOP_URL: `http://127.0.0.1:${port}`, TRUSTLOOP_TOKEN: token };
    const sealed = cli(client, 'key', 'create', '--name', 'jws', '--type', 'ec-p256', '--purpose', 'sign');
    assert.equal(sealed.status, 1);
    assert.match(sealed.stderr, /ERR_SEALED/);
    const unseal = spawnSync(process.execPath, [BIN, 'keystore', 'unseal'], {
      env: client,
      input: `${shares[0]}\n${shares[2]}\n`,
      encoding: 'utf8',
    });
    assert.equal(unseal.status, 0, unseal.stderr);
    assert.match(unseal.stdout, /keystore unsealed/);
    const created = cli(client, 'key', 'create', '--name', 'jws', '--type', 'ec-p256', '--purpose', 'sign', '--json');
    assert.equal(created.status, 0, created.stderr);
    const id = JSON.parse(created.stdout).id;
    assert.equal(cli(client, 'key', 'rotate', id).status, 0);
    assert.match(cli(client, 'key', 'list').stdout, new RegExp(`${id}\\s+jws\\s+ec-p256\\s+sign\\s+enabled\\s+2`));
    const inventory = cli(client, 'key', 'inventory');
    assert.match(
      inventory.stdout,
      /^1 keys; 0 overdue for rotation, 1 without a rotation period, 0 below 128-bit strength$/m,
    );
    await keyLifecycleThroughCli(client, dataDir, id);
    const noToken = cli({ ...env, TRUSTLOOP_URL: client.TRUSTLOOP_URL }, 'key', 'list');
    assert.equal(noToken.status, 1);
    assert.match(noToken.stderr, /TRUSTLOOP_TOKEN/);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** show, public-key, disable / enable, destroy --schedule, cancel-destruction and destroy against the running server. */
async function keyLifecycleThroughCli(client: Record<string, string>, dataDir: string, id: string): Promise<void> {
  const show = cli(client, 'key', 'show', id);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /^status\s+enabled$/m);
  assert.match(show.stdout, /^policy\s+sign,verify by admin,security-officer$/m);
  assert.match(show.stdout, /^versions\s+latest 2, min\. decryption 1$/m);
  assert.match(show.stdout, /^version\s+createdAt\s+destroyedAt\n1\s+\S+\s+-\n2\s+\S+\s+-$/m);
  assert.match(show.stdout, /^usage: none yet$/m);
  assert.equal(JSON.parse(cli(client, 'key', 'show', id, '--json').stdout).versions.length, 2);

  const pem = cli(client, 'key', 'public-key', id);
  assert.equal(pem.status, 0, pem.stderr);
  const publicKey = createPublicKey(pem.stdout);
  assert.equal(publicKey.asymmetricKeyType, 'ec');
  const jwk = JSON.parse(cli(client, 'key', 'public-key', id, '--jwk', '--version', '1').stdout);
  assert.equal(jwk.kty, 'EC');
  assert.equal(jwk.crv, 'P-256');
  assert.equal(jwk.kid, `${id}.v1`);
  assert.equal(jwk.d, undefined, 'never the private half');
  assert.notDeepEqual(jwk, publicKey.export({ format: 'jwk' }), 'version 1 is not the rotated version 2');

  assert.match(cli(client, 'key', 'disable', id).stdout, new RegExp(`^${id} is disabled$`, 'm'));
  assert.match(cli(client, 'key', 'show', id).stdout, /^status\s+disabled$/m);
  const rotateDisabled = cli(client, 'key', 'rotate', id);
  assert.equal(rotateDisabled.status, 1);
  assert.match(rotateDisabled.stderr, /ERR_KEY_DISABLED: key '.+' is disabled/);
  assert.match(cli(client, 'key', 'enable', id).stdout, new RegExp(`^${id} is enabled$`, 'm'));

  const scheduled = cli(client, 'key', 'destroy', id, '--schedule', '7');
  assert.equal(scheduled.status, 0, scheduled.stderr);
  assert.match(scheduled.stdout, /is scheduled for destruction: refused from now on, destroyable after \d{4}-/);
  assert.match(cli(client, 'key', 'show', id).stdout, /^status\s+destroy-scheduled \(destroy after \d{4}-/m);
  const early = cli(client, 'key', 'destroy', id);
  assert.equal(early.status, 1);
  assert.match(early.stderr, /^trustloop: ERR_CONFLICT: key '.+' can be destroyed after \d{4}-/);
  const cancelled = cli(client, 'key', 'cancel-destruction', id);
  assert.equal(cancelled.status, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /destruction of .+ cancelled; it is disabled/);
  const again = cli(client, 'key', 'cancel-destruction', id);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /ERR_CONFLICT: key '.+' is not scheduled for destruction/);

  assert.equal(cli(client, 'key', 'destroy', id, '--schedule', '1').status, 0);
  // A day goes by: the waiting period is over as the server's clock sees it.
  const { default: Sqlite } = await import('better-sqlite3');
  const db = new Sqlite(path.join(dataDir, 'trustloop.db'));
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('update cpm_keys set destroy_after = ? where id = ?').run(new Date(Date.now() - 1000).toISOString(), id);
  } finally {
    db.close();
  }
  const destroyed = cli(client, 'key', 'destroy', id);
  assert.equal(destroyed.status, 0, destroyed.stderr);
  assert.match(destroyed.stdout, /^destroyed every version of key_\w+; its metadata and audit trail remain$/m);
  assert.match(cli(client, 'key', 'show', id).stdout, /^2\s+\S+\s+\d{4}-\S+$/m);

  for (const [args, message] of [
    [['key', 'show', 'key_nope'], /^trustloop: ERR_VALIDATION: key id must look like key_ followed by 16 characters$/m],
    [['key', 'disable', '../keystore'], /ERR_VALIDATION: key id must look like/],
    [
      ['key', 'destroy', id, '--schedule', '0'],
      /^trustloop: ERR_VALIDATION: --schedule must be a whole number from 1 to 30$/m,
    ],
    [['key', 'destroy', id, '--schedule', '31'], /--schedule must be a whole number from 1 to 30/],
    [['key', 'destroy', id, '--schedule', '7days'], /--schedule must be a whole number from 1 to 30/],
    [['key', 'public-key', id, '--version', '-1'], /--version must be a whole number from 1 to 1000000/],
    [['key', 'cancel-destruction'], /missing required argument 'id'/],
  ] as const) {
    const run = cli(client, ...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
  const withPolicy = cli(
    client,
    ...['key', 'create', '--name', 'officer-mac', '--type', 'hmac-sha256', '--purpose', 'mac'],
    ...['--rotation-period', '30', '--roles', 'security-officer', '--operations', 'verify-mac', '--json'],
  );
  assert.equal(withPolicy.status, 0, withPolicy.stderr);
  const policyKey = JSON.parse(withPolicy.stdout);
  assert.deepEqual(policyKey.policy, { roles: ['security-officer'], operations: ['verify-mac'] });
  assert.match(cli(client, 'key', 'show', policyKey.id).stdout, /^rotation\s+every 30 days; last \d{4}-/m);
  const create = ['key', 'create', '--name', 'bad', '--type', 'ec-p256', '--purpose', 'sign'];
  for (const [args, message] of [
    [['--roles', 'admin'], /--roles and --operations make a policy together: give both/],
    [['--rotation-period', '0'], /--rotation-period must be a whole number from 1 to 3650/],
    [
      ['--roles', 'none', '--operations', 'encrypt'],
      /ERR_VALIDATION: policy\/operations: 'encrypt' is not an operation of a sign key/,
    ],
  ] as const) {
    const run = cli(client, ...create, ...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
  const unknown = cli(client, 'key', 'show', 'key_aaaaaaaaaaaaaaaa');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^trustloop: ERR_NOT_FOUND: /);
}

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { loadConfig } from './config.js';
import { TrustloopError } from './errors.js';
import { createLogger } from './logger.js';

it('redacts tokens, cookies and secrets from every log line', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('info', sink);
  logger.info({
    req: {
      headers: { authorization: 'Bearer tl.tok_a.SECRET1', cookie: 'tl_session=SECRET2', 'x-csrf-token': 'SECRET3' },
    },
    body: { token: 'SECRET4', password: 'SECRET5', privateKey: 'SECRET6' },
  });
  const output = lines.join('');
  for (const secret of ['SECRET1', 'SECRET2', 'SECRET3', 'SECRET4', 'SECRET5', 'SECRET6']) {
    assert.ok(!output.includes(secret), `${secret} reached the log: ${output}`);
  }
  assert.match(output, /\[redacted\]/);
});

it('reads settings from defaults, a config file and the environment, environment first', () => {
  const config = loadConfig({ TRUSTLOOP_PORT: '9090', DATABASE_URL: '' });
  assert.equal(config.port, 9090);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.dataDir, './data');
  assert.equal(config.databaseUrl, undefined);
  assert.equal(loadConfig({ TRUSTLOOP_TRUST_PROXY: 'true' }).trustProxy, true);
});

it('names the bad setting in one line', () => {
  const cases: [Record<string, string>, string][] = [
    [{ TRUSTLOOP_PORT: '70000' }, 'TRUSTLOOP_PORT must be an integer 0-65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be a postgres:// URL (leave unset for embedded SQLite)'],
    [
      { TRUSTLOOP_LOG_LEVEL: 'chatty' },
      'TRUSTLOOP_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ],
    [{ TRUSTLOOP_CONFIG: '/nonexistent/trustloop.json' }, 'TRUSTLOOP_CONFIG names a file that does not exist'],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof TrustloopError && error.code === 'ERR_CONFIG' && error.message === message,
    );
  }
});

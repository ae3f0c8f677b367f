import assert from 'node:assert/strict';
import type { Config } from '../../src/core/config.js';
import type { Role } from '../../src/iam/permissions.js';
import { it } from 'node:test';
import { forEachEngine, type EngineName } from './engines.js';
import { SOFTHSM_MODULE, softHsmConfig } from './softhsm.js';
import type { TestServer } from './server.js';

export const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** Requests as a role (security officer by default), and key creation that checks the backend used. */
export function keyApi(server: () => TestServer, backend: string) {
  const call = async (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: Record<string, unknown>,
    as: Role | 'other-participant' = 'security-officer',
  ) => server().request({ method, url, as, ...(payload ? { payload } : {}) });
  const createKey = async (name: string, type: string, purpose: string, as: Role = 'security-officer') => {
    const response = await call('POST', '/api/v1/keys', { name, type, purpose }, as);
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().backend, backend);
    return response.json().id as string;
  };
  return { call, createKey };
}

/**
 * The same operations suite for both keystores: the software one (unsealed by custodian shares)
 * and PKCS#11 on a SoftHSM2 token. Under CI=true a missing SoftHSM2 fails instead of skipping.
 */
const BACKENDS: [string, Partial<Config> | undefined][] = [
  ['software', {}],
  ['pkcs11', softHsmConfig()],
];

/**
 * Runs `suite` for each keystore on each engine. Without SoftHSM2 the PKCS#11 run is skipped, or
 * fails under CI=true.
 */
export function forEachBackend(
  name: string,
  suite: (backend: string, overrides: Partial<Config>, engine: EngineName) => void,
): void {
  for (const [backend, overrides] of BACKENDS) {
    forEachEngine(`${name}, ${backend} keystore`, (engine) => {
      if (overrides) return suite(backend, overrides, engine);
      it('runs on SoftHSM2', { skip: process.env.CI === 'true' ? false : 'SoftHSM2 is not installed' }, () => {
        assert.fail(`CI=true but ${SOFTHSM_MODULE} is missing: install softhsm2`);
      });
    });
  }
}

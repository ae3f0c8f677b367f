import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/core/config.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';
const TEST_PIN = '1234';

/**
 * Configuration for a PKCS#11 keystore on a fresh SoftHSM2 token of this test process, or
 * undefined when SoftHSM2 is not installed (the caller skips, or fails under CI=true).
 */
export function softHsmConfig(): Partial<Config> | undefined {
  if (!existsSync(SOFTHSM_MODULE)) return undefined;
  if (!process.env.TRUSTLOOP_TEST_SOFTHSM_CONF) {
    const dir = mkdtempSync(path.join(tmpdir(), 'trustloop-softhsm-'));
    const line = execFileSync('bash', [path.resolve('scripts/softhsm-token.sh'), dir], { encoding: 'utf8' });
    const conf = /^export SOFTHSM2_CONF=(.+)$/m.exec(line)?.[1];
    if (!conf) throw new Error(`scripts/softhsm-token.sh printed no SOFTHSM2_CONF line: ${line}`);
    process.env.TRUSTLOOP_TEST_SOFTHSM_CONF = conf;
    process.env.SOFTHSM2_CONF = conf;
  }
  return { keystore: 'pkcs11', pkcs11Module: SOFTHSM_MODULE, pkcs11Token: 'trustloop', pkcs11Pin: TEST_PIN };
}

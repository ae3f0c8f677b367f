import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Csr {
  csrPem: string;
  keyPem: string;
}

/**
 * A CSR made by the openssl CLI, as a DFSP engineer would: `openssl req -new -newkey …`.
 * `key` is an openssl -newkey argument (`ec:P-256` style is spelled out below).
 */
export function opensslCsr(options: {
  key: 'p256' | 'p384' | 'secp256k1' | 'rsa1024' | 'rsa2048' | 'rsa3072';
  subject: string;
  dns?: string[];
}): Csr {
  const dir = mkdtempSync(path.join(tmpdir(), 'trustloop-csr-'));
  try {
    const keyArgs = {
      p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
      secp256k1: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
      rsa1024: ['-newkey', 'rsa:1024'],
      rsa2048: ['-newkey', 'rsa:2048'],
      rsa3072: ['-newkey', 'rsa:3072'],
    }[options.key];
    const san = options.dns?.length
      ? ['-addext', `subjectAltName=${options.dns.map((d) => `DNS:${d}`).join(',')}`]
      : [];
    execFileSync(
      'openssl',
      ['req', '-new', ...keyArgs, '-nodes', '-subj', options.subject, ...san, '-keyout', 'key.pem', '-out', 'csr.pem'],
      { cwd: dir, stdio: 'pipe' },
    );
    return {
      csrPem: readFileSync(path.join(dir, 'csr.pem'), 'utf8'),
      keyPem: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same CSR with one bit of its signature flipped. */
export function corruptSignature(csrPem: string): string {
  const body = csrPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  der[der.length - 2]! ^= 0x01;
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${b64}-----END CERTIFICATE REQUEST-----\n`;
}

/**
 * A self-signed P-256 certificate made by openssl (a CA by default, as a scheme that already runs
 * its own root would have): writes `<name>.key` and `<name>.pem` in `dir`, returns the PEM.
 */
export function opensslSelfSigned(
  dir: string,
  name: string,
  subject: string,
  { days = 3650, ca = true }: { days?: number; ca?: boolean } = {},
): string {
  const caExtensions = ca
    ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']
    : [];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-subj',
      subject,
      '-days',
      String(days),
      ...caExtensions,
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  return readFileSync(path.join(dir, `${name}.pem`), 'utf8');
}

/**
 * `openssl ocsp` arguments that ask the responder at `url` about `certs` (files in the working
 * directory, issued by issuing.pem) and verify the answer against root.pem, as a client does: with
 * a fresh nonce, the answer printed.
 */
export function ocspQueryArgs(url: string, certs: readonly string[]): string[] {
  return [
    'ocsp',
    '-issuer',
    'issuing.pem',
    ...certs.flatMap((cert) => ['-cert', cert]),
    '-url',
    url,
    '-CAfile',
    'root.pem',
    '-verify_other',
    'issuing.pem',
    '-resp_text',
  ];
}

/**
 * The PKI benchmark's material and peers: CSRs made with WebCrypto and @peculiar/x509, CA and
 * responder keys made with the openssl CLI, `cfssl serve` and `openssl ocsp` as child processes on
 * loopback that are stopped (their whole process group) when the benchmark ends.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';
import { Socket, createServer } from 'node:net';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type CsrKey = 'p256' | 'rsa2048';

const CSR_ALGORITHMS = {
  p256: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  rsa2048: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
} as const;

/** `count` CSRs, each for a fresh key pair (Trustloop refuses a key it has already certified). */
export async function makeCsrs(key: CsrKey, count: number, subject: string): Promise<string[]> {
  const algorithm = CSR_ALGORITHMS[key];
  const one = async () => {
    const keys = (await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])) as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: subject,
      keys,
      signingAlgorithm: algorithm,
    });
    return csr.toString('pem');
  };
  const csrs: string[] = [];
  while (csrs.length < count)
    csrs.push(...(await Promise.all(Array.from({ length: Math.min(16, count - csrs.length) }, one))));
  return csrs;
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port to listen on');
  return address.port;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe', timeout: 60_000 });

/** A self-signed CA (or OCSP responder) key and certificate written by `openssl req -x509`. */
export function opensslSelfSigned(
  dir: string,
  name: string,
  key: 'ec-p256' | 'rsa-3072',
  ca: boolean,
): { cert: string; key: string } {
  const keyArgs =
    key === 'ec-p256' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:3072'];
  const extensions = ca
    ? ['-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']
    : ['-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=OCSPSigning'];
  const cert = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}-key.pem`);
  openssl(
    [
      'req',
      '-x509',
      ...keyArgs,
      '-nodes',
      '-subj',
      `/O=Bench/CN=${name}`,
      '-days',
      '30',
      ...extensions,
      '-keyout',
      keyFile,
      '-out',
      cert,
    ],
    dir,
  );
  return { cert, key: keyFile };
}

export interface Peer {
  url: string;
  stop(): Promise<void>;
}

/** A TCP connection to `port` succeeds. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });

async function waitReady(child: ChildProcess, ready: () => Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`peer exited (${child.exitCode}):\n${output()}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`peer did not become ready:\n${output()}`);
}

/** Starts a child in its own process group; `stop` ends that group (openssl -multi forks workers). */
async function startPeer(
  command: string,
  args: string[],
  cwd: string,
  port: number,
  ready: (output: string) => Promise<boolean>,
  options: { groupOfItsOwn: boolean } = { groupOfItsOwn: false },
): Promise<Peer> {
  // `openssl ocsp -multi` makes its own process group (and exits if it cannot, as a session
  // leader cannot); everything else is given one here.
  const child = spawn(command, args, { cwd, detached: !options.groupOfItsOwn, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    await exited;
  };
  try {
    await waitReady(
      child,
      () => ready(output),
      () => output,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

/**
 * `cfssl serve` on 127.0.0.1 signing with `ca`, logging warnings only (at its default level it
 * writes a line per request), one profile like Trustloop's mtls-client: 397 days, clientAuth.
 */
export async function startCfssl(dir: string, ca: { cert: string; key: string }): Promise<Peer> {
  const config = path.join(dir, 'cfssl-config.json');
  writeFileSync(
    config,
    JSON.stringify({
      signing: {
        default: { expiry: `${397 * 24}h`, usages: ['digital signature', 'key encipherment', 'client auth'] },
      },
    }),
  );
  const port = await freePort();
  return startPeer(
    'cfssl',
    [
      'serve',
      '-address',
      '127.0.0.1',
      '-port',
      String(port),
      '-ca',
      ca.cert,
      '-ca-key',
      ca.key,
      '-config',
      config,
      '-loglevel',
      '2',
    ],
    dir,
    port,
    () => accepts(port),
  );
}

/**
 * `openssl ocsp` as a responder over `index` for certificates of `caCert`, signing with its own
 * responder key. It listens on every interface (openssl refuses a host in -port); it is only
 * ever addressed on 127.0.0.1. `processes` > 1 forks that many responders (-multi).
 */
export async function startOpensslOcsp(
  dir: string,
  options: { index: string; caCert: string; responder: { cert: string; key: string }; processes: number },
): Promise<Peer> {
  const port = await freePort();
  return startPeer(
    'openssl',
    [
      'ocsp',
      '-index',
      options.index,
      '-port',
      String(port),
      '-rsigner',
      options.responder.cert,
      '-rkey',
      options.responder.key,
      '-CA',
      options.caCert,
      ...(options.processes > 1 ? ['-multi', String(options.processes)] : []),
    ],
    dir,
    port,
    // Not a TCP probe: a connection that sends nothing holds the single-threaded responder forever.
    async (output) => output.includes('ACCEPT '),
    { groupOfItsOwn: options.processes > 1 },
  );
}

/** One openssl index.txt line per certificate: V, expiry, no revocation, serial, file, subject. */
export function writeOpensslIndex(
  file: string,
  certificates: { serialHex: string; notAfter: Date; subject: string }[],
): void {
  const time = (date: Date) => `${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`;
  // openssl looks a serial up by BN_bn2hex: upper case, no leading zero bytes, whole bytes.
  const serial = (hex: string) => {
    const digits = BigInt(`0x${hex}`).toString(16).toUpperCase();
    return digits.length % 2 ? `0${digits}` : digits;
  };
  // The certificates share a subject (one participant, many keys): openssl must not insist otherwise.
  writeFileSync(`${file}.attr`, 'unique_subject = no\n');
  writeFileSync(
    file,
    certificates.map((c) => `V\t${time(c.notAfter)}\t\t${serial(c.serialHex)}\tunknown\t${c.subject}\n`).join(''),
  );
}

/** A DER OCSP request for one certificate, made by the openssl CLI (SHA-1 CertID, as its default). */
export function ocspRequest(dir: string, issuerPem: string, certPem: string, nonce: boolean): Buffer {
  const cert = path.join(dir, 'one.pem');
  const out = path.join(dir, 'one.req');
  writeFileSync(cert, certPem);
  openssl(['ocsp', '-issuer', issuerPem, '-cert', cert, nonce ? '-nonce' : '-no_nonce', '-reqout', out], dir);
  return readFileSync(out);
}

/** What `openssl ocsp` as a client says of one certificate (`good`, …), or why it did not verify. */
export function ocspStatus(dir: string, url: string, issuerPem: string, certPem: string, trust: string[]): string {
  const cert = path.join(dir, 'one.pem');
  writeFileSync(cert, certPem);
  const run = spawnSync('openssl', ['ocsp', '-issuer', issuerPem, '-cert', cert, '-url', url, ...trust], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 10_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  const status = /one\.pem: (\w+)/.exec(output)?.[1] ?? 'no answer';
  return output.includes('Response verify OK') ? status : `${status}, not verified: ${output.trim().slice(0, 300)}`;
}

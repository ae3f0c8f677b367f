import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TrustloopError } from '../core/errors.js';
import { formatHttpMessage, parseHttpMessage } from '../fspiop/http-message.js';
import type { FspiopRequest } from '../fspiop/message.js';
import { callServer } from './api-client.js';
import { printJson, writeOut } from './output.js';

const readRequest = (file: string): FspiopRequest => {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new TrustloopError('ERR_VALIDATION', `cannot read ${file}`);
  }
  return parseHttpMessage(bytes);
};

const asJson = (request: FspiopRequest) => ({
  method: request.method,
  uri: request.uri,
  headers: Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'content-length'),
  ),
  body: request.body.toString('utf8'),
});

const print = (request: FspiopRequest) => process.stdout.write(formatHttpMessage(request));

/** `trustloop fspiop …`: sign, verify, encrypt and decrypt an FSPIOP request saved as an HTTP message file. */
export function fspiopCommands(program: Command): void {
  const fspiop = program.command('fspiop').description('FSPIOP message security (through the running server)');

  fspiop
    .command('sign <file>')
    .description('sign the request in <file> with a CPM key; prints the request with FSPIOP-Signature added')
    .requiredOption('--key <keyId>', 'the signing key (key_…)')
    .option('--alg <alg>', 'RS256, PS256 or ES256 (default: by key type)')
    .action(async (file: string, options: { key: string; alg?: string }) => {
      const request = readRequest(file);
      const signed = await callServer<{ headers: Record<string, string> }>('POST', '/api/v1/fspiop/sign', {
        keyId: options.key,
        request: asJson(request),
        ...(options.alg ? { algorithm: options.alg } : {}),
      });
      print({ ...request, headers: { ...request.headers, ...signed.headers } });
    });

  fspiop
    .command('verify <file>')
    .description("verify the request in <file> against its sender's registered certificate")
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { json?: boolean }) => {
      const verified = await callServer<{ source: string; algorithm: string; certificateId: string }>(
        'POST',
        '/api/v1/fspiop/verify',
        { request: asJson(readRequest(file)) },
      );
      if (options.json) return printJson(verified);
      writeOut(
        `valid: signed by ${verified.source} with ${verified.algorithm} (certificate ${verified.certificateId})`,
      );
    });

  fspiop
    .command('encrypt <file>')
    .description("encrypt fields of the request body to the recipient's certificate; prints the request")
    .requiredOption('--to <fspId>', 'the recipient participant')
    .requiredOption('--field <path...>', 'field paths, e.g. payer payee.partyIdInfo.partyIdentifier')
    .action(async (file: string, options: { to: string; field: string[] }) => {
      const request = readRequest(file);
      const encrypted = await callServer<{ body: string; headers: Record<string, string> }>(
        'POST',
        '/api/v1/fspiop/encrypt',
        {
          recipient: options.to,
          body: request.body.toString('utf8'),
          fields: options.field,
        },
      );
      print({ ...request, headers: { ...request.headers, ...encrypted.headers }, body: Buffer.from(encrypted.body) });
    });

  fspiop
    .command('decrypt <file>')
    .description('decrypt the fields its FSPIOP-Encryption header lists, with a CPM key; prints the request')
    .requiredOption('--key <keyId>', 'the RSA decryption key (key_…)')
    .action(async (file: string, options: { key: string }) => {
      const request = readRequest(file);
      const name = Object.keys(request.headers).find((h) => h.toLowerCase() === 'fspiop-encryption');
      if (!name) throw new TrustloopError('ERR_VALIDATION', 'the request has no FSPIOP-Encryption header');
      const decrypted = await callServer<{ body: string }>('POST', '/api/v1/fspiop/decrypt', {
        keyId: options.key,
        body: request.body.toString('utf8'),
        encryption: request.headers[name],
      });
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([h]) => h !== name));
      print({ ...request, headers, body: Buffer.from(decrypted.body) });
    });
}

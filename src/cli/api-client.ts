import { TrustloopError } from '../core/errors.js';

/**
 * Commands that need the running server (its unsealed keystore lives in that process) call its
 * API: TRUSTLOOP_URL (default http://127.0.0.1:8080) with the token in TRUSTLOOP_TOKEN.
 */
export async function callServer<T>(method: string, path: string, body?: unknown): Promise<T> {
  const text = await send(method, path, body);
  try {
    return JSON.parse(text) as T;
  } catch {
    return {} as T;
  }
}

/** A GET whose answer is a file (XLSX, PDF): the bytes as the server sent them. */
export function fetchServerBytes(path: string): Promise<Buffer> {
  return sendRaw('GET', path);
}

async function send(method: string, path: string, body?: unknown): Promise<string> {
  return (await sendRaw(method, path, body)).toString('utf8');
}

/** Sends one request; a refusal becomes a TrustloopError with the server's code and detail. */
async function sendRaw(method: string, path: string, body?: unknown): Promise<Buffer> {
  const base = process.env.TRUSTLOOP_URL ?? 'http://127.0.0.1:8080';
  const token = process.env.TRUSTLOOP_TOKEN;
  if (!token)
    throw new TrustloopError(
      'ERR_UNAUTHENTICATED',
      'set TRUSTLOOP_TOKEN to an API token (never pass it as an argument)',
    );
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new TrustloopError('ERR_UNAVAILABLE', `no Trustloop server answers at ${base} (set TRUSTLOOP_URL)`);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.ok) return bytes;
  const text = bytes.toString('utf8');
  let problem: { code?: string; detail?: string } = {};
  try {
    problem = JSON.parse(text) as typeof problem;
  } catch {
    // Not problem+json: the status alone is reported.
  }
  throw new TrustloopError(
    (problem.code ?? 'ERR_INTERNAL') as TrustloopError['code'],
    problem.detail ?? `the server answered ${response.status}`,
  );
}

/** Lines from standard input: how secrets (shares) reach the CLI without showing in `ps`. */
export async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

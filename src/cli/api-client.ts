import { TrustloopError } from '../core/errors.js';

/**
 * Commands that need the running server (its unsealed keystore lives in that process) call its
 * API: TRUSTLOOP_URL (default http://127.0.0.1:8080) with the token in TRUSTLOOP_TOKEN.
 */
export async function callServer<T>(method: string, path: string, body?: unknown): Promise<T> {
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
  const payload = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
  if (!response.ok) {
    const code = (payload.code ?? 'ERR_INTERNAL') as TrustloopError['code'];
    throw new TrustloopError(code, payload.detail ?? `the server answered ${response.status}`);
  }
  return payload as T;
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

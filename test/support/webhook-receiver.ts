import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether webhook-signature verified under the secret the receiver was given (Standard Webhooks). */
  signatureValid: boolean;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Status the receiver answers with from now on. */
  answer(status: number): void;
  /** The `whsec_…` secret to verify signatures with. */
  useSecret(secret: string): void;
  close(): Promise<void>;
}

/** Verifies a Standard Webhooks signature the way a receiver would: HMAC of `id.timestamp.body`, constant time. */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signature = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (!secret.startsWith('whsec_')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    if (version !== 'v1' || value === undefined) return false;
    const presented = Buffer.from(value, 'base64');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  });
}

/** A real HTTP receiver on 127.0.0.1 that records each POST and checks its signature. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let status = 204;
  let secret = '';
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        headers: request.headers,
        body,
        signatureValid: verifyStandardWebhook(secret, request.headers, body),
      });
      response.statusCode = status;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/trustloop`,
    received,
    answer: (next) => {
      status = next;
    },
    useSecret: (next) => {
      secret = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

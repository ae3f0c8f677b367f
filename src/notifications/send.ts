import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { addressRefusal, guardedLookup, literalHost } from './webhook-url.js';

/** What one POST to a webhook came to: the receiver's status, or why no status came back. */
export type SendOutcome = { statusCode: number; error: null } | { statusCode: null; error: string };

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
}

/** Read at most this much of a receiver's answer, then drop the connection: only the status matters. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Standard Webhooks signature: HMAC-SHA256 over `id.timestamp.body` with the decoded secret,
 * sent as `v1,<base64>`. The id stays the same across retries so receivers can drop duplicates.
 */
export function signatureHeaders(id: string, timestamp: number, body: string, key: Buffer): Record<string, string> {
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${mac}` };
}

/**
 * POSTs `body` once: no redirects followed, every connection's address checked after DNS, the
 * whole exchange bounded by `timeoutMs`. Never throws; a failure is described in `error`.
 */
export function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: SendOptions,
): Promise<SendOutcome> {
  const url = new URL(target);
  const literal = literalHost(url);
  const refusal = literal === null ? null : addressRefusal(literal, options.allowPrivate);
  if (refusal) return Promise.resolve({ statusCode: null, error: `${literal} ${refusal}` });
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Trustloop-Webhooks/1',
          ...headers,
        },
        lookup: guardedLookup(options.allowPrivate),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on('close', () => resolve({ statusCode: response.statusCode ?? 0, error: null }));
        response.on('error', () => undefined);
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ statusCode: null, error: describe(error) }));
    request.end(body);
  });
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'timed out';
  if (error.code === 'ERR_WEBHOOK_ADDRESS') return error.message.slice(0, 300);
  return (error.code ?? 'connection failed').slice(0, 100);
}

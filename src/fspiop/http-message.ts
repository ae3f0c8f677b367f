import { TrustloopError } from '../core/errors.js';
import type { FspiopRequest } from './message.js';

/**
 * Reads an HTTP request message as a DFSP engineer would save it: a request line, header lines,
 * a blank line, and the body. With Content-Length the body is exactly that many bytes; without it,
 * the rest of the file less one final newline (the one editors add).
 */
export function parseHttpMessage(bytes: Buffer): FspiopRequest {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const [end, gap] = crlf !== -1 && (lf === -1 || crlf < lf) ? [crlf, 4] : [lf, 2];
  if (end === -1)
    throw new TrustloopError('ERR_VALIDATION', 'the request file needs a blank line between headers and body');
  const [requestLine, ...lines] = bytes.subarray(0, end).toString('utf8').split(/\r?\n/);
  const match = /^([A-Za-z]+) (\/\S*) HTTP\/1\.[01]$/.exec(requestLine ?? '');
  if (!match) throw new TrustloopError('ERR_VALIDATION', 'the first line must be like "POST /quotes HTTP/1.1"');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new TrustloopError('ERR_VALIDATION', `not a header line: '${line.slice(0, 40)}'`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  let body = bytes.subarray(end + gap);
  const length = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-length')?.[1];
  if (length !== undefined) {
    if (!/^\d{1,9}$/.test(length) || Number(length) > body.length)
      throw new TrustloopError('ERR_VALIDATION', `Content-Length ${length.slice(0, 12)} does not match the body`);
    body = body.subarray(0, Number(length));
  } else if (body.at(-1) === 0x0a) body = body.subarray(0, body.at(-2) === 0x0d ? -2 : -1);
  return { method: match[1]!, uri: match[2]!, headers, body };
}

/** Writes the message back, with Content-Length set to the body's length so it reads back exactly. */
export function formatHttpMessage(request: FspiopRequest): Buffer {
  const headers = Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== 'content-length');
  const head = [
    `${request.method} ${request.uri} HTTP/1.1`,
    ...headers.map(([name, value]) => `${name}: ${value}`),
    `Content-Length: ${request.body.length}`,
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'utf8'), request.body]);
}

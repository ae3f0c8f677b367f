import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '../app.js';
import { systemContext, type RequestContext } from '../core/context.js';
import { isTrustloopError } from '../core/errors.js';
import { FSPIOP_ERROR_BY_CODE, MAX_FSPIOP_BODY_BYTES } from './message.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those fetch sets itself are not forwarded. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'te',
  'trailer',
  'proxy-connection',
]);

/**
 * The hub's inline verifier: a small reverse proxy in front of `upstream` that checks the
 * FSPIOP-Signature of every request carrying a body against the sender's registered certificate,
 * over the body bytes as received, and forwards those same bytes. A failure never reaches the
 * upstream: it is answered with the FSPIOP error (3105 invalid signature, 3106 modified request,
 * …) in the API's ErrorInformationResponse form, and audited like every verification.
 */
export async function buildVerifyingProxy(app: App, options: { upstream: string }): Promise<FastifyInstance> {
  const upstream = new URL(options.upstream);
  const proxy = Fastify({ bodyLimit: MAX_FSPIOP_BODY_BYTES });
  proxy.removeAllContentTypeParsers();
  proxy.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  proxy.all('/*', async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const headers = Object.fromEntries(
      Object.entries(request.headers).flatMap(([name, value]) =>
        typeof value === 'string' ? [[name, value]] : Array.isArray(value) ? [[name, value.join(', ')]] : [],
      ),
    );
    const ctx: RequestContext = { ...systemContext(), requestId: request.id, sourceIp: request.ip, service: 'api' };
    if (body.length > 0) {
      try {
        await app.fspiop.verify(ctx, { method: request.method, uri: request.url, headers, body });
      } catch (error) {
        const code = isTrustloopError(error) ? error.code : 'ERR_INTERNAL';
        const fspiop = FSPIOP_ERROR_BY_CODE[code] ?? { code: '2001', description: 'Internal server error' };
        const status = code === 'ERR_INTERNAL' || code === 'ERR_AUDIT_UNAVAILABLE' ? 500 : 400;
        return reply.code(status).send({
          errorInformation: {
            errorCode: fspiop.code,
            errorDescription: `${fspiop.description}: ${isTrustloopError(error) ? error.message : 'verification failed'}`,
            extensionList: { extension: [{ key: 'trustloopCode', value: code }] },
          },
        });
      }
    }
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_FORWARDED.has(name)));
    const response = await fetch(new URL(request.url, upstream), {
      method: request.method,
      headers: forwarded,
      ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
    });
    reply.code(response.status);
    for (const [name, value] of response.headers) if (!NOT_FORWARDED.has(name)) reply.header(name, value);
    return reply.send(Buffer.from(await response.arrayBuffer()));
  });
  return proxy;
}

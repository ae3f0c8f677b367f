import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import helmet from 'helmet';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteOptions,
} from 'fastify';
import type { App } from '../app.js';
import { auditRoutes } from '../audit/routes.js';
import type { Logger } from '../core/logger.js';
import { TrustloopError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { Problem, type Api } from '../core/http.js';
import { sessionRoutes } from '../iam/sessions/routes.js';
import { tokenRoutes } from '../iam/tokens/routes.js';
import { accessReviewRoutes } from '../iam/reviews/routes.js';
import { participantRoutes } from '../participants/routes.js';
import { keyImportRoutes } from '../cpm/routes/import.js';
import { keyRoutes } from '../cpm/routes/keys.js';
import { keystoreRoutes } from '../cpm/routes/keystore.js';
import { operationRoutes } from '../cpm/routes/ops.js';
import { certificateRoutes as fspiopCertificateRoutes } from '../fspiop/certificates/routes.js';
import { fspiopRoutes } from '../fspiop/routes.js';
import { assessmentRoutes } from '../controls/routes/assessments.js';
import { catalogRoutes } from '../controls/routes/catalogs.js';
import { caRoutes } from '../pki/routes/cas.js';
import { certificateRoutes } from '../pki/routes/certificates.js';
import { enrolmentRoutes } from '../pki/routes/enrolments.js';
import { publicPkiRoutes } from '../pki/routes/public.js';
import { domainRoutes } from '../pki/routes/domains.js';
import { notificationRoutes } from '../notifications/routes.js';
import { authenticateRequest, baseContext } from './auth.js';
import { operationalRoutes } from './operational.js';
import { Metrics } from './metrics.js';
import { problem, sendProblem, toProblem } from './problem.js';
import { validatorCompiler } from './validation.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;
/** Built asset names are plain; anything else (encoded, odd) gets index.html rather than a file lookup. */
const ASSET_PATH = /^[A-Za-z0-9._/-]{1,200}$/;

export interface BuildOptions {
  /** TLS options for an HTTPS listener (the participant mTLS port). */
  https?: import('node:https').ServerOptions;
  /** Who callers are: bearer tokens and UI sessions, or (mTLS) their client certificate. */
  authenticateBy?: 'token' | 'certificate';
}

/** Assembles the HTTP API and the web UI on top of an opened App. Listening is the caller's choice. */
export async function buildServer(app: App, logger: Logger, options: BuildOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({
    ...(options.https ? { https: options.https } : {}),
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: app.config.bodyLimitBytes,
    trustProxy: app.config.trustProxy,
    genReqId: (raw) => {
      const offered = raw.headers['x-request-id'];
      return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : newId('req');
    },
    // Forbidden keys in a JSON body are refused, never silently dropped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // The router refuses these before any hook runs; answer as problem+json, never echoing the path.
    frameworkErrors: (error, request, reply) =>
      sendProblem(
        reply,
        problem(
          'ERR_VALIDATION',
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? 'a path segment is too long'
            : 'the URL is not valid percent-encoded UTF-8',
          request.id,
        ),
      ),
  }).withTypeProvider<TypeBoxTypeProvider>();

  server.setValidatorCompiler(validatorCompiler);
  // The API speaks JSON only; a text body is refused with 415 rather than parsed as a string.
  server.removeContentTypeParser('text/plain');
  acceptStrictJson(server);
  server.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, request)));
  server.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await server.register(fastifyCookie);
  // Built once: @fastify/helmet built helmet (parsing the CSP) again for every response.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The component library sets style attributes at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  server.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined)),
  );
  await server.register(fastifyRateLimit, { global: false });
  await server.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Trustloop API',
        version: '1',
        description:
          'Trust platform of an instant-payments scheme. Errors are RFC 9457 problem+json with a stable code.',
      },
      components: {
        securitySchemes: {
          bearerToken: { type: 'http', scheme: 'bearer', description: 'tl.<token id>.<secret>' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'tl_session' },
        },
      },
    },
  });

  const metrics = new Metrics();
  server.addHook('onRoute', (route) => declareRoute(route as RouteOptions));
  server.addHook('onRequest', authenticateRequest(app, options.authenticateBy));
  server.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));

  const api = server as unknown as Api;
  operationalRoutes(api, app, metrics, () => server.swagger());
  sessionRoutes(api, app.sessions, app.config.publicRateLimitPerMinute);
  tokenRoutes(api, app.tokens);
  accessReviewRoutes(api, app.accessReviews);
  participantRoutes(api, app.participants);
  auditRoutes(api, app.audit);
  keystoreRoutes(api, app.ceremony);
  keyRoutes(api, app.keys);
  keyImportRoutes(api, app.keyImport);
  operationRoutes(api, app.crypto);
  fspiopRoutes(api, app.fspiop);
  fspiopCertificateRoutes(api, app.fspiop.certificates);
  catalogRoutes(api, app.controls);
  assessmentRoutes(api, app.controls, app.evidence, app.collectors);
  caRoutes(api, app.pki);
  enrolmentRoutes(api, app.pki);
  certificateRoutes(api, app.pki);
  publicPkiRoutes(api, app.pki);
  domainRoutes(api, app.pki);
  notificationRoutes(api, app.notifications);

  await serveWebUi(server, app.config.webDir);
  return server;
}

const PROBLEM_RESPONSE = {
  description: 'RFC 9457 problem details',
  content: { 'application/problem+json': { schema: Problem } },
};

/**
 * Checked for every route as it is added: no access declaration, no route (deny by default).
 * Also gives every route the problem+json error responses and its security in the OpenAPI document.
 */
function declareRoute(route: RouteOptions): void {
  const access = route.config?.access;
  if (!access) throw new Error(`route ${String(route.method)} ${route.url} declares no access`);
  const schema = (route.schema ??= {});
  const response = (schema.response ??= {}) as Record<string, unknown>;
  response['4xx'] ??= PROBLEM_RESPONSE;
  response['5xx'] ??= PROBLEM_RESPONSE;
  const extensions = schema as Record<string, unknown>;
  if ('public' in access) {
    extensions['x-public'] = true;
    return;
  }
  // Machine-readable for clients and for the access-control tests that walk /openapi.json.
  extensions['x-permission'] = access.permission;
  extensions.security = [{ bearerToken: [] }, { sessionCookie: [] }];
  const description = `Requires permission \`${access.permission}\`.`;
  // Fastify hands the HEAD twin of a GET route the same schema object: add the line once.
  if (!schema.description?.includes(description)) {
    schema.description = schema.description ? `${schema.description}\n\n${description}` : description;
  }
}

/**
 * JSON bodies must be valid UTF-8: Node would otherwise replace bad bytes with U+FFFD and store
 * something the caller never sent. Parsing itself stays Fastify's (forbidden keys refused).
 */
function acceptStrictJson(server: FastifyInstance): void {
  const parseJson = server.getDefaultJsonParser('error', 'error');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = decoder.decode(body as Buffer);
    } catch {
      done(new TrustloopError('ERR_MALFORMED_JSON', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/**
 * The built React app. Unknown GET paths outside /api get index.html so client-side routes
 * survive a reload; everything else unknown is a problem+json 404.
 */
async function serveWebUi(server: FastifyInstance, webDir: string): Promise<void> {
  const hasUi = existsSync(path.join(webDir, 'index.html'));
  if (hasUi) await server.register(fastifyStatic, { root: path.resolve(webDir), serve: false, cacheControl: false });
  server.setNotFoundHandler(async (request: FastifyRequest, reply: FastifyReply) => {
    request.ctx ??= baseContext(request);
    const pathname = request.url.split('?')[0] ?? '/';
    // /pki/ holds the public CRL, CA-certificate and OCSP endpoints: machine paths, never pages.
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') &&
      !pathname.startsWith('/api/') &&
      !pathname.startsWith('/pki/') &&
      pathname !== '/pki';
    if (!isPage)
      return sendProblem(
        reply,
        problem('ERR_NOT_FOUND', `no route ${request.method} ${pathname.slice(0, 200)}`, request.id),
      );
    if (!hasUi) {
      return sendProblem(
        reply,
        problem('ERR_NOT_FOUND', 'the web UI is not built; run `npm run build:web`', request.id),
      );
    }
    const file = pathname.slice(1);
    const isAsset = ASSET_PATH.test(file) && !file.split('/').includes('..') && isFileInside(webDir, file);
    // Vite names every file under assets/ by its content hash, so those never change.
    const immutable = isAsset && file.startsWith('assets/');
    return reply
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .sendFile(isAsset ? file : 'index.html');
  });
}

function isFileInside(root: string, relative: string): boolean {
  const resolved = path.resolve(root, relative);
  if (!resolved.startsWith(path.resolve(root) + path.sep)) return false;
  try {
    return statSync(resolved).isFile();
  } catch {
    return false;
  }
}

import type { Api } from '../../core/http.js';
import type { TokenService } from './service.js';
import { CreatedToken, CreateToken, TokenList, TokenParams, TokenQuery, TokenView } from './schemas.js';

const tags = ['access'];
const DAY_MS = 86_400_000;

export function tokenRoutes(app: Api, tokens: TokenService): void {
  app.get(
    '/api/v1/tokens',
    {
      config: { access: { permission: 'tokens:read' } },
      schema: {
        tags,
        summary: 'List API tokens (never their secrets)',
        querystring: TokenQuery,
        response: { 200: TokenList },
      },
    },
    async (request) => ({ items: await tokens.list(request.query.includeRevoked ?? false) }),
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { access: { permission: 'tokens:write' } },
      schema: {
        tags,
        summary: 'Create an API token; its secret is returned once',
        body: CreateToken,
        response: { 201: CreatedToken },
      },
    },
    async (request, reply) => {
      const { name, role, participantId, expiresInDays } = request.body;
      const expiresAt = new Date(Date.now() + (expiresInDays ?? 90) * DAY_MS).toISOString();
      const created = await tokens.create(request.ctx, { name, role, participantId: participantId ?? null, expiresAt });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ token: created.token, tokenInfo: created.view });
    },
  );

  app.get(
    '/api/v1/tokens/:id',
    {
      config: { access: { permission: 'tokens:read' } },
      schema: { tags, summary: 'Read one API token', params: TokenParams, response: { 200: TokenView } },
    },
    (request) => tokens.get(request.params.id),
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { access: { permission: 'tokens:write' } },
      schema: {
        tags,
        summary: 'Revoke an API token (its sessions end too)',
        params: TokenParams,
        response: { 200: TokenView },
      },
    },
    (request) => tokens.revoke(request.ctx, request.params.id),
  );
}

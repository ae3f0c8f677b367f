import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { systemContext } from '../../src/core/context.js';
import type { Config } from '../../src/core/config.js';
import { createLogger } from '../../src/core/logger.js';
import { buildServer } from '../../src/http/server.js';
import { ROLES, type Role } from '../../src/iam/permissions.js';
import { openTestApp, type EngineName, type TestApp } from './engines.js';

export interface TestServer {
  app: TestApp;
  server: FastifyInstance;
  /** One live token per role; `participant` is bound to PARTICIPANT_A. */
  tokens: Record<Role, string>;
  /** A participant token bound to PARTICIPANT_B. */
  otherParticipantToken: string;
  /** Opens the software keystore again after a test sealed it (no-op when it is open or PKCS#11). */
  reopenKeystore(): Promise<void>;
  /** Sends a request, with `as` choosing the bearer token by role. */
  request(options: InjectOptions & { as?: Role | 'other-participant' | 'none' }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const PARTICIPANT_A = 'dfsp-a';
export const PARTICIPANT_B = 'dfsp-b';

/**
 * A full server (routes, hooks, error handling) on a fresh store with the hub, two DFSPs, a
 * token for every role and an unsealed keystore (unless `sealed`). Requests go through Fastify's inject: no port, same code path.
 */
export async function startTestServer(
  engine: EngineName,
  overrides: Partial<Config> = {},
  options: { sealed?: boolean } = {},
): Promise<TestServer> {
  const app = await openTestApp(engine, overrides);
  const ctx = systemContext();
  let shares: string[] = [];
  if (app.config.keystore === 'pkcs11') await app.ceremony.start(ctx);
  else if (!options.sealed) {
    shares = await app.ceremony.init(ctx, { shares: 2, threshold: 2 });
    for (const share of shares) await app.ceremony.unseal(ctx, share);
  }
  await app.participants.create(ctx, { id: 'hub', name: 'Scheme hub', kind: 'hub' });
  await app.participants.create(ctx, { id: PARTICIPANT_A, name: 'Bank A', kind: 'dfsp' });
  await app.participants.create(ctx, { id: PARTICIPANT_B, name: 'Wallet B', kind: 'dfsp' });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const participantId = role === 'participant' ? PARTICIPANT_A : null;
    tokens[role] = (await app.tokens.create(ctx, { name: `test ${role}`, role, participantId })).token;
  }
  const otherParticipantToken = (
    await app.tokens.create(ctx, { name: 'test other participant', role: 'participant', participantId: PARTICIPANT_B })
  ).token;
  const server = await buildServer(app, createLogger('silent'));
  await server.ready();
  return {
    app,
    server,
    tokens,
    otherParticipantToken,
    reopenKeystore: async () => {
      if (!app.keystore.sealed || shares.length === 0) return;
      for (const share of shares) await app.ceremony.unseal(ctx, share);
    },
    request: ({ as = 'admin', headers, ...options }) => {
      const token = as === 'none' ? undefined : as === 'other-participant' ? otherParticipantToken : tokens[as];
      return server.inject({
        ...options,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      });
    },
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}

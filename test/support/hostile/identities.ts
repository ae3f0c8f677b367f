import { systemContext } from '../../../src/core/context.js';
import { ROLES, type Role } from '../../../src/iam/permissions.js';
import { SESSION_COOKIE } from '../../../src/iam/sessions/routes.js';
import { PARTICIPANT_A, PARTICIPANT_B, type TestServer } from '../server.js';

/** Who sends a request: the headers that say so, and the participant it is bound to, if any. */
export interface Identity {
  name: string;
  headers: Record<string, string>;
  participantId: string | null;
}

interface Minted {
  role: Role;
  participantId: string | null;
  token: string;
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * Every caller the harness impersonates: nobody, broken and forged credentials, a revoked token,
 * one token per role, the other participant's token and a UI session that omits its CSRF header.
 * A hostile request that succeeds may revoke one of these tokens; `heal` mints a replacement.
 */
export class Identities {
  private constructor(
    private readonly server: TestServer,
    private readonly minted: Map<string, Minted>,
    private readonly fixed: Identity[],
    private session: { cookie: string; csrf: string },
  ) {}

  static async create(server: TestServer): Promise<Identities> {
    const minted = new Map<string, Minted>();
    for (const role of ROLES) {
      minted.set(role, {
        role,
        participantId: role === 'participant' ? PARTICIPANT_A : null,
        token: server.tokens[role],
      });
    }
    minted.set('other participant', {
      role: 'participant',
      participantId: PARTICIPANT_B,
      token: server.otherParticipantToken,
    });
    const ctx = systemContext();
    const revoked = await server.app.tokens.create(ctx, {
      name: 'hostile revoked',
      role: 'admin',
      participantId: null,
    });
    await server.app.tokens.revoke(ctx, revoked.view.id);
    const [prefix, id] = server.tokens.admin.split('.');
    const fixed: Identity[] = [
      { name: 'no credentials', headers: {}, participantId: null },
      { name: 'malformed authorization', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, participantId: null },
      { name: 'garbage token', headers: bearer("' OR 1=1 --<script>"), participantId: null },
      { name: 'forged secret', headers: bearer(`${prefix}.${id}.${'A'.repeat(43)}`), participantId: null },
      { name: 'revoked token', headers: bearer(revoked.token), participantId: null },
    ];
    const started = await server.app.sessions.start(ctx, server.tokens.admin);
    return new Identities(server, minted, fixed, { cookie: started.cookie, csrf: started.csrfToken });
  }

  list(): Identity[] {
    const tokens = [...this.minted].map(([name, m]) => ({
      name,
      headers: bearer(m.token),
      participantId: m.participantId,
    }));
    const session = {
      name: 'admin UI session without CSRF header',
      headers: { cookie: `${SESSION_COOKIE}=${this.session.cookie}` },
      participantId: null,
    };
    return [...this.fixed, ...tokens, session];
  }

  /** Every credential in play: none may ever appear in an error body. */
  secrets(): string[] {
    const tokens = [...this.minted.values()].map((m) => m.token);
    const all = [...tokens, this.session.cookie, this.session.csrf];
    return [...all, ...all.map((text) => text.split('.').at(-1) ?? text)];
  }

  /** Replaces any token or session a successful request ended. Returns true when it wrote to the store. */
  async heal(): Promise<boolean> {
    const ctx = systemContext();
    let wrote = false;
    for (const [name, m] of this.minted) {
      if (await this.works(m.token)) continue;
      const created = await this.server.app.tokens.create(ctx, {
        name: `hostile ${name}`,
        role: m.role,
        participantId: m.participantId,
      });
      this.minted.set(name, { ...m, token: created.token });
      wrote = true;
    }
    if (!(await this.server.app.sessions.resolve(this.session.cookie))) {
      const started = await this.server.app.sessions.start(ctx, this.minted.get('admin')!.token);
      this.session = { cookie: started.cookie, csrf: started.csrfToken };
      wrote = true;
    }
    return wrote;
  }

  private async works(token: string): Promise<boolean> {
    try {
      await this.server.app.tokens.authenticate(token);
      return true;
    } catch {
      return false;
    }
  }
}

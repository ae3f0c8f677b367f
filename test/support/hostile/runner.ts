import { PARTICIPANT_A, PARTICIPANT_B, type TestServer } from '../server.js';
import { checkResponse, checkWrites, type Exchange, type Finding } from './checks.js';
import { Identities, type Identity } from './identities.js';
import { excerpt, type HostileCase } from './request.js';
import { StoreWatch, type Snapshot } from './store-watch.js';

/** A broken rule, with everything needed to replay the request by hand. */
export interface Violation extends Finding {
  operation: string;
  exchange: Exchange;
}

/**
 * Sends hostile requests through Fastify's inject (no port) and judges each answer and what it
 * wrote. The store is snapshotted between requests, so a write is pinned on the request that made it.
 */
export class Runner {
  readonly violations: Violation[] = [];
  readonly statuses = new Map<number, number>();
  requests = 0;

  private constructor(
    private readonly server: TestServer,
    readonly watch: StoreWatch,
    readonly identities: Identities,
    private current: Snapshot,
  ) {}

  static async open(server: TestServer): Promise<Runner> {
    const watch = await StoreWatch.open(server.app.database.db, server.app.engine);
    const identities = await Identities.create(server);
    return new Runner(server, watch, identities, await watch.snapshot());
  }

  /** Takes the store as it is now as the baseline, after the test itself changed it between cases. */
  async resync(): Promise<void> {
    this.current = await this.watch.snapshot();
  }

  /**
   * Sends one case as one identity and returns its status and what it broke; `record: false`
   * leaves the findings out of `violations` (fast-check judges and shrinks them first).
   */
  async send(
    operation: string,
    hostileCase: HostileCase,
    identity: Identity,
    record = true,
  ): Promise<{ status: number; found: Violation[] }> {
    const response = await this.server.server.inject({
      method: hostileCase.method as 'GET',
      url: hostileCase.url,
      headers: { ...hostileCase.headers, ...identity.headers },
      ...(hostileCase.payload === undefined ? {} : { payload: hostileCase.payload }),
    });
    this.requests += 1;
    this.statuses.set(response.statusCode, (this.statuses.get(response.statusCode) ?? 0) + 1);
    const requestId = response.headers['x-request-id'];
    const exchange: Exchange = {
      operation,
      hostileCase,
      identity,
      status: response.statusCode,
      contentType: String(response.headers['content-type'] ?? ''),
      body: response.body,
      requestId: typeof requestId === 'string' ? requestId : undefined,
    };
    const { after, changes } = await this.watch.changesSince(this.current);
    this.current = after;
    const context = { secrets: this.identities.secrets(), participantIds: [PARTICIPANT_A, PARTICIPANT_B] };
    const findings = [...checkResponse(exchange, context), ...checkWrites(exchange, changes)];
    // One violation per request: several rules broken by one answer are one thing to fix.
    const found: Violation[] =
      findings.length === 0
        ? []
        : [
            {
              rule: findings.map((f) => f.rule).join(' + '),
              message: findings.map((f) => f.message).join('; '),
              operation,
              exchange,
            },
          ];
    if (record) this.violations.push(...found);
    if (changes.changed.length > 0 && (await this.identities.heal())) this.current = await this.watch.snapshot();
    return { status: response.statusCode, found };
  }
}

/** One violation as a reader can act on it: the request, the identity, the answer, the rule. */
export function describeViolation(v: Violation): string {
  const ex = v.exchange;
  const c = ex.hostileCase;
  const payload =
    c.payload === undefined
      ? 'none'
      : Buffer.isBuffer(c.payload)
        ? `bytes ${c.payload.toString('hex').slice(0, 120)}`
        : excerpt(c.payload, 160);
  return [
    `${c.method} ${c.url.length > 400 ? `${c.url.slice(0, 400)}… (${c.url.length} chars)` : c.url}  as ${ex.identity.name}`,
    `  case: ${c.family}: ${c.label}`,
    `  headers: ${excerpt(c.headers, 160)} + credentials of '${ex.identity.name}'`,
    `  payload: ${payload}`,
    `  answer: ${ex.status} ${ex.contentType} ${excerpt(ex.body, 240)}`,
    `  broken: ${v.rule}: ${v.message}`,
  ].join('\n');
}

/** Violations grouped by operation, rule and status, with the first example of each in full. */
export function report(violations: readonly Violation[], maxGroups = 40): string {
  const groups = new Map<string, Violation[]>();
  for (const v of violations) {
    const key = `${v.operation} | ${v.rule} | ${v.exchange.status}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const lines = [`${violations.length} violations in ${groups.size} groups:`];
  for (const [key, members] of [...groups].slice(0, maxGroups)) {
    lines.push('', `■ ${key} — ${members.length}×`, describeViolation(members[0]!));
    const first = members[0]!.exchange.hostileCase.label;
    const others = [...new Set(members.map((m) => m.exchange.hostileCase.label))].filter((label) => label !== first);
    if (others.length > 0) lines.push(`  also: ${others.slice(0, 12).join(' | ')}${others.length > 12 ? ' | …' : ''}`);
  }
  if (groups.size > maxGroups) lines.push('', `… and ${groups.size - maxGroups} more groups`);
  return lines.join('\n');
}

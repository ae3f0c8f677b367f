import type { Identity } from './identities.js';
import type { HostileCase } from './request.js';
import { isRecord } from './schema.js';
import { participantsOf, type StoreChanges } from './store-watch.js';

/** One answer to one hostile request. */
export interface Exchange {
  operation: string;
  hostileCase: HostileCase;
  identity: Identity;
  status: number;
  contentType: string;
  body: string;
  requestId: string | undefined;
}

/** A broken rule: `rule` groups like failures, `message` says what exactly was wrong. */
export interface Finding {
  rule: string;
  message: string;
}

export interface CheckContext {
  /** Every credential in play. */
  secrets: readonly string[];
  /** Fixture participants, for the cross-participant checks. */
  participantIds: readonly string[];
}

/** Statuses of a refusal at the door: an identity may always be turned away before its input is read. */
const DOOR = new Set([401, 403, 429]);
const CODE = /^ERR_[A-Z_]+$/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Text that betrays internals: stack frames, source paths, SQL, driver and framework codes. */
const INTERNALS: readonly [string, RegExp][] = [
  ['stack trace', /\n\s+at |^\s+at /m],
  ['source path', /\.(ts|js|mjs|cjs):\d+/],
  ['node_modules path', /node_modules/],
  ['SQL', /\b(SELECT|INSERT|UPDATE|DELETE FROM) /],
  ['SQLite error', /SQLITE_/],
  ['PostgreSQL error', /syntax error at or near|violates .* constraint|invalid byte sequence|out of range for type/],
  ['framework error code', /FST_ERR_/],
];

export function checkResponse(ex: Exchange, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  // A sealed keystore answering 503 ERR_SEALED is specified behaviour (the harness's own valid
  // requests include sealing it), not a failure; every other 5xx is.
  const sealed = ex.status === 503 && codeOf(ex.body) === 'ERR_SEALED';
  if (ex.status >= 500 && !sealed)
    findings.push({ rule: `5xx (${ex.status} ${codeOf(ex.body) ?? ''})`, message: `answered ${ex.status}` });
  if (ex.status >= 400 && ex.hostileCase.method !== 'HEAD') findings.push(...checkProblem(ex, ctx));
  if (ex.requestId !== undefined && !REQUEST_ID.test(ex.requestId)) {
    findings.push({
      rule: 'x-request-id echoes input',
      message: `x-request-id is ${JSON.stringify(ex.requestId.slice(0, 80))}`,
    });
  }
  findings.push(...checkExpectation(ex));
  if (ex.identity.participantId !== null && ex.status < 300) findings.push(...checkNoOtherParticipant(ex, ctx));
  return findings;
}

function checkProblem(ex: Exchange, ctx: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const shape = problemShapeErrors(ex);
  if (shape.length > 0) findings.push({ rule: 'not a problem+json answer', message: shape.join('; ') });
  const sent = requestText(ex.hostileCase);
  for (const [what, pattern] of INTERNALS) {
    const match = pattern.exec(ex.body);
    if (match && !sent.includes(match[0])) {
      findings.push({ rule: `error body leaks ${what}`, message: `contains ${JSON.stringify(match[0])}` });
    }
  }
  if (ctx.secrets.some((secret) => secret.length >= 16 && ex.body.includes(secret))) {
    findings.push({ rule: 'error body leaks a credential', message: 'contains a live token, cookie or CSRF secret' });
  }
  return findings;
}

/** What keeps an error answer from being RFC 9457 problem+json with a Trustloop code. */
function problemShapeErrors(ex: Exchange): string[] {
  const errors: string[] = [];
  if (!ex.contentType.startsWith('application/problem+json')) errors.push(`content-type is '${ex.contentType}'`);
  const body = parse(ex.body);
  if (!isRecord(body)) return [...errors, 'the body is not a JSON object'];
  if (typeof body.code !== 'string' || !CODE.test(body.code)) errors.push(`code is ${JSON.stringify(body.code)}`);
  if (typeof body.detail !== 'string') errors.push('detail is missing');
  if (body.status !== ex.status) errors.push(`body status is ${JSON.stringify(body.status)}`);
  return errors;
}

function checkExpectation(ex: Exchange): Finding[] {
  const expect = ex.hostileCase.expect;
  if (!expect) return [];
  if (ex.status < 400)
    return [{ rule: 'hostile request accepted', message: `${expect.reason}, but it was answered ${ex.status}` }];
  if (expect.statuses && !expect.statuses.includes(ex.status) && !DOOR.has(ex.status)) {
    return [
      {
        rule: `wrong refusal status ${ex.status}`,
        message: `${expect.reason}: expected ${expect.statuses.join(' or ')}`,
      },
    ];
  }
  return [];
}

/** A participant-bound caller is never shown another participant's record. */
function checkNoOtherParticipant(ex: Exchange, ctx: CheckContext): Finding[] {
  return ctx.participantIds
    .filter((id) => id !== ex.identity.participantId)
    .filter((id) => new RegExp(`"(id|participantId)":${JSON.stringify(id)}`).test(ex.body))
    .map((id) => ({ rule: 'participant sees another participant', message: `a ${ex.status} answer shows '${id}'` }));
}

/** A refused request writes nothing but its denial; no participant's request touches another's rows. */
export function checkWrites(ex: Exchange, changes: StoreChanges): Finding[] {
  const findings: Finding[] = [];
  if (ex.status >= 400) {
    for (const change of changes.changed) {
      const rows = [
        ...change.added.map((r) => `+${JSON.stringify(r)}`),
        ...change.removed.map((r) => `-${JSON.stringify(r)}`),
      ];
      findings.push({ rule: `refused request wrote to ${change.table}`, message: rows.join(' ').slice(0, 400) });
    }
    for (const { table, row } of changes.appended.filter((a) => !a.allowedOnRefusal)) {
      findings.push({
        rule: `refused request appended a success to ${table}`,
        message: JSON.stringify(row).slice(0, 300),
      });
    }
  }
  const own = ex.identity.participantId;
  if (own !== null) {
    for (const change of changes.changed) {
      const others = [...participantsOf(change)].filter((id) => id !== own);
      if (others.length > 0) {
        findings.push({
          rule: 'participant changed another participant',
          message: `${change.table} rows of ${others.join(', ')} changed`,
        });
      }
    }
  }
  return findings;
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const codeOf = (text: string): string | undefined => {
  const body = parse(text);
  return isRecord(body) && typeof body.code === 'string' ? body.code : undefined;
};

/** The request as text, decoded where possible: an answer may quote what it was sent. */
function requestText(c: HostileCase): string {
  let url = c.url;
  try {
    url = `${c.url} ${decodeURIComponent(c.url)}`;
  } catch {
    // A deliberately broken escape: keep the raw form.
  }
  const payload = typeof c.payload === 'string' ? c.payload : (c.payload?.toString('utf8') ?? '');
  return `${url} ${payload}`;
}

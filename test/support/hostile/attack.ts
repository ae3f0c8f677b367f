import { bodyMutationCases, mediaCases, rawBodyCases } from './body-cases.js';
import { fuzzOperation } from './fuzz.js';
import type { Identity } from './identities.js';
import { operationName, type Operation } from './openapi.js';
import { headerCases, pathCases, queryCases, urlCases } from './param-cases.js';
import { baselineOf, caseOf, hash, type HostileCase, type KnownIds } from './request.js';
import type { Runner } from './runner.js';

export interface AttackOptions {
  seed: number;
  knownIds: KnownIds;
  bodyLimit: number;
  /** fast-check runs per operation, after the systematic cases. */
  fuzzRuns: number;
}

/** Statuses that turn an identity away before its input is read. */
const DOOR = new Set([401, 403]);

/** Every systematic case for one operation, the valid baseline first. */
export function casesFor(op: Operation, options: AttackOptions): HostileCase[] {
  const seed = options.seed + hash(operationName(op));
  const base = baselineOf(op, seed, options.knownIds);
  return [
    caseOf(op, base, 'baseline', 'valid request (json-schema-faker)', { everyIdentity: true }),
    ...bodyMutationCases(op, base),
    ...rawBodyCases(op, base, options.bodyLimit),
    ...mediaCases(op, base),
    ...pathCases(op, base, options.knownIds, seed),
    ...queryCases(op, base, seed),
    ...headerCases(op, base),
    ...urlCases(op, base),
  ];
}

/**
 * Attacks one operation: the valid request with every identity (which tells who gets past the
 * door), then each hostile case with one identity that gets in and one that rotates through all
 * of them, then seeded fast-check runs. Returns how many requests it sent.
 */
export async function attackOperation(runner: Runner, op: Operation, options: AttackOptions): Promise<number> {
  const name = operationName(op);
  const [baseline, ...cases] = casesFor(op, options);
  const sentBefore = runner.requests;
  const admitted: string[] = [];
  for (const identity of runner.identities.list()) {
    const status = await sendAs(runner, name, baseline!, identity);
    if (!DOOR.has(status)) admitted.push(identity.name);
  }
  const fallback = admitted.length > 0 ? admitted : ['admin'];
  for (const [index, hostileCase] of cases.entries()) {
    const all = runner.identities.list();
    const chosen = hostileCase.everyIdentity
      ? all
      : pick(all, [fallback[index % fallback.length]!, all[(index * 7 + 3) % all.length]!.name]);
    for (const identity of chosen) await sendAs(runner, name, hostileCase, identity);
  }
  if (hasInputs(op)) {
    await fuzzOperation(runner, op, {
      seed: options.seed + hash(name),
      runs: options.fuzzRuns,
      admitted: fallback,
      knownIds: options.knownIds,
    });
  }
  return runner.requests - sentBefore;
}

async function sendAs(runner: Runner, name: string, hostileCase: HostileCase, identity: Identity): Promise<number> {
  return (await runner.send(name, hostileCase, identity)).status;
}

/** Random values need somewhere to go: a body, a path or a query parameter. */
const hasInputs = (op: Operation): boolean => op.body !== undefined || op.pathParams.length > 0 || op.query.length > 0;

const pick = (all: Identity[], names: string[]): Identity[] => all.filter((identity) => names.includes(identity.name));

/** Methods no operation declares on a path, sent with every identity. */
export async function attackUndeclaredMethods(runner: Runner, cases: readonly HostileCase[]): Promise<void> {
  for (const hostileCase of cases) {
    for (const identity of runner.identities.list())
      await runner.send(`${hostileCase.method} ${hostileCase.url}`, hostileCase, identity);
  }
}

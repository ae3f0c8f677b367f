import fc from 'fast-check';
import { pointsOf, setAt } from './body-cases.js';
import { operationName, type Operation } from './openapi.js';
import { baselineOf, caseOf, excerpt, type KnownIds, type RequestParts } from './request.js';
import type { Runner, Violation } from './runner.js';
import { asReceived, nastyJson, nastyString } from './values.js';

export interface FuzzOptions {
  seed: number;
  runs: number;
  /** Identities that get past the door; most runs use one of them. */
  admitted: readonly string[];
  knownIds: KnownIds;
}

interface FuzzInput {
  identity: string;
  parts: RequestParts;
}

/**
 * Seeded fast-check runs against one operation: random values in one body field (or a random
 * body), in each path and query parameter. A failing run is shrunk by fast-check to the smallest
 * request that still breaks a rule, and only that request is recorded, so the report is short.
 */
export async function fuzzOperation(runner: Runner, op: Operation, options: FuzzOptions): Promise<void> {
  if (options.runs <= 0) return;
  const name = operationName(op);
  const input = inputArbitrary(op, baselineOf(op, options.seed, options.knownIds), runner, options);
  const send = async ({ identity, parts }: FuzzInput, record: boolean) => {
    const target = runner.identities.list().find((i) => i.name === identity) ?? runner.identities.list()[0]!;
    const label = `fast-check seed ${options.seed}: ${excerpt({ path: parts.path, query: parts.query, body: parts.body }, 120)}`;
    return runner.send(name, caseOf(op, parts, 'random', label), target, record);
  };
  let lastFound: Violation[] = [];
  const details = await fc.check(
    fc.asyncProperty(input, async (value) => {
      const { found } = await send(value, false);
      if (found.length > 0) lastFound = found;
      return found.length === 0;
    }),
    { seed: options.seed, numRuns: options.runs, endOnFailure: false },
  );
  const counterexample = details.counterexample?.[0];
  if (!details.failed || !counterexample) return;
  // The shrunk request is sent again to be recorded; should the store have moved on so that it
  // no longer fails, the last failure seen is recorded instead.
  const replay = await send(counterexample, true);
  if (replay.found.length === 0) runner.violations.push(...lastFound);
}

function inputArbitrary(
  op: Operation,
  base: RequestParts,
  runner: Runner,
  options: FuzzOptions,
): fc.Arbitrary<FuzzInput> {
  const everyone = runner.identities.list().map((i) => i.name);
  const identity = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...options.admitted) },
    { weight: 1, arbitrary: fc.constantFrom(...everyone) },
  );
  const text = (fallback: string) => fc.oneof(fc.constant(fallback), nastyString(40).map(asReceived));
  const path = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, text(base.path[p.name] ?? 'x')])));
  const query = fc.record(
    Object.fromEntries(
      op.query.map((p) => [p.name, fc.option(text(String(base.query[p.name] ?? '')), { nil: undefined })]),
    ),
    { requiredKeys: [] },
  );
  return fc.record({
    identity,
    parts: fc.record({
      path: path as fc.Arbitrary<Record<string, string>>,
      query: query.map(
        (q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>,
      ),
      headers: fc.constant(base.headers),
      body: bodyArbitrary(op, base),
    }),
  });
}

/** A random value at one place of the valid body, or a random body altogether. */
function bodyArbitrary(op: Operation, base: RequestParts): fc.Arbitrary<unknown> {
  if (!op.body) return fc.constant(undefined);
  const paths = pointsOf(op.body.schema, base.body).map((p) => p.path);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom(...paths), nastyJson).map(([path, value]) => setAt(base.body, path, value)),
    },
    { weight: 1, arbitrary: nastyJson },
  );
}

import { JSONSchemaFaker, type Schema } from 'json-schema-faker';
import { conforms, type JsonSchema } from './schema.js';

/** A small seeded PRNG (mulberry32): json-schema-faker takes any `() => number` as its source. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A value the schema accepts, drawn by json-schema-faker from a seeded source and checked by the
 * oracle; json-schema-faker does not always honour patterns with length limits, so a few draws
 * are tried. When none conforms, the last draw comes back with `valid: false`.
 */
export function validInstance(
  schema: JsonSchema,
  seed: number,
  kind: 'exact' | 'textual',
): { value: unknown; valid: boolean } {
  let last: unknown;
  for (let attempt = 0; attempt < 25; attempt += 1) {
    JSONSchemaFaker.option({
      random: seededRandom(seed + attempt * 7919),
      alwaysFakeOptionals: attempt % 2 === 0,
      useDefaultValue: false,
      failOnInvalidFormat: false,
      maxItems: 3,
    });
    last = JSONSchemaFaker.generate(structuredClone(schema) as Schema);
    if (conforms(schema, last, kind)) return { value: last, valid: true };
  }
  return { value: last, valid: false };
}

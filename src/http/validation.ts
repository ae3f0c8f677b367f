import type { ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import { exactAjv, textualAjv } from '../core/validate.js';

/** U+0000 (PostgreSQL text cannot hold it) and lone surrogates (not Unicode at all). */
// eslint-disable-next-line no-control-regex -- matching U+0000 is the point
const ILL_FORMED = /\u0000|\p{Cs}/u;

/**
 * The first string, key or value, that no text column should receive, with its JSON pointer.
 * Iterative, so a deeply nested body cannot exhaust the stack.
 */
export function findIllFormedText(value: unknown): string | undefined {
  const pending: [unknown, string][] = [[value, '']];
  while (pending.length > 0) {
    const [current, pointer] = pending.pop()!;
    if (typeof current === 'string') {
      if (ILL_FORMED.test(current)) return pointer;
    } else if (typeof current === 'object' && current !== null) {
      for (const [key, child] of Object.entries(current)) {
        if (ILL_FORMED.test(key)) return pointer;
        pending.push([child, `${pointer}/${key}`]);
      }
    }
  }
  return undefined;
}

/** Query strings and path parameters are text by nature; JSON bodies are validated exactly as sent. */
export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'querystring' || httpPart === 'params' ? textualAjv : exactAjv;
  const validate = ajv.compile(schema as object) as ValidateFunction;
  return (data: unknown) => {
    const pointer = findIllFormedText(data);
    if (pointer !== undefined) {
      const issue: FastifySchemaValidationError = {
        instancePath: pointer,
        schemaPath: '#/text',
        keyword: 'text',
        params: {},
        message: 'must be well-formed Unicode without U+0000',
      };
      return { error: [issue] };
    }
    return validate(data) ? { value: data } : { error: (validate.errors ?? []) as FastifySchemaValidationError[] };
  };
};

import type { ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { exactAjv, textualAjv } from '../core/validate.js';

/** Query strings and path parameters are text by nature; JSON bodies are validated exactly as sent. */
export const validatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'querystring' || httpPart === 'params' ? textualAjv : exactAjv;
  return ajv.compile(schema as object) as ValidateFunction;
};

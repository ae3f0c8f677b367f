import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { TrustloopError } from './errors.js';

/**
 * Input is validated exactly as sent: a wrong type or an unknown field is refused, never rewritten
 * (Fastify's default Ajv would coerce and drop). Only text-by-nature inputs — query strings, path
 * parameters, CLI flags — may be read as numbers or booleans.
 */
function newAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes, removeAdditional: false, useDefaults: true, allErrors: false, strict: false });
  addFormats.default(ajv);
  return ajv;
}

export const exactAjv = newAjv(false);
export const textualAjv = newAjv(true);

export type ValidationIssue = Pick<ErrorObject, 'instancePath' | 'keyword' | 'params' | 'message'>;

/** `body/name must NOT have fewer than 1 characters`, `body has unknown field 'x'`, … */
export function describeValidation(context: string, issues: readonly Partial<ValidationIssue>[]): string {
  const issue = issues[0];
  if (!issue) return `${context} is invalid`;
  const where = `${context}${issue.instancePath ?? ''}`;
  const params = (issue.params ?? {}) as Record<string, unknown>;
  if (issue.keyword === 'additionalProperties') {
    return `${where} has unknown field '${String(params.additionalProperty ?? '').slice(0, 64)}'`;
  }
  if (issue.keyword === 'required')
    return `${where} is missing required field '${String(params.missingProperty ?? '')}'`;
  return `${where} ${issue.message ?? 'is invalid'}`;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Validates `value` (typed by its schema) or throws ERR_VALIDATION naming the field and the reason. */
export function assertValid<T>(schema: object, value: unknown, context: string, ajv: Ajv = exactAjv): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) {
    throw new TrustloopError('ERR_VALIDATION', describeValidation(context, validate.errors ?? []));
  }
  return value as T;
}

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TrustloopError, statusOf, titleOf, type ErrorCode } from '../core/errors.js';
import { describeValidation, type ValidationIssue } from '../core/validate.js';

/** Fastify's own error codes, mapped onto Trustloop's stable ones. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'ERR_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'ERR_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'ERR_VALIDATION',
  FST_ERR_VALIDATION: 'ERR_VALIDATION',
  FST_ERR_CTP_INVALID_TYPE: 'ERR_UNSUPPORTED_MEDIA_TYPE',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'ERR_VALIDATION',
  401: 'ERR_UNAUTHENTICATED',
  403: 'ERR_FORBIDDEN',
  404: 'ERR_NOT_FOUND',
  405: 'ERR_METHOD_NOT_ALLOWED',
  409: 'ERR_CONFLICT',
  413: 'ERR_PAYLOAD_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  429: 'ERR_RATE_LIMITED',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
}

export function problem(code: ErrorCode, detail: string, requestId?: string): ProblemBody {
  return {
    type: `urn:trustloop:error:${code}`,
    title: titleOf(code),
    status: statusOf(code),
    detail,
    code,
    ...(requestId ? { instance: requestId } : {}),
  };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json; charset=utf-8').send(body);
}

/**
 * The one error handler. A 4xx names the code and what was wrong with which field; anything
 * unexpected becomes a generic 500 whose detail is logged with the request id, never sent.
 */
export function toProblem(error: unknown, request: FastifyRequest): ProblemBody {
  if (error instanceof TrustloopError) {
    if (error.status >= 500) logUnexpected(request, error);
    return problem(error.code, error.message, request.id);
  }
  const fastifyError = error as Partial<FastifyError> & {
    validation?: Partial<ValidationIssue>[];
    validationContext?: string;
  };
  if (fastifyError.validation) {
    return problem(
      'ERR_VALIDATION',
      describeValidation(fastifyError.validationContext ?? 'request', fastifyError.validation),
      request.id,
    );
  }
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return problem(mapped, safeDetail(mapped, fastifyError), request.id);
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return problem(
      'ERR_MALFORMED_JSON',
      'the request body is not valid JSON, or holds a forbidden key (__proto__, constructor)',
      request.id,
    );
  }
  const byStatus = fastifyError.statusCode !== undefined ? STATUS_CODES[fastifyError.statusCode] : undefined;
  if (byStatus) return problem(byStatus, titleOf(byStatus), request.id);
  logUnexpected(request, error);
  return problem('ERR_INTERNAL', 'an unexpected error occurred; quote the request id to an operator', request.id);
}

function safeDetail(code: ErrorCode, error: Partial<FastifyError>): string {
  switch (code) {
    case 'ERR_UNSUPPORTED_MEDIA_TYPE':
      return 'the request body must be application/json';
    case 'ERR_PAYLOAD_TOO_LARGE':
      return 'the request body is larger than the configured limit';
    case 'ERR_MALFORMED_JSON':
      return error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'the request declares a JSON body but sends none'
        : 'the request body is not valid JSON';
    default:
      return 'the request is malformed';
  }
}

function logUnexpected(request: FastifyRequest, error: unknown): void {
  request.log.error({ err: error, requestId: request.id }, 'request failed');
}

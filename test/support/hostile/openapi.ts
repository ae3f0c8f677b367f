import { isRecord, resolveRefs, type JsonSchema } from './schema.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Methods whose body Fastify reads (it ignores a GET or HEAD body). */
export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

/** One route and method of the API, as the OpenAPI document declares it. */
export interface Operation {
  method: HttpMethod;
  /** OpenAPI template, e.g. `/api/v1/participants/{id}`. */
  path: string;
  pathParams: Parameter[];
  query: Parameter[];
  headers: Parameter[];
  /** The JSON request body, when the operation declares one. */
  body: { schema: JsonSchema; required: boolean } | undefined;
}

export const operationName = (op: Pick<Operation, 'method' | 'path'>): string => `${op.method} ${op.path}`;

/** Every operation the document declares, in document order. Unknown methods and cookie parameters are left out. */
export function operationsOf(document: unknown): Operation[] {
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const [key, raw] of Object.entries(item)) {
      const method = key.toUpperCase() as HttpMethod;
      if (!HTTP_METHODS.includes(method) || !isRecord(raw)) continue;
      const op = resolveRefs(raw, document) as Record<string, unknown>;
      const parameters = [...(resolveRefs(shared, document) as unknown[]), ...asArray(op.parameters)].flatMap(
        toParameter,
      );
      operations.push({
        method,
        path,
        pathParams: parameters.filter((p) => p.in === 'path'),
        query: parameters.filter((p) => p.in === 'query'),
        headers: parameters.filter((p) => p.in === 'header'),
        body: jsonBodyOf(op.requestBody),
      });
    }
  }
  return operations;
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function toParameter(raw: unknown): Parameter[] {
  if (!isRecord(raw) || typeof raw.name !== 'string') return [];
  if (raw.in !== 'path' && raw.in !== 'query' && raw.in !== 'header') return [];
  const schema = isRecord(raw.schema) ? raw.schema : {};
  return [{ name: raw.name, in: raw.in, required: raw.required === true || raw.in === 'path', schema }];
}

function jsonBodyOf(requestBody: unknown): Operation['body'] {
  if (!isRecord(requestBody) || !isRecord(requestBody.content)) return undefined;
  const media = Object.entries(requestBody.content).find(([type]) => /^application\/([a-z.+-]*\+)?json/.test(type));
  if (!media || !isRecord(media[1])) return undefined;
  const schema = isRecord(media[1].schema) ? media[1].schema : {};
  return { schema, required: requestBody.required === true };
}

/** Fills `{name}` placeholders with already-encoded path segments. */
export function fillPath(template: string, segments: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => segments[name] ?? '');
}

import type { TestServer } from './server.js';

export interface Operation {
  method: string;
  path: string;
  permission: string | null;
  isPublic: boolean;
  parameters: { name: string; in: string }[];
  hasBody: boolean;
}

interface OpenApiOperation {
  'x-permission'?: string;
  'x-public'?: boolean;
  parameters?: { name: string; in: string }[];
  requestBody?: unknown;
}

/** Every operation the running server documents, read from its own /openapi.json. */
export async function listOperations(server: TestServer): Promise<Operation[]> {
  const response = await server.request({ method: 'GET', url: '/openapi.json', as: 'none' });
  const document = response.json() as { paths: Record<string, Record<string, OpenApiOperation>> };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      permission: operation['x-permission'] ?? null,
      isPublic: operation['x-public'] === true,
      parameters: operation.parameters ?? [],
      hasBody: operation.requestBody !== undefined,
    })),
  );
}

/** `/api/v1/participants/{id}` with every path parameter replaced. */
export const fillPath = (path: string, value: (name: string) => string): string =>
  path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(value(name)));

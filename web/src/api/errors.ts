/** A refused or failed API call, carrying the problem+json `code` and `detail` the server sent. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;

  constructor(status: number, code: string | undefined, detail: string) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

const field = (value: unknown, key: string): string | undefined => {
  const found = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof found === 'string' ? found : undefined;
};

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError whose message is the
 * problem's `detail` (the part written for people), so every screen can show it as it is.
 */
export async function unwrap<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await pending;
  if (response.ok) return data as T;
  const detail = field(error, 'detail') ?? `${response.status} ${response.statusText}`.trim();
  throw new ApiError(response.status, field(error, 'code'), detail);
}

/** Client errors are answers, not glitches: retrying them only repeats the refusal. */
export const isRetryable = (error: unknown): boolean => !(error instanceof ApiError && error.status < 500);

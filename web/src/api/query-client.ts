import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, isRetryable } from './errors.js';
import { SESSION_KEY } from '../session/queries.js';

/**
 * The one query client. A 401 from any call means the session ended (expired, logged out
 * elsewhere, token revoked): forgetting the session brings back the login page.
 */
export function createQueryClient(): QueryClient {
  const onError = (error: Error): void => {
    if (error instanceof ApiError && error.status === 401) client.setQueryData(SESSION_KEY, null);
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: { queries: { retry: (failures, error) => failures < 2 && isRetryable(error) } },
  });
  return client;
}

import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, mayHaveSession } from '../api/client.js';
import { ApiError, unwrap } from '../api/errors.js';
import type { Whoami } from '../api/types.js';

export const SESSION_KEY = ['session'] as const;

/** Who is logged in, or null when nobody is (the server answers 401). */
async function fetchSession(): Promise<Whoami | null> {
  // Without a session there is nothing to ask, and asking would only add a denial to the audit trail.
  if (!mayHaveSession()) return null;
  try {
    return await unwrap(api.GET('/api/v1/session'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export const useSession = () => useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Infinity });

/** Whether the logged-in caller holds a permission; the server still checks every call. */
export function useCan(): (permission: string) => boolean {
  const { data } = useSession();
  return (permission) => data?.permissions.includes(permission) ?? false;
}

/** Switches the whole UI to another session (or none), dropping data fetched under the previous one. */
function switchSession(client: QueryClient, session: Whoami | null): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
  client.setQueryData(SESSION_KEY, session);
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST('/api/v1/session', { body: { token } })),
    onSuccess: (session) => switchSession(client, session),
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/session')),
    onSuccess: () => switchSession(client, null),
  });
}

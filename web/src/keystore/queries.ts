import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type { KeystoreStatus } from '../api/types.js';
import { KEYS_KEY } from '../keys/queries.js';

const KEYSTORE_KEY = ['keystore'] as const;

export const useKeystore = () =>
  useQuery({ queryKey: KEYSTORE_KEY, queryFn: () => unwrap(api.GET('/api/v1/keystore')) });

/** Sealing or unsealing answers with the new status; keys that failed or worked before may now do the opposite. */
function applyStatus(client: QueryClient, status: KeystoreStatus): Promise<void> {
  client.setQueryData(KEYSTORE_KEY, status);
  return client.invalidateQueries({ queryKey: KEYS_KEY });
}

export function useUnseal() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (share: string) => unwrap(api.POST('/api/v1/keystore/unseal', { body: { share } })),
    onSuccess: (status) => applyStatus(client, status),
    // A mutation keeps its variables (here the share) for gcTime once unobserved; drop it at once.
    gcTime: 0,
  });
}

export function useSeal() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/keystore/seal')),
    onSuccess: (status) => applyStatus(client, status),
  });
}

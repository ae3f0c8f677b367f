import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type { KeyStatusChange, NewKey } from '../api/types.js';

/** Every keys query lives under this prefix, so one invalidation refreshes the list and any open key. */
export const KEYS_KEY = ['keys'] as const;

export const useKeys = () =>
  useQuery({ queryKey: [...KEYS_KEY, 'list'], queryFn: () => unwrap(api.GET('/api/v1/keys')) });

export const useKey = (id: string | null) =>
  useQuery({
    queryKey: [...KEYS_KEY, 'detail', id],
    queryFn: id === null ? skipToken : () => unwrap(api.GET('/api/v1/keys/{id}', { params: { path: { id } } })),
  });

/** The PEM of one version's public half. */
export const usePublicKey = (id: string, version: number) =>
  useQuery({
    queryKey: [...KEYS_KEY, 'public-key', id, version],
    queryFn: () =>
      unwrap(api.GET('/api/v1/keys/{id}/public-key', { params: { path: { id }, query: { format: 'pem', version } } })),
  });

export function useCreateKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewKey) => unwrap(api.POST('/api/v1/keys', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

export function useRotateKey(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/keys/{id}/rotate', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

export function useSetKeyStatus(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (status: KeyStatusChange) =>
      unwrap(api.PATCH('/api/v1/keys/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

export function useUpdateKeySettings(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { rotationPeriodDays: number | null; minDecryptionVersion: number }) =>
      unwrap(api.PATCH('/api/v1/keys/{id}', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

/** Stops the key now and destroys it once the waiting period (1–30 days) is over, unless cancelled. */
export function useScheduleDestruction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (waitingPeriodDays: number) =>
      unwrap(
        api.POST('/api/v1/keys/{id}/schedule-destruction', { params: { path: { id } }, body: { waitingPeriodDays } }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

export function useCancelDestruction(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/keys/{id}/cancel-destruction', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

export function useDestroyKey(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/keys/{id}/destroy', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: KEYS_KEY }),
  });
}

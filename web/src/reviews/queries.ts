import { skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';

const REVIEWS_KEY = ['access-reviews'] as const;

export const useReviews = () =>
  useQuery({ queryKey: [...REVIEWS_KEY, 'list'], queryFn: () => unwrap(api.GET('/api/v1/access-reviews')) });

export const useReview = (id: string | null) =>
  useQuery({
    queryKey: [...REVIEWS_KEY, 'detail', id],
    queryFn:
      id === null ? skipToken : () => unwrap(api.GET('/api/v1/access-reviews/{id}', { params: { path: { id } } })),
  });

export function useStartReview() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/access-reviews', { body: {} })),
    onSuccess: () => client.invalidateQueries({ queryKey: REVIEWS_KEY }),
  });
}

export function useDecide(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ tokenId, decision, reason }: { tokenId: string; decision: 'keep' | 'revoke'; reason?: string }) =>
      unwrap(
        api.PUT('/api/v1/access-reviews/{id}/entries/{tokenId}', {
          params: { path: { id, tokenId } },
          body: { decision, ...(reason ? { reason } : {}) },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: REVIEWS_KEY }),
  });
}

export function useCompleteReview(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/access-reviews/{id}/complete', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: REVIEWS_KEY }),
  });
}

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type { NewParticipant, Participant } from '../api/types.js';

const PARTICIPANTS_KEY = ['participants'] as const;
export const PAGE_SIZE = 50;

/** One page (1-based) of the participants the caller may see. */
export const useParticipants = (page: number) =>
  useQuery({
    queryKey: [...PARTICIPANTS_KEY, page],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/participants', { params: { query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } } }),
      ),
    placeholderData: keepPreviousData,
  });

export function useCreateParticipant() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewParticipant) => unwrap(api.POST('/api/v1/participants', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: PARTICIPANTS_KEY }),
  });
}

export function useSetParticipantStatus() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: Pick<Participant, 'id' | 'status'>) =>
      unwrap(api.PATCH('/api/v1/participants/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: () => client.invalidateQueries({ queryKey: PARTICIPANTS_KEY }),
  });
}

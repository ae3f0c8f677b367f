import { skipToken, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type { AuditFilters } from './filters.js';

const EVENTS_KEY = ['audit', 'events'] as const;
const PAGE_SIZE = 50;

/** Events matching the filters, newest first; each further page continues below the oldest one loaded. */
export const useAuditEvents = (filters: AuditFilters) =>
  useInfiniteQuery({
    queryKey: [...EVENTS_KEY, filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/audit/events', { params: { query: { ...filters, beforeSeq: pageParam, limit: PAGE_SIZE } } }),
      ),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (page) => page.nextBeforeSeq ?? undefined,
  });

export const useAuditEvent = (seq: number | null) =>
  useQuery({
    queryKey: ['audit', 'event', seq],
    queryFn:
      seq === null ? skipToken : () => unwrap(api.GET('/api/v1/audit/events/{seq}', { params: { path: { seq } } })),
  });

export function useVerifyChain() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/audit/verifications')),
    // The verification is itself written to the trail; refreshing the list shows it.
    onSuccess: () => client.invalidateQueries({ queryKey: EVENTS_KEY }),
  });
}

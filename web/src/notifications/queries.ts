import { keepPreviousData, skipToken, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { unwrap } from '../api/errors.js';
import type { NewSubscription, NotificationFilter } from './types.js';

/** Notifications, their deliveries and the subscriptions change together: one prefix refreshes all. */
const NOTIFICATIONS_KEY = ['notifications'] as const;

export const useNotifications = (filter: NotificationFilter) =>
  useQuery({
    queryKey: [...NOTIFICATIONS_KEY, 'list', filter],
    queryFn: () => unwrap(api.GET('/api/v1/notifications', { params: { query: filter } })),
    placeholderData: keepPreviousData,
  });

export const useNotification = (id: string | null) =>
  useQuery({
    queryKey: [...NOTIFICATIONS_KEY, 'detail', id],
    queryFn:
      id === null ? skipToken : () => unwrap(api.GET('/api/v1/notifications/{id}', { params: { path: { id } } })),
  });

export function useRedeliver() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST('/api/v1/notifications/deliveries/{id}/redeliver', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}

export const useSubscriptions = () =>
  useQuery({
    queryKey: [...NOTIFICATIONS_KEY, 'subscriptions'],
    queryFn: () => unwrap(api.GET('/api/v1/notifications/subscriptions')),
  });

export function useSubscribe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: NewSubscription) => unwrap(api.POST('/api/v1/notifications/subscriptions', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}

export function useUnsubscribe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE('/api/v1/notifications/subscriptions/{id}', { params: { path: { id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });
}

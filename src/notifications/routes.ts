import type { Api } from '../core/http.js';
import {
  CreatedSubscription,
  CreateSubscription,
  DeliveryParams,
  NotificationDetail,
  NotificationList,
  NotificationParams,
  NotificationQuery,
  Requeued,
  Subscription,
  SubscriptionList,
  SubscriptionParams,
} from './schemas.js';
import type { NotificationService } from './service.js';

const tags = ['notifications'];

export function notificationRoutes(app: Api, notifications: NotificationService): void {
  app.get(
    '/api/v1/notifications',
    {
      config: { access: { permission: 'notifications:read' } },
      schema: {
        tags,
        summary: 'List notifications (newest first) with their delivery counts',
        querystring: NotificationQuery,
        response: { 200: NotificationList },
      },
    },
    (request) => notifications.list(request.ctx, request.query),
  );

  app.get(
    '/api/v1/notifications/subscriptions',
    {
      config: { access: { permission: 'notifications:read' } },
      schema: {
        tags,
        summary: 'List webhook subscriptions (never their secrets)',
        response: { 200: SubscriptionList },
      },
    },
    async (request) => ({ items: await notifications.subscriptions(request.ctx) }),
  );

  app.post(
    '/api/v1/notifications/subscriptions',
    {
      config: { access: { permission: 'notifications:subscribe' } },
      schema: {
        tags,
        summary: 'Subscribe a webhook; its signing secret is returned once',
        body: CreateSubscription,
        response: { 201: CreatedSubscription },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(await notifications.subscribe(request.ctx, request.body)),
  );

  app.delete(
    '/api/v1/notifications/subscriptions/:id',
    {
      config: { access: { permission: 'notifications:subscribe' } },
      schema: {
        tags,
        summary: 'Delete a webhook subscription; its pending deliveries are cancelled',
        params: SubscriptionParams,
        response: { 200: Subscription },
      },
    },
    (request) => notifications.unsubscribe(request.ctx, request.params.id),
  );

  app.get(
    '/api/v1/notifications/:id',
    {
      config: { access: { permission: 'notifications:read' } },
      schema: {
        tags,
        summary: 'Read one notification with its deliveries and every attempt',
        params: NotificationParams,
        response: { 200: NotificationDetail },
      },
    },
    (request) => notifications.get(request.ctx, request.params.id),
  );

  app.post(
    '/api/v1/notifications/deliveries/:id/redeliver',
    {
      config: { access: { permission: 'notifications:subscribe' } },
      schema: {
        tags,
        summary: 'Queue a delivered or dead-lettered delivery again',
        params: DeliveryParams,
        response: { 202: Requeued },
      },
    },
    async (request, reply) => reply.code(202).send(await notifications.redeliver(request.ctx, request.params.id)),
  );
}

import type { paths } from '../api/schema.js';

type Ok<T> = T extends { responses: { [S in 200 | 201]?: { content: { 'application/json': infer B } } } } ? B : never;

export type NotificationList = Ok<paths['/api/v1/notifications']['get']>;
export type Notification = NotificationList['items'][number];
export type NotificationDetail = Ok<paths['/api/v1/notifications/{id}']['get']>;
export type Delivery = NotificationDetail['deliveries'][number];
export type NotificationFilter = NonNullable<paths['/api/v1/notifications']['get']['parameters']['query']>;
export type Subscription = Ok<paths['/api/v1/notifications/subscriptions']['get']>['items'][number];
export type NewSubscription =
  paths['/api/v1/notifications/subscriptions']['post']['requestBody']['content']['application/json'];
export type CreatedSubscription =
  paths['/api/v1/notifications/subscriptions']['post']['responses'][201]['content']['application/json'];

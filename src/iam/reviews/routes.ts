import type { Api } from '../../core/http.js';
import { Decide, EntryParams, ReviewDetail, ReviewList, ReviewParams, StartReview } from './schemas.js';
import type { AccessReviewService } from './service.js';

const tags = ['access'];

export function accessReviewRoutes(app: Api, reviews: AccessReviewService): void {
  app.get(
    '/api/v1/access-reviews',
    {
      config: { access: { permission: 'access-reviews:read' } },
      schema: { tags, summary: 'Access reviews, newest first', response: { 200: ReviewList } },
    },
    async () => ({ items: await reviews.list() }),
  );

  app.post(
    '/api/v1/access-reviews',
    {
      config: { access: { permission: 'access-reviews:conduct' } },
      schema: {
        tags,
        summary: 'Start an access review: a snapshot of every live token and its role (PCI DSS 7.2.4)',
        body: StartReview,
        response: { 201: ReviewDetail },
      },
    },
    async (request, reply) => reply.code(201).send(await reviews.start(request.ctx, request.body)),
  );

  app.get(
    '/api/v1/access-reviews/:id',
    {
      config: { access: { permission: 'access-reviews:read' } },
      schema: {
        tags,
        summary: 'One access review with its entries',
        params: ReviewParams,
        response: { 200: ReviewDetail },
      },
    },
    (request) => reviews.get(request.params.id),
  );

  app.put(
    '/api/v1/access-reviews/:id/entries/:tokenId',
    {
      config: { access: { permission: 'access-reviews:conduct' } },
      schema: {
        tags,
        summary: 'Decide one entry: keep, or revoke the token now (a reason is required)',
        params: EntryParams,
        body: Decide,
        response: { 200: ReviewDetail },
      },
    },
    (request) => reviews.decide(request.ctx, request.params.id, request.params.tokenId, request.body),
  );

  app.post(
    '/api/v1/access-reviews/:id/complete',
    {
      config: { access: { permission: 'access-reviews:conduct' } },
      schema: {
        tags,
        summary: 'Complete a review whose entries are all decided',
        params: ReviewParams,
        response: { 200: ReviewDetail },
      },
    },
    (request) => reviews.complete(request.ctx, request.params.id),
  );
}

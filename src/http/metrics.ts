import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for one server: request counts and latencies by route, plus process metrics. */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'trustloop_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'trustloop_http_request_duration_seconds',
    help: 'HTTP request latency, by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'trustloop_' });
  }

  observe(request: FastifyRequest, reply: FastifyReply): void {
    // The route pattern, never the raw URL, keeps label cardinality bounded under hostile input.
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    this.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    this.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

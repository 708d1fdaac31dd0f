import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const MAX_OPERATION_NAMES = 200;

/** Prometheus metrics, in a registry of their own (several app instances can share a process in tests). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly seenOperations = new Set<string>();

  readonly httpRequests = new Counter({
    name: 'hgw_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly graphqlOperations = new Counter({
    name: 'hgw_graphql_operations_total',
    help: 'GraphQL operations by operation name, type and outcome (ok or the first error code)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'hgw_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency by operation name',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hgw_' });
  }

  /** Operation names come from clients: keep them short, plain and few, so labels stay bounded. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    const clean = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 64);
    if (this.seenOperations.has(clean)) return clean;
    if (this.seenOperations.size >= MAX_OPERATION_NAMES) return 'other';
    this.seenOperations.add(clean);
    return clean;
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

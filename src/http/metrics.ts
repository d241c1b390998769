/** Prometheus metrics: gateway requests by method and result code, their latency, and the process's own. */
import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  gatewayRequests: Counter<'method' | 'code' | 'sub_code'>;
  gatewayLatency: Histogram<'method'>;
  adminRequests: Counter<'route' | 'status'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  if (cluster.isWorker) {
    // In a cluster the primary aggregates every process's registry (see cli/cluster.ts).
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }
  return {
    registry,
    gatewayRequests: new Counter({
      name: 'tuikuan_gateway_requests_total',
      help: 'Gateway requests by method (or MAPI service) and result code',
      labelNames: ['method', 'code', 'sub_code'],
      registers: [registry],
    }),
    gatewayLatency: new Histogram({
      name: 'tuikuan_gateway_request_duration_seconds',
      help: 'Gateway request latency, from the first byte read to the reply',
      labelNames: ['method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    adminRequests: new Counter({
      name: 'tuikuan_admin_requests_total',
      help: 'Admin API requests by route and HTTP status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
  };
}

export { DEFAULT_METRICS_PORT, startMetricsServer } from './metrics-server.js';
export { PrometheusObserver, type SinkTotals } from './prometheus-observer.js';

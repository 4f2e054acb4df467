export { DEFAULT_METRICS_PORT, startMetricsServer } from './metrics-server.js';
export { PrometheusObserver } from './prometheus-observer.js';

export { stackDown, stackPreference, stackStatus, stackUp, type ServiceStatus, type StackOptions, type StackPreference, type StackUpResult } from './stack.js';
export { DEFAULT_DATABASE_URL, ENDPOINT_ENV, redactUrl, type ServiceName, type ServiceProbes, type ServiceSource, type StackEndpoints } from './stack-endpoints.js';
export { StackError } from './stack-error.js';
export { kafkaNodes, nativePorts, stackBrokers, stackLayout, MAX_BROKERS, NATIVE_VERSIONS, type KafkaNode, type StackLayout } from './stack-layout.js';
export { kafkaNodeProcess } from './native-kafka.js';
export { probeRegistry } from './native-registry.js';

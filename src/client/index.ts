export { deliver, type DeliveryResult } from './deliver.js';
export { ENVIRONMENTS, LMR_SCOPE, type EnvironmentName, type RegisterEnvironment } from './environments.js';
export { DeliveryError, PROTOCOL_RETRY_POLICY, withRetries, type DeliveryErrorCode, type RetryPolicy } from './retry.js';

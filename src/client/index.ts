export { deliver, type DeliveryResult } from './deliver.js';
export { ENVIRONMENTS, LMR_SCOPE, type EnvironmentName, type RegisterEnvironment } from './environments.js';

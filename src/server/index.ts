export { startReceiver, type ReceiverOptions, type RunningReceiver } from './receiver.js';
export { ReceiverError, type ReceiverErrorCode } from './receiver-error.js';
export type { OperationOutcome, OutcomeIssue } from './operation-outcome.js';

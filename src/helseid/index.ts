// Public API of the HelseID module.
export { ALLOWED_ALGORITHMS, DEFAULT_AUDIENCE, DEFAULT_SCOPE, ORG_NUMBER_CLAIM } from './constants.js';
export type { AllowedAlgorithm } from './constants.js';
export { HelseIdClient, HelseIdError } from './client.js';
export type { HelseIdClientOptions, HelseIdErrorCode } from './client.js';
export { DpopAuthError, MemoryReplayCache, createDpopVerifier } from './verify.js';
export type { DpopAuthErrorCode, DpopRequest, DpopVerifierOptions, ReplayCache, VerifiedCaller } from './verify.js';

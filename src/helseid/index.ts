// Public API of the HelseID module.
export { ALLOWED_ALGORITHMS, DEFAULT_AUDIENCE, DEFAULT_SCOPE, ORG_NUMBER_CLAIM } from './constants.js';
export type { AllowedAlgorithm } from './constants.js';
export { HelseIdClient } from './client.js';
export type { HelseIdClientOptions } from './client.js';
export { HelseIdError } from './helseid-error.js';
export type { HelseIdErrorCode } from './helseid-error.js';
export {
  generateSigningKey,
  hasPrivateMembers,
  importKeyPair,
  loadPrivateKey,
  publicJwkOf,
  signingAlgorithmFor,
} from './keys.js';
export type { GeneratedKey, LoadKeyOptions } from './keys.js';
export { DpopAuthError, MemoryReplayCache, createDpopVerifier } from './verify.js';
export type { DpopAuthErrorCode, DpopRequest, DpopVerifierOptions, ReplayCache, VerifiedCaller } from './verify.js';

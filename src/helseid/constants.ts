// Protocol constants shared by the authority stand-in, the client and the verifier.
// Kept separate so the client and verifier do not load oidc-provider.

export const DEFAULT_SCOPE = 'fhi:lmr.fhirmottak/api';
export const DEFAULT_AUDIENCE = 'fhi:lmr.fhirmottak';

/** Claim in which HelseID carries the client's parent organisation number. */
export const ORG_NUMBER_CLAIM = 'helseid://claims/client/claims/orgnr_parent';

/** Signing algorithms HelseID accepts for client assertions and DPoP proofs. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;

export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

// The local HelseID stand-in. Its own folder, because loading oidc-provider is heavy and,
// on Node 20, prints an "unsupported runtime" warning: only the commands that run it load it.
export { startAuthority } from './authority.js';
export type { AuthorityOptions, RunningAuthority } from './authority.js';
export { AuthorityError } from './authority-error.js';
export type { AuthorityErrorCode } from './authority-error.js';
export { addAuthorityClient, authorityClientsFromFile, checkClients, checkPublicJwk, parseClientsFile } from './clients-file.js';
export type { AuthorityClient, NewClientKey } from './clients-file.js';

// The local HelseID stand-in. Its own folder, because loading oidc-provider is heavy and,
// on Node 20, prints an "unsupported runtime" warning: only the commands that run it load it.
export { authorityClientsFromFile, startAuthority } from './authority.js';
export type { AuthorityClient, AuthorityOptions, RunningAuthority } from './authority.js';

/** The register's SQLite schema; applied idempotently when a store opens. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS senders (
  org_number      TEXT NOT NULL,
  client_id       TEXT NOT NULL,
  cert_thumbprint TEXT NOT NULL PRIMARY KEY,
  cert_pem        TEXT NOT NULL,
  active          INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE IF NOT EXISTS messages (
  message_id       TEXT PRIMARY KEY,
  org_number       TEXT NOT NULL,
  rapportering_fra TEXT NOT NULL,
  rapportering_til TEXT NOT NULL,
  generated_at     TEXT NOT NULL,
  received_at      TEXT NOT NULL,
  bundle_identifier TEXT,
  -- SHA-256 of the decrypted bundle: tells a resend from a reused message id.
  content_sha256   TEXT
);

CREATE TABLE IF NOT EXISTS resources (
  message_id    TEXT NOT NULL REFERENCES messages(message_id),
  entry_index   INTEGER NOT NULL,
  full_url      TEXT,
  resource_type TEXT NOT NULL,
  resource_id   TEXT,
  body          TEXT NOT NULL,
  PRIMARY KEY (message_id, entry_index)
);

CREATE TABLE IF NOT EXISTS dpop_jti (
  jti        TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
`;

/** Columns added after the first release, for stores created before them. */
export const ADDED_COLUMNS = [{ table: 'messages', column: 'content_sha256', type: 'TEXT' }] as const;

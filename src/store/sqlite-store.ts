import { closeSync, openSync } from 'node:fs';

import Database from 'better-sqlite3';

import { ADDED_COLUMNS, SCHEMA } from './schema.js';
import { StoreError } from './store-error.js';

/** A sender the register knows: its organisation, HelseID client and enterprise certificate. */
export interface RegisteredSender {
  orgNumber: string;
  clientId: string;
  certThumbprint: string;
  certPem: string;
  active: boolean;
}

/** One delivery to be stored: the envelope's metadata and the bundle's entries. */
export interface IncomingMessage {
  messageId: string;
  orgNumber: string;
  rapporteringFra: string;
  rapporteringTil: string;
  generatedAt: string;
  bundleIdentifier?: string;
  /** SHA-256 (hex) of the decrypted bundle bytes. */
  contentSha256: string;
  resources: { fullUrl?: string; resourceType: string; resourceId?: string; body: string }[];
}

export interface StoreResult {
  /** False when the message id was already stored: a resend after a lost answer. */
  inserted: boolean;
  storedByType: Record<string, number>;
}

/** The register's store on a SQLite file. Every write is one transaction. */
export class SqliteStore {
  readonly #db: Database.Database;

  constructor(path: string) {
    // The register holds health data: the file (and SQLite's -wal/-shm beside it, which copy its
    // mode) is for its owner only.
    if (path !== ':memory:') closeSync(openSync(path, 'a', 0o600));
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.exec(SCHEMA);
    this.#addMissingColumns();
  }

  #addMissingColumns(): void {
    for (const { table, column, type } of ADDED_COLUMNS) {
      const columns = this.#db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
      if (!columns.some((c) => c.name === column)) this.#db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }

  close(): void {
    this.#db.close();
  }

  upsertSender(sender: RegisteredSender): void {
    this.#db
      .prepare(
        `INSERT INTO senders (org_number, client_id, cert_thumbprint, cert_pem, active)
         VALUES (@orgNumber, @clientId, @certThumbprint, @certPem, @active)
         ON CONFLICT (cert_thumbprint) DO UPDATE SET
           org_number = excluded.org_number, client_id = excluded.client_id,
           cert_pem = excluded.cert_pem, active = excluded.active`,
      )
      .run({ ...sender, certThumbprint: sender.certThumbprint.toUpperCase(), active: sender.active ? 1 : 0 });
  }

  /**
   * Makes `senders` the whole list of active senders, in one transaction: a sender left out of
   * the receiver's configuration is deactivated (its history stays), so it can be revoked.
   */
  replaceSenders(senders: RegisteredSender[]): void {
    this.#db.transaction(() => {
      this.#db.prepare('UPDATE senders SET active = 0').run();
      for (const sender of senders) this.upsertSender(sender);
    }).immediate();
  }

  findSenderByThumbprint(thumbprint: string): RegisteredSender | undefined {
    const row = this.#db
      .prepare('SELECT * FROM senders WHERE cert_thumbprint = ?')
      .get(thumbprint.toUpperCase()) as SenderRow | undefined;
    return row && fromSenderRow(row);
  }

  /** Stores the message and all its resources, or nothing. */
  storeMessage(message: IncomingMessage, receivedAt = new Date()): StoreResult {
    const storedByType = countByType(message.resources);

    const insert = this.#db.transaction((): boolean => {
      const earlier = this.#db
        .prepare('SELECT org_number AS orgNumber, content_sha256 AS contentSha256 FROM messages WHERE message_id = ?')
        .get(message.messageId) as { orgNumber: string; contentSha256: string | null } | undefined;
      if (earlier) {
        // The same message again (an answer was lost): nothing new. Other content under a used id
        // would be lost silently if taken for a resend, so it is refused.
        if (earlier.orgNumber === message.orgNumber && earlier.contentSha256 === message.contentSha256) return false;
        throw new StoreError('MESSAGE_ID_REUSED', `message id ${message.messageId} was stored earlier with other content; give each delivery a new messageId`);
      }

      this.#db
        .prepare(
          `INSERT INTO messages (message_id, org_number, rapportering_fra, rapportering_til, generated_at, received_at, bundle_identifier, content_sha256)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          message.messageId,
          message.orgNumber,
          message.rapporteringFra,
          message.rapporteringTil,
          message.generatedAt,
          receivedAt.toISOString(),
          message.bundleIdentifier ?? null,
          message.contentSha256,
        );

      const insertResource = this.#db.prepare(
        'INSERT INTO resources (message_id, entry_index, full_url, resource_type, resource_id, body) VALUES (?, ?, ?, ?, ?, ?)',
      );
      message.resources.forEach((resource, index) => {
        insertResource.run(message.messageId, index, resource.fullUrl ?? null, resource.resourceType, resource.resourceId ?? null, resource.body);
      });
      return true;
    });

    return { inserted: insert.immediate(), storedByType };
  }

  countMessages(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  }

  countResourcesByType(messageId?: string): Record<string, number> {
    const rows = (
      messageId
        ? this.#db.prepare('SELECT resource_type AS t, count(*) AS n FROM resources WHERE message_id = ? GROUP BY t').all(messageId)
        : this.#db.prepare('SELECT resource_type AS t, count(*) AS n FROM resources GROUP BY t').all()
    ) as { t: string; n: number }[];
    return Object.fromEntries(rows.map((row) => [row.t, row.n]));
  }

  /**
   * Remembers a DPoP proof's jti until it expires; false when it was seen before. Kept in the
   * store so that several receiver processes on one database share the replay window.
   */
  rememberJti(jti: string, expiresAtEpochSeconds: number): boolean {
    const now = Math.floor(Date.now() / 1000);
    this.#db.prepare('DELETE FROM dpop_jti WHERE expires_at < ?').run(now);
    const result = this.#db.prepare('INSERT OR IGNORE INTO dpop_jti (jti, expires_at) VALUES (?, ?)').run(jti, expiresAtEpochSeconds);
    return result.changes === 1;
  }
}

interface SenderRow {
  org_number: string;
  client_id: string;
  cert_thumbprint: string;
  cert_pem: string;
  active: number;
}

function fromSenderRow(row: SenderRow): RegisteredSender {
  return {
    orgNumber: row.org_number,
    clientId: row.client_id,
    certThumbprint: row.cert_thumbprint,
    certPem: row.cert_pem,
    active: row.active === 1,
  };
}

function countByType(resources: IncomingMessage['resources']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { resourceType } of resources) counts[resourceType] = (counts[resourceType] ?? 0) + 1;
  return counts;
}

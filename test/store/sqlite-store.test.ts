import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SqliteStore, StoreError, type IncomingMessage } from '../../src/store/index.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lmdi-store-'));
  store = new SqliteStore(join(dir, 'register.sqlite'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function message(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    messageId: 'a3f1c2d4-0000-4000-8000-000000000001',
    orgNumber: '964100004',
    rapporteringFra: '2026-12-01T00:00:00Z',
    rapporteringTil: '2026-12-02T00:00:00Z',
    generatedAt: '2026-12-02T01:00:00Z',
    contentSha256: 'aa'.repeat(32),
    resources: [
      { fullUrl: 'urn:uuid:1', resourceType: 'Patient', body: '{}' },
      { fullUrl: 'urn:uuid:2', resourceType: 'MedicationAdministration', body: '{}' },
    ],
    ...overrides,
  };
}

describe('SqliteStore.storeMessage', () => {
  it('stores the message and its resources, counted by type', () => {
    const result = store.storeMessage(message());

    expect(result).toEqual({ inserted: true, storedByType: { Patient: 1, MedicationAdministration: 1 } });
    expect(store.countMessages()).toBe(1);
    expect(store.countResourcesByType()).toEqual({ Patient: 1, MedicationAdministration: 1 });
  });

  it('takes the same message again as a resend and stores it once', () => {
    store.storeMessage(message());
    const again = store.storeMessage(message());

    expect(again.inserted).toBe(false);
    expect(store.countResourcesByType()).toEqual({ Patient: 1, MedicationAdministration: 1 });
  });

  it('refuses other content under a message id already used', () => {
    store.storeMessage(message());

    expect(() => store.storeMessage(message({ contentSha256: 'bb'.repeat(32) }))).toThrowError(StoreError);
    expect(() => store.storeMessage(message({ orgNumber: '974200007' }))).toThrow(/stored earlier with other content/);
    expect(store.countMessages()).toBe(1);
  });

  it('writes nothing when one resource cannot be stored', () => {
    const broken = message({
      resources: [
        { resourceType: 'Patient', body: '{}' },
        { resourceType: null as unknown as string, body: '{}' },
      ],
    });

    expect(() => store.storeMessage(broken)).toThrow();
    expect(store.countMessages()).toBe(0);
    expect(store.countResourcesByType()).toEqual({});
  });
});

describe('SqliteStore senders', () => {
  const sender = (orgNumber: string, thumb: string) => ({ orgNumber, clientId: `c-${orgNumber}`, certThumbprint: thumb, certPem: 'PEM', active: true });

  it('deactivates the senders a new list leaves out, so they can be revoked', () => {
    store.replaceSenders([sender('964100004', 'AA'.repeat(20)), sender('974200007', 'BB'.repeat(20))]);
    store.replaceSenders([sender('974200007', 'BB'.repeat(20))]);

    expect(store.findSenderByThumbprint('AA'.repeat(20))?.active).toBe(false);
    expect(store.findSenderByThumbprint('bb'.repeat(20))?.active).toBe(true);
  });

  it('creates its file readable by the owner only', () => {
    expect(statSync(join(dir, 'register.sqlite')).mode & 0o777).toBe(0o600);
  });
});

describe('SqliteStore schema', () => {
  it('adds columns that a store made by an earlier version lacks', () => {
    const path = join(dir, 'old.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE messages (message_id TEXT PRIMARY KEY, org_number TEXT NOT NULL, rapportering_fra TEXT NOT NULL,
      rapportering_til TEXT NOT NULL, generated_at TEXT NOT NULL, received_at TEXT NOT NULL, bundle_identifier TEXT)`);
    old.close();

    const upgraded = new SqliteStore(path);
    try {
      expect(upgraded.storeMessage(message()).inserted).toBe(true);
    } finally {
      upgraded.close();
    }
  });
});

describe('SqliteStore.rememberJti', () => {
  it('answers false for a DPoP proof id seen before', () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    expect(store.rememberJti('jti-1', expiresAt)).toBe(true);
    expect(store.rememberJti('jti-1', expiresAt)).toBe(false);
    expect(store.rememberJti('jti-2', expiresAt)).toBe(true);
  });
});

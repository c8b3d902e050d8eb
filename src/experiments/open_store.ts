/**
 * Opening a results store from a `--db` value: a `postgres://` or `postgresql://` URL opens
 * PostgreSQL, anything else is a SQLite file.
 */
import { isPostgresUrl, PgStore, type PgStoreOptions } from './pg_store.js';
import { SqliteStore } from './sqlite_store.js';
import type { Store } from './store_api.js';

export { isPostgresUrl };

export interface OpenStoreOptions {
  /** Open for reading only (results, reports): the store must exist and be current. */
  readonly?: boolean;
  /** SQLite: how long a writer waits for another one. */
  busyTimeoutMs?: number;
  /** PostgreSQL: how long to keep reconnecting to a server that went away; default 0 (fail at once). */
  reconnectMs?: number;
  /** PostgreSQL: told before each wait for an unreachable server (see {@link PgStoreOptions.onWait}). */
  onWait?: PgStoreOptions['onWait'];
  /** PostgreSQL: ends a wait for an unreachable server at once (exit 130). */
  signal?: AbortSignal;
}

/** Opens (creating and migrating unless `readonly`) the store `db` names. */
export async function openStore(db: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (isPostgresUrl(db)) return PgStore.open(db, { readonly: options.readonly, reconnectMs: options.reconnectMs, onWait: options.onWait, signal: options.signal });
  return SqliteStore.open(db, { readonly: options.readonly, busyTimeoutMs: options.busyTimeoutMs });
}

/**
 * The results store's schema, as numbered migrations. The database records its version in
 * `PRAGMA user_version` and that it is a lisht store in `PRAGMA application_id`; a database
 * from a newer lisht is refused rather than misread, an older one is upgraded in one
 * transaction (all of a migration or none of it).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { UserError } from '../errors.js';
import { EXIT } from '../exit_codes.js';

/** "LiSH" in ASCII: marks a SQLite file as a lisht results store. */
export const APPLICATION_ID = 0x4c695348;

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'experiments, spec versions, trials with claims, epochs, per-class metrics, confusion, samples, trial runs',
    sql: `
CREATE TABLE experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  spec_json TEXT NOT NULL,           -- the latest validated spec (defaults filled in)
  spec_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE spec_versions (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  spec_hash TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  source_path TEXT,
  source_text TEXT,                  -- the file as written, comments included
  first_run_at TEXT NOT NULL,
  PRIMARY KEY (experiment_id, spec_hash)
);

CREATE TABLE trials (
  id INTEGER PRIMARY KEY,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id),
  trial_key TEXT NOT NULL,           -- hash of config_json
  config_json TEXT NOT NULL,
  dataset TEXT NOT NULL,
  model TEXT NOT NULL,               -- the model's label in the spec
  activation TEXT NOT NULL,
  seed INTEGER NOT NULL,
  epochs INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  epochs_done INTEGER NOT NULL DEFAULT 0,
  -- The claim of the process running the trial: who, and until when without a heartbeat.
  claim_token TEXT,
  claim_pid INTEGER,
  claim_host TEXT,
  claim_pid_start TEXT,              -- the process's start time, so a reused pid is not mistaken for it
  lease_until INTEGER,               -- ms since the epoch
  attempts INTEGER NOT NULL DEFAULT 0,
  backend TEXT,
  lisht_version TEXT,
  git_commit TEXT,
  node_version TEXT,
  platform TEXT,
  data_source TEXT,
  params INTEGER,
  train_count INTEGER,
  test_count INTEGER,
  train_loss REAL,
  train_accuracy REAL,
  test_loss REAL,
  test_accuracy REAL,
  best_test_accuracy REAL,
  best_epoch INTEGER,
  train_seconds REAL,                -- sum of the recorded epochs' seconds
  wall_seconds REAL,                 -- sum of the runs' wall-clock time, resumes included
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  UNIQUE (experiment_id, trial_key),
  CHECK ((status = 'running') = (claim_token IS NOT NULL))
);
CREATE INDEX trials_by_status ON trials (experiment_id, status);

CREATE TABLE epochs (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL CHECK (epoch >= 1),  -- 1-based, as Keras prints it
  loss REAL,
  accuracy REAL,
  val_loss REAL,                     -- on the test set, as the article validates
  val_accuracy REAL,
  seconds REAL NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (trial_id, epoch)
) WITHOUT ROWID;

CREATE TABLE class_metrics (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  class_index INTEGER NOT NULL,
  class_name TEXT NOT NULL,
  support INTEGER NOT NULL,          -- test examples of the class
  correct INTEGER NOT NULL,
  accuracy REAL,                     -- correct / support; NULL when support is 0
  PRIMARY KEY (trial_id, class_index)
) WITHOUT ROWID;

CREATE TABLE confusion (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  true_class INTEGER NOT NULL,
  predicted_class INTEGER NOT NULL,
  count INTEGER NOT NULL CHECK (count > 0),  -- cells with 0 are not stored
  PRIMARY KEY (trial_id, true_class, predicted_class)
) WITHOUT ROWID;

CREATE TABLE samples (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  example_index INTEGER NOT NULL,    -- index in the test split
  true_class INTEGER NOT NULL,
  predicted_class INTEGER NOT NULL,
  PRIMARY KEY (trial_id, position)
) WITHOUT ROWID;

CREATE TABLE trial_runs (
  id INTEGER PRIMARY KEY,
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  claim_token TEXT NOT NULL UNIQUE,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  backend TEXT,
  start_epoch INTEGER NOT NULL,      -- epochs already done when it began (resumed from)
  end_epoch INTEGER,
  outcome TEXT CHECK (outcome IN ('done', 'failed', 'stopped', 'lost', 'error')),
  error TEXT,
  started_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX trial_runs_by_trial ON trial_runs (trial_id);
`,
  },
  {
    version: 2,
    description: 'trials.data_path: the data file a trial read, so reports can find the images again',
    sql: `ALTER TABLE trials ADD COLUMN data_path TEXT;`,
  },
  {
    version: 3,
    description: 'gradient_flow: per trial, the gradient-flow measurement before training and after each epoch',
    sql: `
CREATE TABLE gradient_flow (
  trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL CHECK (epoch >= 0),  -- 0: the initial weights
  record_json TEXT NOT NULL,                  -- a GradientFlowRecord: per-layer norms and activation statistics
  PRIMARY KEY (trial_id, epoch)
) WITHOUT ROWID;
`,
  },
];

/** The schema version this lisht writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The tables the migrations up to `version` create. */
function tablesOf(version: number): string[] {
  return MIGRATIONS.filter((m) => m.version <= version).flatMap((m) => [...m.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((x) => x[1]!));
}

function tableCount(db: BetterSqlite3.Database): number {
  return (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
}

/**
 * Checks what `db` is: a lisht store this version can read (returns its schema version), an
 * empty file (0), or something else (throws a UserError saying what).
 */
export function inspectSchema(db: BetterSqlite3.Database, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (appId !== APPLICATION_ID && (appId !== 0 || tableCount(db) > 0)) {
    throw new UserError(`${path} is a SQLite database but not a lisht results store (application_id ${appId}); choose another --db file`);
  }
  if (version > SCHEMA_VERSION) {
    throw new UserError(`${path} was written by a newer lisht (schema version ${version}; this lisht knows up to ${SCHEMA_VERSION}); upgrade lisht to use it`);
  }
  // The tables the recorded version promises must be there: a schema version reset to 0 over
  // existing tables, or a table dropped by hand, is a damaged store (65), not an empty one.
  const present = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  if (version === 0 && present.size > 0) {
    throw new UserError(`${path} is damaged: its schema version reads 0 but it holds tables (${[...present].sort().join(', ')}); restore it from a copy, or choose another --db file`, EXIT.DATA);
  }
  const missing = tablesOf(version).filter((t) => !present.has(t));
  if (missing.length > 0) {
    throw new UserError(`${path} is damaged: schema version ${version} but table${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing; restore it from a copy, or choose another --db file`, EXIT.DATA);
  }
  return version;
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION}. The check and the migrations run inside one
 * `BEGIN IMMEDIATE` transaction, so two processes opening a new database at once migrate it
 * once, and a migration interrupted by a crash leaves the previous version intact.
 */
export function migrate(db: BetterSqlite3.Database, path: string): void {
  if (inspectSchema(db, path) === SCHEMA_VERSION) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const from = inspectSchema(db, path);
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

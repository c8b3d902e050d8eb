/**
 * The exit codes of the `lisht` command, one per class of outcome, used everywhere a process
 * ends (the CLI, `lisht run`'s workers). Besides 0-2 and 130 they are BSD's `sysexits.h`
 * codes, so shell scripts and supervisors can tell a bad input from a full disk.
 */
export const EXIT = {
  /** Everything asked for was done. */
  OK: 0,
  /** The command ran, but a model or trial it trained failed (its loss became NaN). */
  FAILED: 1,
  /** A bad flag, flag value, name or option combination: nothing was started. */
  USAGE: 2,
  /** An input file is malformed: a damaged archive, a wrong checksum, a corrupt database. */
  DATA: 65,
  /** An input file or folder does not exist or cannot be opened. */
  NO_INPUT: 66,
  /** A service is unreachable: every download source failed, or PostgreSQL refused or lost the connection; or bf16 without the CPU's bf16 instructions. */
  UNAVAILABLE: 69,
  /** A bug: an internal error, printed with its stack trace. */
  SOFTWARE: 70,
  /** An output cannot be created: it exists already, or the folder is read-only. */
  CANT_CREATE: 73,
  /** Reading or writing failed midway: the disk is full, an I/O error. */
  IO: 74,
  /** Try again later: a database is locked by another process, or a run folder by another writer. */
  TEMP_FAIL: 75,
  /** Stopped by SIGINT or SIGTERM; `--resume` (or running again) continues where it stopped. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

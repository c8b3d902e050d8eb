/** A member of an archive, as announced before its bytes arrive. */
export interface ArchiveMember {
  /** Normalised relative path (`a/b.bin`). */
  path: string;
  size: number;
}

/** Receives the bytes of one member; may throw to stop reading with that error. */
export interface MemberSink {
  write(chunk: Uint8Array): void;
  end(): void;
}

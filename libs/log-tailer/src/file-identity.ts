import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Bytes hashed for a file's fingerprint: its first line, or this many bytes of a longer one. */
export const FINGERPRINT_BYTES = 256;

/**
 * Which file this is, independent of its name: device and inode, plus a fingerprint of the first
 * line, so a file truncated and rewritten in place (copytruncate, same inode) or a recycled inode is
 * told apart from the file we read before. No fingerprint yet while the first line is incomplete.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
  fingerprint?: string;
}

/** Stable text form used in event ids and checkpoints. */
export function fileIdText(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.fingerprint ?? '-'}`;
}

export function sameInode(a: FileIdentity, b: { dev: number; ino: number }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

/** Fingerprint of an open file, or undefined while it has no complete first line (nor 256 bytes). */
export async function fingerprintOf(fh: FileHandle): Promise<string | undefined> {
  const buf = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await fh.read(buf, 0, FINGERPRINT_BYTES, 0);
  return fingerprintOfHead(buf.subarray(0, bytesRead));
}

/** The fingerprint of a file that starts with `head` (at least FINGERPRINT_BYTES of it, or all of a shorter file). */
export function fingerprintOfHead(head: Buffer): string | undefined {
  const nl = head.subarray(0, FINGERPRINT_BYTES).indexOf(10);
  if (nl < 0 && head.length < FINGERPRINT_BYTES) return undefined;
  const first = nl < 0 ? head.subarray(0, FINGERPRINT_BYTES) : head.subarray(0, nl + 1);
  return createHash('sha256').update(first).digest('hex').slice(0, 16);
}

import { createHash } from 'node:crypto';

/**
 * Deterministic event id from where the line lies: host, file identity and byte offset. A replay of
 * the same bytes gets the same id, so consumers drop it; ids over the contract's 200 characters
 * (very long host names) are hashed.
 */
export function lineEventId(host: string, fileId: string, offset: number): string {
  const id = `${host}:${fileId}@${offset}`;
  return id.length <= 200 ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * Deterministic event id of a journal entry: host and the entry's cursor (journald's own stable
 * address of the entry), hashed like line ids when too long for the contract.
 */
export function journalEventId(host: string, cursor: string): string {
  const id = `${host}:journal:${cursor}`;
  return id.length <= 200 ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

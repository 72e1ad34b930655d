import type { mongo } from 'mongoose';

/** Commands that read (or read to change) stored documents: on FerretDB each scans its collection. */
export const READ_COMMANDS = new Set(['find', 'update', 'delete', 'aggregate', 'count', 'findAndModify', 'distinct']);

/** One statement a job sent, as driver command monitoring saw it. */
export interface RecordedCommand {
  name: string;
  collection: string;
  /** The fields the statement filters on (sorted), e.g. `_id` or `active`. */
  filterKeys: string;
}

/** The statements of a monitored command (an update or delete command may carry several). */
export function recordedCommands(ev: mongo.CommandStartedEvent): RecordedCommand[] {
  const c = ev.command as Record<string, any>;
  const collection = String(c[ev.commandName] ?? '');
  const keys = (q: unknown) => Object.keys((q as object) ?? {}).sort().join(',');
  if (ev.commandName === 'update') return (c.updates as any[]).map((u) => ({ name: 'update', collection, filterKeys: keys(u.q) }));
  if (ev.commandName === 'delete') return (c.deletes as any[]).map((d) => ({ name: 'delete', collection, filterKeys: keys(d.q) }));
  if (ev.commandName === 'find') return [{ name: 'find', collection, filterKeys: keys(c.filter) }];
  if (ev.commandName === 'getMore') return [{ name: 'getMore', collection: String(c.collection ?? ''), filterKeys: '' }];
  return [{ name: ev.commandName, collection, filterKeys: '' }];
}

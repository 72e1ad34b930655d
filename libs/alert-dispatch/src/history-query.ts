import { ALERT_HISTORY_DEFAULT_HOURS, type AlertHistoryPageEntry, type AlertHistoryQuery, type AlertHistoryResponse } from '@watchkeeper/contracts';
import { hourKey, toHistoryEntry, type AlertHistoryStore, type AlertStateStore, type HistoryRecord } from '@watchkeeper/alert-state';

/** Records looked at per page, at most: a page of a rare filter over a busy week ends early, with a cursor. */
export const HISTORY_SCAN_BUDGET = 20_000;

const HOUR = 3_600_000;

/** Sort key, newest first: received time, then Kafka position. The cursor is the last key a page covered. */
type Position = [number, number, bigint];
const positionOf = (r: HistoryRecord): Position => [new Date(r.receivedAt).getTime(), r.kafka.partition, BigInt(r.kafka.offset)];
const olderFirst = (a: Position, b: Position) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
const cursorOf = (p: Position) => `${p[0]}-${p[1]}-${p[2]}`;
function parseCursor(c: string): Position {
  const [t, p, o] = c.split('-');
  return [Number(t), Number(p), BigInt(o!)];
}

/** The time range a query reads: [from, to), defaults applied (the contract bounds its span). */
export function historyRange(q: Pick<AlertHistoryQuery, 'from' | 'to'>, now = new Date()): { from: Date; to: Date } {
  const span = ALERT_HISTORY_DEFAULT_HOURS * HOUR;
  if (q.from && q.to) return { from: new Date(q.from), to: new Date(q.to) };
  if (q.from) return { from: new Date(q.from), to: new Date(Date.parse(q.from) + span) };
  const to = q.to ? new Date(q.to) : now;
  return { from: new Date(to.getTime() - span), to };
}

/**
 * One page of alert history, newest first. Reads the hour index for the range (one `_id` range),
 * then the batches of one hour at a time, newest hour first, until the page is full or the scan
 * budget is spent; the current state of stateful alerts comes from point lookups by fingerprint.
 */
export async function alertHistoryPage(history: AlertHistoryStore, states: AlertStateStore, q: AlertHistoryQuery, now = new Date()): Promise<AlertHistoryResponse> {
  const { from, to } = historyRange(q, now);
  const after = q.cursor ? parseCursor(q.cursor) : undefined;
  const entries: AlertHistoryPageEntry[] = [];
  let scanned = 0;
  let last: Position | undefined;
  let exhausted = true;
  const upTo = after ? new Date(Math.min(to.getTime() - 1, after[0])) : new Date(to.getTime() - 1);
  walk: for (const { hour, buckets } of await history.bucketsByHour(from, upTo)) {
    const records = (await history.loadBuckets(buckets))
      .filter((r) => {
        const t = new Date(r.receivedAt);
        return hourKey(t) === hour && t >= from && t < to && (!after || olderFirst(positionOf(r), after) < 0);
      })
      .sort((a, b) => olderFirst(positionOf(b), positionOf(a)));
    const candidates = records.filter((r) => matches(r, q));
    const current = await currentStates(states, candidates);
    const wanted = new Set(candidates);
    for (const r of records) {
      if (entries.length >= q.limit || scanned >= HISTORY_SCAN_BUDGET) {
        exhausted = false;
        break walk;
      }
      scanned += 1;
      last = positionOf(r);
      if (!wanted.has(r)) continue;
      const state = r.event.action === 'store' ? undefined : current.get(r.fingerprint);
      if (q.state && state !== q.state) continue;
      entries.push({ ...toHistoryEntry(r), ...(state ? { state } : {}) });
    }
  }
  return { from: from.toISOString(), to: to.toISOString(), entries, nextCursor: !exhausted && last ? cursorOf(last) : null };
}

function matches(r: HistoryRecord, q: AlertHistoryQuery): boolean {
  const e = r.event;
  return (
    (!q.entity || e.entity.id === q.entity) &&
    (!q.type || e.type === q.type) &&
    (!q.severity || e.severity === q.severity) &&
    (!q.category || e.category === q.category) &&
    (!q.action || e.action === q.action) &&
    (!q.state || e.action !== 'store')
  );
}

async function currentStates(states: AlertStateStore, records: HistoryRecord[]): Promise<Map<string, 'active' | 'released'>> {
  const fingerprints = [...new Set(records.filter((r) => r.event.action !== 'store').map((r) => r.fingerprint))];
  const loaded = await states.load(fingerprints);
  return new Map([...loaded].map(([fp, s]) => [fp, s.status === 'firing' ? 'active' : 'released']));
}

import type { SshEvent } from '@watchkeeper/contracts';
import { isHostName } from './sshd-parser';

/**
 * The SshEvent contract checked by hand for the collector's hot path (zod's per-event parse is ≈ a
 * fifth of its CPU). `checkedSshEvent` vouches only for values it can see are valid and returns what
 * `SshEvent.parse` would return — the same fields in the schema's order, unknown keys dropped,
 * `count` defaulted — so the JSON is byte-identical; anything else returns undefined and the caller
 * asks zod (which then accepts it or names the problem). ssh-event-check.spec.ts compares the two.
 */
export interface SshEventCheck {
  checkedSshEvent(v: Partial<Record<keyof SshEvent, unknown>>): SshEvent | undefined;
  checkedSshEventOf(body: Partial<Record<keyof SshEvent, unknown>>, id: unknown, origin: unknown): SshEvent | undefined;
}

/**
 * The check for the contract's kinds and zod's date-time pattern (both read from the contract by
 * ssh-event-check.ts; an encoding worker gets them passed, so it does not load zod).
 */
export function createSshEventCheck(kinds: readonly string[], isoPattern: RegExp | undefined): SshEventCheck {
  const KINDS = new Set<string>(kinds);
  const ISO_PATTERN = isoPattern;

  /**
   * zod's pattern is ^DATE T TIME$ with a 10-character DATE (leap years checked) and no "T" inside it,
   * so a time is valid when its first 10 characters pass the pattern's date part and the rest its time
   * part. Events come in time order: the date of the last valid time is remembered, and most checks
   * are the short time part only.
   */
  const DATE_TIME = ISO_PATTERN ? /^\^\(\?:(.*)\)T(\(\?:.*\))\$$/.exec(ISO_PATTERN.source) : null;
  const DATE_PART = DATE_TIME ? new RegExp(`^(?:${DATE_TIME[1]})$`) : undefined;
  const TIME_PART = DATE_TIME ? new RegExp(`^${DATE_TIME[2]}$`) : undefined;
  let lastDate = '';
  let lastHost = '';
  /** The last time that passed (events of one second share their time text). */
  let lastTime = '';

  function isIsoTime(time: string): boolean {
    if (time === lastTime) return true;
    if (!DATE_PART || !TIME_PART) return ISO_PATTERN!.test(time);
    if (time.charCodeAt(10) !== 84 /* T */) return false;
    const date = time.slice(0, 10);
    if (date !== lastDate) {
      if (!DATE_PART.test(date)) return false;
      lastDate = date;
    }
    if (!TIME_PART.test(time.slice(11))) return false;
    lastTime = time;
    return true;
  }

  const optString = (v: unknown) => v === undefined || typeof v === 'string';
  const isCount = (v: unknown, min: number) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

  function checkedSshEvent(v: Partial<Record<keyof SshEvent, unknown>>): SshEvent | undefined {
    return checkedSshEventOf(v, v.id, v.origin);
  }

  /**
   * `checkedSshEvent({ ...body, id, origin })` without making that object first (the collector's hot
   * path: the spread of a parsed event cost more than the check).
   */
  function checkedSshEventOf(body: Partial<Record<keyof SshEvent, unknown>>, id: unknown, origin: unknown): SshEvent | undefined {
    if (!ISO_PATTERN) return undefined;
    const { host, time, timeText, kind, program, pid, user, sourceIp, sourceInferred, port, method, count } = body;
    if (typeof id !== 'string' || id.length < 1 || id.length > 200) return undefined;
    if (typeof host !== 'string') return undefined;
    if (host !== lastHost) {
      if (!isHostName(host)) return undefined;
      lastHost = host;
    }
    if (typeof time !== 'string' || !isIsoTime(time)) return undefined;
    if (typeof timeText !== 'string' || typeof kind !== 'string' || !KINDS.has(kind) || typeof program !== 'string') return undefined;
    if (!isCount(pid, 0) || !optString(user) || !optString(sourceIp) || !optString(method)) return undefined;
    if (sourceInferred !== undefined && typeof sourceInferred !== 'boolean') return undefined;
    if (port !== undefined && !(isCount(port, 0) && (port as number) <= 65535)) return undefined;
    if (count !== undefined && !isCount(count, 1)) return undefined;
    let originOut: SshEvent['origin'];
    if (origin !== undefined) {
      const o = origin as Record<string, unknown>;
      if (typeof o !== 'object' || o === null || typeof o.path !== 'string' || typeof o.fileId !== 'string' || !isCount(o.offset, 0)) return undefined;
      originOut = { path: o.path, fileId: o.fileId, offset: o.offset as number };
    }
    return {
      id,
      host,
      time,
      timeText,
      kind: kind as SshEvent['kind'],
      program,
      pid: pid as number,
      user: user as string | undefined,
      sourceIp: sourceIp as string | undefined,
      sourceInferred: sourceInferred as boolean | undefined,
      port: port as number | undefined,
      method: method as string | undefined,
      count: (count as number | undefined) ?? 1,
      origin: originOut,
    };
  }
  return { checkedSshEvent, checkedSshEventOf };
}

import type { SshEvent } from '@watchkeeper/contracts';
// The rule alone, not the contracts' index: `count` never loads zod.
import { isHostName } from '@watchkeeper/contracts/host-name';
import { ipv4Key } from '@watchkeeper/ssh-stats';
import { IsoFormatter } from './iso-time';
import { LocalZone, machineTimeZone } from './local-time';
import { classifySshdMessage, IGNORED, type MessageResult } from './sshd-message';
import { parseSyslogHeader, type SyslogHeader } from './syslog-header';
import { YearClock, type YearClockState } from './year-clock';

/** An event as the parser sees it; the reader adds the id (host, file identity, offset) and origin. */
export type SshdEventBody = Omit<SshEvent, 'id' | 'origin'>;

export type LineResult =
  | { type: 'other' }
  | { type: 'ignored' }
  | { type: 'unrecognized' }
  | { type: 'event'; event: SshdEventBody; timeMs: number };

/**
 * What the statistics need from one event line (see @watchkeeper/ssh-stats): no ISO text, no user,
 * no port. `time` stays empty; the instant is `timeMs`.
 */
export interface StatsEvent {
  host: string;
  time: string;
  timeMs: number;
  kind: SshdEventBody['kind'];
  pid: number;
  /**
   * Only an address stated in the line itself (statistics never count a carried-over one): a
   * canonical dotted quad as its ipv4Key in `sourceV4` (no string made), any other in `sourceIp`.
   */
  sourceIp: string | undefined;
  sourceV4: number | undefined;
  method: string | undefined;
  count: number;
}

export interface ParserCounters {
  /** Lines from sshd, sshd-session or sshd-auth. */
  sshd: number;
  events: number;
  /** Recognised sshd lines that report nothing (daemon start, debug, duplicates). */
  ignored: number;
  /** sshd lines the parser does not know: reported, never dropped silently. */
  unrecognized: number;
}

export interface SshdParserOptions {
  /** Host for lines whose header names none (`Mar 3 00:17:22 sshd[1]: …`). */
  defaultHost: string;
  /** Year of the first classic (`Mar 29 17:37:18`) stamp; inferred from `now` when absent. */
  year?: number;
  /** IANA zone of stamps without offset; default the machine's. */
  timeZone?: string;
  now?: () => number;
  /** Clock state from a checkpoint, so a resumed read keeps the year it had. */
  clock?: YearClockState;
}

/** One journald entry's fields, for sources that do not read syslog text. */
export interface TaggedMessage {
  host?: string;
  program: string;
  pid: number;
  timeMs: number;
  timeText: string;
  message: string;
}

const SSHD_PROGRAMS = new Set(['sshd', 'sshd-session', 'sshd-auth']);
/** An sshd tag somewhere in a line whose header could not be read: such a line is still counted. */
const SSHD_TAG_ANYWHERE = /\bsshd(?:-session|-auth)?(?:\[\d+\])?:/;
const ADDRESS_MEMORY_MS = 60 * 60 * 1000;
const ADDRESS_MEMORY_MAX = 10_000;
const OTHER: LineResult = { type: 'other' };
const IGNORED_RESULT: LineResult = { type: 'ignored' };
const UNRECOGNIZED: LineResult = { type: 'unrecognized' };
const MAX_PARSED_LENGTH = 16 * 1024;

/**
 * Parses sshd lines into events. Pure (no I/O) but stateful across lines of one stream: the year
 * of classic stamps, DST order, and the client address of each PID (later lines such as
 * "Disconnecting: Too many authentication failures" name none; they get it marked `sourceInferred`).
 */
export class SshdParser {
  readonly counters: ParserCounters = { sshd: 0, events: 0, ignored: 0, unrecognized: 0 };
  /** The first few unrecognised messages, for a report. */
  readonly unrecognizedSamples: string[] = [];
  private readonly clock: YearClock;
  private readonly defaultHost: string;
  private readonly hosts = new Map<string, string>();
  /** host → pid → last stated address of that PID. */
  private readonly addresses = new Map<string, Map<number, { ip: string; ms: number }>>();
  private addressCount = 0;
  private readonly isoFormatter = new IsoFormatter();
  private readonly stats: StatsEvent = { host: '', time: '', timeMs: 0, kind: 'accepted', pid: 0, sourceIp: undefined, sourceV4: undefined, method: undefined, count: 1 };
  /** Instant of the last sshd line read, and the stamp text it came from. */
  private lastMs = 0;
  private lastTimeText = '';

  constructor(opts: SshdParserOptions) {
    const zone = new LocalZone(opts.timeZone ?? machineTimeZone());
    this.clock = new YearClock(zone, { year: opts.year, now: opts.now ?? Date.now }, opts.clock);
    this.defaultHost = safeHost(opts.defaultHost) ?? 'localhost';
  }

  /** Year/DST state to store with a checkpoint. */
  clockState(): YearClockState {
    return this.clock.snapshot();
  }

  /** One syslog line without its line break. */
  parseLine(line: string): LineResult {
    const header = this.readHeader(line);
    if ('type' in header) return header; // OTHER or UNRECOGNIZED
    return this.parseMessage({ host: header.host, program: header.program, pid: header.pid, timeMs: this.lastMs, timeText: header.timeText, message: header.message });
  }

  /**
   * `parseLine` for statistics only, on the hot path of `count`: the same header, clock, classification
   * and counters, but no event object, no ISO time text and no address memory (statistics never count
   * an address carried over from another line). Returns one reused object, valid until the next call,
   * or undefined when the line is no event.
   */
  statsEvent(line: string): StatsEvent | undefined {
    const header = this.readHeader(line);
    if ('type' in header) return undefined; // OTHER or UNRECOGNIZED
    this.counters.sshd++;
    const e = this.statsOf(classifySshdMessage(header.message), header.message, header.pid);
    if (e) e.host = this.host(header.host);
    return e;
  }

  /**
   * Counts a classified sshd message and fills the reused stats event when it is one; the caller sets
   * its host, which only events need.
   */
  private statsOf(facts: MessageResult, message: string, pid: number): StatsEvent | undefined {
    if (facts === IGNORED) {
      this.counters.ignored++;
      return undefined;
    }
    if (!facts) {
      this.unrecognized(message);
      return undefined;
    }
    this.counters.events++;
    const e = this.stats;
    e.timeMs = this.lastMs;
    e.kind = facts.kind;
    e.pid = pid;
    const v4 = facts.sourceIp === undefined ? undefined : ipv4Key(facts.sourceIp);
    e.sourceV4 = v4;
    e.sourceIp = v4 === undefined ? facts.sourceIp : undefined;
    e.method = facts.method;
    e.count = facts.count;
    return e;
  }

  /** The header of an sshd line, its instant left in `lastMs`; OTHER for other programs' lines. */
  private readHeader(line: string): SyslogHeader | LineResult {
    if (!line.includes('sshd')) return OTHER;
    const header = line.length <= MAX_PARSED_LENGTH ? parseSyslogHeader(line) : undefined;
    if (!header) {
      if (!SSHD_TAG_ANYWHERE.test(line.slice(0, 512))) return OTHER;
      this.counters.sshd++;
      return this.unrecognized(line);
    }
    if (!SSHD_PROGRAMS.has(header.program)) return OTHER;
    this.lastMs = this.instant(header);
    return header;
  }

  /** A message whose time, host and program are known already (journald). */
  parseMessage(t: TaggedMessage): LineResult {
    if (!SSHD_PROGRAMS.has(t.program)) return OTHER;
    this.counters.sshd++;
    const facts = classifySshdMessage(t.message);
    if (facts === IGNORED) {
      this.counters.ignored++;
      return IGNORED_RESULT;
    }
    if (!facts) return this.unrecognized(t.message);
    const host = this.host(t.host);
    // One literal with every field (absent ones undefined, which JSON omits): one object shape.
    const event: SshdEventBody = {
      host,
      time: this.iso(t.timeMs),
      timeText: t.timeText,
      kind: facts.kind,
      program: t.program,
      pid: t.pid,
      user: facts.user,
      sourceIp: facts.sourceIp,
      sourceInferred: undefined,
      port: facts.port,
      method: facts.method,
      count: facts.count,
    };
    this.attachAddress(event, t.timeMs);
    this.counters.events++;
    return { type: 'event', event, timeMs: t.timeMs };
  }

  private unrecognized(text: string): LineResult {
    this.counters.unrecognized++;
    if (this.unrecognizedSamples.length < 5) this.unrecognizedSamples.push(text.slice(0, 300));
    return UNRECOGNIZED;
  }

  /** Remembers the address a line states for its PID, or lends the remembered one to a line without. */
  private attachAddress(event: SshdEventBody, ms: number): void {
    if (event.pid === 0) return;
    let pids = this.addresses.get(event.host);
    if (!pids) this.addresses.set(event.host, (pids = new Map()));
    const known = pids.get(event.pid);
    if (event.sourceIp) {
      if (known) {
        known.ip = event.sourceIp;
        known.ms = ms;
      } else {
        pids.set(event.pid, { ip: event.sourceIp, ms });
        if (++this.addressCount > ADDRESS_MEMORY_MAX) this.forgetAddresses(ms);
      }
    } else if (known && Math.abs(ms - known.ms) <= ADDRESS_MEMORY_MS) {
      event.sourceIp = known.ip;
      event.sourceInferred = true;
    }
  }

  /** Keeps the memory bounded: drops addresses older than the window, or all when none are. */
  private forgetAddresses(now: number): void {
    let kept = 0;
    for (const pids of this.addresses.values()) {
      for (const [pid, a] of pids) {
        if (Math.abs(now - a.ms) > ADDRESS_MEMORY_MS) pids.delete(pid);
        else kept++;
      }
    }
    if (kept > ADDRESS_MEMORY_MAX / 2) {
      this.addresses.clear();
      kept = 0;
    }
    this.addressCount = kept;
  }

  private iso(ms: number): string {
    return this.isoFormatter.format(Math.floor(ms));
  }

  /**
   * Consecutive lines mostly share their stamp; the same stamp text gives the same instant and leaves
   * the clock as it was (every branch below ends with the clock's last instant = its result), so the
   * previous result is reused.
   */
  private instant(h: SyslogHeader): number {
    if (h.timeText === this.lastTimeText) return this.lastMs;
    this.lastTimeText = h.timeText;
    const s = h.stamp;
    if (s.type === 'classic') return this.clock.classic(s.month, s.day, s.h, s.m, s.s);
    if (s.offsetMin === undefined) return this.clock.wall(s.y, s.month, s.day, s.h, s.m, s.s, s.fracMs);
    const ms = Date.UTC(s.y, s.month - 1, s.day, s.h, s.m, s.s) + s.fracMs - s.offsetMin * 60_000;
    this.clock.seen(ms);
    return ms;
  }

  private host(raw: string | undefined): string {
    if (raw === undefined) return this.defaultHost;
    let h = this.hosts.get(raw);
    if (h === undefined) {
      h = safeHost(raw) ?? this.defaultHost;
      if (this.hosts.size < 10_000) this.hosts.set(raw, h);
    }
    return h;
  }
}

/** A host name the contract accepts: other characters become "-"; undefined when nothing is left. */
export function safeHost(raw: string): string | undefined {
  if (isHostName(raw)) return raw;
  const cleaned = raw.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 253);
  return cleaned && isHostName(cleaned) ? cleaned : undefined;
}

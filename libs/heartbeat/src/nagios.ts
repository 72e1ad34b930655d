import type { ListenersResponse, ListenerView } from '@watchkeeper/contracts';

/** Nagios plugin return codes. */
export const NagiosCode = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type NagiosCode = (typeof NagiosCode)[keyof typeof NagiosCode];
const LABEL = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

/** Plugin output may be at most this long (Nagios 4 reads up to 8 KiB). */
export const MAX_PLUGIN_OUTPUT = 8192;

export interface CheckOptions {
  node?: string;
  listener?: string;
  /** Round-trip thresholds, seconds. */
  warnRttS: number;
  critRttS: number;
}

export interface CheckResult {
  code: NagiosCode;
  output: string;
}

/** A check that could not be made (server unreachable, bad answer): UNKNOWN, as the guidelines say. */
export function unknownResult(reason: string): CheckResult {
  return { code: NagiosCode.UNKNOWN, output: truncate(`HEARTBEAT UNKNOWN - ${oneLine(reason)}`) };
}

const oneLine = (s: string) => s.replace(/[\r\n|]+/g, ' ').trim();

function names(list: ListenerView[], max = 5): string {
  const shown = list.slice(0, max).map((l) => l.id);
  return shown.join(', ') + (list.length > max ? `, +${list.length - max} more` : '');
}

const lastRtt = (l: ListenerView): number | null => (l.latencyHistoryMs.length ? l.latencyHistoryMs[l.latencyHistoryMs.length - 1] : null);

/**
 * Turns the server's view into one Nagios verdict: a status line with perfdata, then one line per node.
 * CRITICAL: an expected listener is missing (or slower than -c); WARNING: late, extra (unexpected) or
 * slower than -w; UNKNOWN: the monitor itself is blind, so no listener state can be trusted.
 */
export function evaluateCheck(view: ListenersResponse, o: CheckOptions): CheckResult {
  const listeners = view.listeners.filter((l) => (!o.node || l.node === o.node) && (!o.listener || l.id === o.listener));
  if (view.blind.length > 0) return unknownResult(`monitor blind (${view.blind.join(', ')}): listener states unknown`);
  if (o.listener && listeners.length === 0) {
    return { code: NagiosCode.CRITICAL, output: truncate(`HEARTBEAT CRITICAL - listener ${o.listener} is not known to the server${o.node ? ` on ${o.node}` : ''}`) };
  }
  if (o.node && !view.nodes.some((n) => n.node === o.node)) return unknownResult(`node ${o.node} is not monitored by ${view.server}`);

  const expected = listeners.filter((l) => l.expected);
  const missing = listeners.filter((l) => l.state === 'missing');
  const late = listeners.filter((l) => l.state === 'late');
  const extra = listeners.filter((l) => l.state === 'extra');
  const fresh = listeners.filter((l) => l.state === 'new');
  const received = listeners.filter((l) => lastRtt(l) !== null);
  const rtts = received.map((l) => lastRtt(l)! / 1000);
  const rttMax = rtts.length ? Math.max(...rtts) : 0;

  let code: NagiosCode = NagiosCode.OK;
  const problems: string[] = [];
  if (missing.length > 0) {
    code = NagiosCode.CRITICAL;
    problems.push(`${missing.length}/${expected.length} listeners missing (${names(missing)})`);
  }
  if (rttMax > o.critRttS) {
    code = NagiosCode.CRITICAL;
    problems.push(`slowest answer ${rttMax.toFixed(3)} s > ${o.critRttS} s`);
  } else if (rttMax > o.warnRttS) {
    code = Math.max(code, NagiosCode.WARNING) as NagiosCode;
    problems.push(`slowest answer ${rttMax.toFixed(3)} s > ${o.warnRttS} s`);
  }
  if (late.length > 0) {
    code = Math.max(code, NagiosCode.WARNING) as NagiosCode;
    problems.push(`${late.length} late (${names(late)})`);
  }
  if (extra.length > 0) {
    code = Math.max(code, NagiosCode.WARNING) as NagiosCode;
    problems.push(`${extra.length} unexpected (${names(extra)})`);
  }
  const summary =
    problems.length > 0
      ? problems.join(', ')
      : `${received.length}/${Math.max(expected.length, listeners.length)} listeners answering${fresh.length ? `, ${fresh.length} not yet seen (start-up grace)` : ''}`;
  const perf = [
    `expected=${expected.length};;;0`,
    `received=${received.length};;;0`,
    `missing=${missing.length};0;0;0`,
    `rtt_max=${rttMax.toFixed(3)}s;${o.warnRttS};${o.critRttS};0`,
  ].join(' ');
  const status = `HEARTBEAT ${LABEL[code]} - ${oneLine(summary)} | ${perf}`;

  const long = view.nodes
    .filter((n) => !o.node || n.node === o.node)
    .map((n) => {
      const mine = listeners.filter((l) => l.node === n.node);
      const by = (s: string) => mine.filter((l) => l.state === s);
      const round = n.lastRound ? `round ${n.lastRound.seq} took ${((n.lastRound.durationMs ?? 0) / 1000).toFixed(3)} s${n.lastRound.complete ? '' : ' (timed out)'}` : 'no round yet';
      const parts = [
        `${mine.filter((l) => l.expected).length} expected`,
        `${mine.filter((l) => lastRtt(l) !== null).length} answered`,
        ...(['missing', 'late', 'extra', 'new'] as const).filter((s) => by(s).length).map((s) => `${s}: ${names(by(s), 20)}`),
        round,
      ];
      return oneLine(`node ${n.node}: ${parts.join('; ')}`);
    });
  return { code, output: truncate([status, ...long].join('\n')) };
}

/** Keeps whole lines while they fit in the limit (the status line is always first and always kept). */
function truncate(text: string): string {
  if (Buffer.byteLength(text) <= MAX_PLUGIN_OUTPUT) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  let size = 0;
  for (const line of lines) {
    const len = Buffer.byteLength(line) + 1;
    if (size + len > MAX_PLUGIN_OUTPUT - 32) {
      out.push(`… ${lines.length - out.length} more lines`);
      break;
    }
    out.push(line);
    size += len;
  }
  return Buffer.from(out.join('\n')).subarray(0, MAX_PLUGIN_OUTPUT).toString();
}

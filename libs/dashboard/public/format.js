// Small helpers for building HTML safely (everything interpolated is escaped) and for showing
// times, durations and states in words and symbols, not by colour alone.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
}

/** A piece of HTML that must not be escaped again. */
class Raw {
  constructor(s) {
    this.s = s;
  }
  toString() {
    return this.s;
  }
}
export const raw = (s) => new Raw(s);

/** html`<td>${value}</td>`: values are escaped unless they are raw()/html`` results; arrays are joined. */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1];
  });
  return new Raw(out);
}
function render(v) {
  if (v instanceof Raw) return v.s;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

export function durationText(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function ago(iso, now = Date.now()) {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  const d = now - t;
  return d < 0 ? `in ${durationText(-d)}` : `${durationText(d)} ago`;
}

export function timeText(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** <time> with the relative text shown and the exact time as its title and datetime. */
export function timeAgo(iso, now) {
  if (!iso) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}" title="${timeText(iso)}">${ago(iso, now)}</time>`;
}

/** Each state has a symbol and a word; colour only repeats what they say. */
const STATES = {
  ok: ['✓', 'ok'],
  late: ['◔', 'late'],
  missing: ['✗', 'missing'],
  extra: ['+', 'extra'],
  new: ['★', 'new'],
  unknown: ['?', 'unknown'],
  stale: ['⚠', 'stale'],
  silent: ['🔇', 'silent'],
  'fatal-only': ['✗', 'fatal-only'],
  unstamped: ['⚠', 'unstamped'],
  'self-check-critical': ['✗', 'self-check critical'],
  critical: ['✗', 'critical'],
  warning: ['⚠', 'warning'],
  info: ['ℹ', 'info'],
  active: ['●', 'active'],
  pending: ['◷', 'pending'],
  expired: ['○', 'expired'],
  delivered: ['✓', 'delivered'],
  queued: ['◷', 'queued'],
  dead_lettered: ['✗', 'dead-lettered'],
  dropped: ['✗', 'dropped'],
  silenced: ['🔇', 'silenced'],
  retried: ['↻', 'retried'],
  trigger: ['▲', 'trigger'],
  release: ['▼', 'release'],
  store: ['■', 'store'],
  firing: ['▲', 'firing'],
  resolved: ['▼', 'resolved'],
  stored: ['■', 'stored'],
  'no-snapshot': ['?', 'no snapshot'],
};
export function badge(state, text) {
  const [icon, word] = STATES[state] ?? ['•', state];
  return html`<span class="badge state-${state}" data-state="${state}"><span class="icon" aria-hidden="true">${icon}</span> ${text ?? word}</span>`;
}

export function num(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

/** ISO date (YYYY-MM-DD) of a Date in UTC, offset by whole days. */
export function isoDate(d, plusDays = 0) {
  const x = new Date(d.getTime() + plusDays * 86_400_000);
  return x.toISOString().slice(0, 10);
}

// Alerts: active stateful alerts with their duration, silences (create / expire), delivery
// outcomes, per-recipient queues and drop counters, and the alert history with filters and
// "older" pages — all from the alert-dispatcher through the receiver's /v1/proxy/alerts routes.
import { ApiError, request } from '../api.js';
import { badge, durationText, html, num, timeAgo, timeText } from '../format.js';
import { loadAll, problemNote, replaceRegion } from '../regions.js';

export const title = 'Alerts';

const OPERATOR_KEY = 'watchkeeper.operator';
const DURATIONS = [
  ['1h', 3600_000],
  ['2h', 2 * 3600_000],
  ['4h', 4 * 3600_000],
  ['8h', 8 * 3600_000],
  ['1d', 86_400_000],
  ['7d', 7 * 86_400_000],
];

const HISTORY_SPANS = [
  ['1h', 3600_000],
  ['6h', 6 * 3600_000],
  ['24h', 86_400_000],
  ['3d', 3 * 86_400_000],
  ['7d', 7 * 86_400_000],
];

function option(value, label, selected = false) {
  return html`<option value="${value}" ${selected ? 'selected' : ''}>${label}</option>`;
}

/** The history form → query parameters of GET /v1/proxy/alerts/history (empty fields left out). */
export function historyQuery(fields, now = Date.now()) {
  const q = new URLSearchParams();
  for (const k of ['entity', 'type', 'category', 'severity', 'action', 'state']) {
    const v = String(fields[k] ?? '').trim();
    if (v) q.set(k, v);
  }
  const span = HISTORY_SPANS.find(([l]) => l === fields.span)?.[1] ?? 86_400_000;
  q.set('from', new Date(now - span).toISOString());
  q.set('to', new Date(now).toISOString());
  q.set('limit', '50');
  return q;
}

export function mount(root, ctx) {
  root.innerHTML = String(html`
    <h1 tabindex="-1">Alerts</h1>
    <div id="al-problems"></div>
    <section aria-labelledby="al-active-title"><h2 id="al-active-title">Active alerts</h2><div id="al-active" class="table-wrap"></div></section>
    <section aria-labelledby="al-sil-title">
      <h2 id="al-sil-title">Silences</h2>
      <details class="form-box" id="al-sil-create" data-key="create-silence">
        <summary>New silence</summary>
        <form id="silence-form" novalidate>
          <label for="sil-matchers">Matchers, one per line</label>
          <textarea id="sil-matchers" name="matchers" rows="3" required spellcheck="false" aria-describedby="sil-matchers-help" placeholder="type=listener-missing&#10;host=~lab-.*"></textarea>
          <p id="sil-matchers-help" class="help">name=value, name!=value, name=~regex or name!~regex. Names: any label, or alertname, type, severity, entity_kind, entity, source.</p>
          <div class="row">
            <label>Duration <select name="duration">${DURATIONS.map(([l]) => html`<option value="${l}" ${l === '2h' ? 'selected' : ''}>${l}</option>`)}</select></label>
            <label>Your name <input name="createdBy" required value="${sessionStorage.getItem(OPERATOR_KEY) ?? ''}" autocomplete="name"></label>
          </div>
          <label for="sil-comment">Why</label>
          <input id="sil-comment" name="comment" required maxlength="2000">
          <button type="submit">Create silence</button>
          <p id="sil-form-msg" class="error" role="alert"></p>
        </form>
      </details>
      <p id="sil-done" role="status" class="note" hidden></p>
      <div id="al-silences" class="table-wrap"></div>
    </section>
    <section aria-labelledby="al-rcpt-title"><h2 id="al-rcpt-title">Recipients: queues and drops</h2><div id="al-recipients" class="table-wrap"></div></section>
    <section aria-labelledby="al-del-title"><h2 id="al-del-title">Deliveries (24 h)</h2><div id="al-deliveries" class="table-wrap"></div></section>
    <section aria-labelledby="al-hist-title">
      <h2 id="al-hist-title">History</h2>
      <form id="history-form" class="filters" novalidate>
        <div class="row">
          <label>Entity <input name="entity" maxlength="500" spellcheck="false"></label>
          <label>Type <input name="type" maxlength="200" spellcheck="false"></label>
          <label>Category <input name="category" maxlength="100" spellcheck="false"></label>
          <label>Severity <select name="severity">${option('', 'any')}${['critical', 'warning', 'info'].map((v) => option(v, v))}</select></label>
          <label>Action <select name="action">${option('', 'any')}${['trigger', 'release', 'store'].map((v) => option(v, v))}</select></label>
          <label>State now <select name="state">${option('', 'any')}${option('active', 'active')}${option('released', 'released')}</select></label>
          <label>Last <select name="span">${HISTORY_SPANS.map(([l]) => option(l, l, l === '24h'))}</select></label>
        </div>
        <button type="submit">Show history</button>
        <p id="hist-form-msg" class="error" role="alert"></p>
      </form>
      <div id="al-history" class="table-wrap"></div>
      <button type="button" id="hist-older" class="secondary" hidden>Older entries</button>
    </section>`);
  const el = (id) => root.querySelector(`#${id}`);
  const form = el('silence-form');
  const done = el('sil-done');

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const msg = el('sil-form-msg');
    const f = new FormData(form);
    const matchers = parseMatchers(String(f.get('matchers')));
    const createdBy = String(f.get('createdBy')).trim();
    const comment = String(f.get('comment')).trim();
    const problem = typeof matchers === 'string' ? matchers : !createdBy ? 'Say who you are.' : !comment ? 'Say why.' : '';
    if (problem) {
      msg.textContent = problem;
      return;
    }
    const ms = DURATIONS.find(([l]) => l === f.get('duration'))?.[1] ?? 2 * 3600_000;
    try {
      const s = await request('/v1/proxy/alerts/silences', { method: 'POST', body: { matchers, endsAt: new Date(Date.now() + ms).toISOString(), createdBy, comment } });
      sessionStorage.setItem(OPERATOR_KEY, createdBy);
      msg.textContent = '';
      form.reset();
      form.elements.createdBy.value = createdBy;
      el('al-sil-create').open = false;
      done.hidden = false;
      done.textContent = `Silence ${s.id} created, until ${timeText(s.endsAt)}.`;
      ctx.refreshNow();
    } catch (err) {
      msg.textContent = `Not created: ${err instanceof ApiError ? err.short : err.message}`;
    }
  });

  // History: the filters apply on submit; "Older entries" appends the next page of the same query.
  const historyForm = el('history-form');
  const history = { query: historyQuery({ span: '24h' }), entries: [], cursor: null, pinned: false, paged: false };
  const showHistory = () => {
    replaceRegion(el('al-history'), historyTable(history.entries, Date.now()));
    el('hist-older').hidden = !history.cursor;
  };
  const loadHistory = async (more) => {
    const q = new URLSearchParams(history.query);
    if (more) q.set('cursor', history.cursor);
    const page = await request(`/v1/proxy/alerts/history?${q}`);
    history.entries = more ? [...history.entries, ...page.entries] : page.entries;
    history.cursor = page.nextCursor;
    showHistory();
  };
  historyForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const msg = el('hist-form-msg');
    history.query = historyQuery(Object.fromEntries(new FormData(historyForm)));
    // A filtered view stays as asked; the unfiltered one follows new alerts on refresh.
    history.pinned = [...history.query.keys()].some((k) => !['from', 'to', 'limit'].includes(k));
    history.paged = false;
    try {
      await loadHistory(false);
      msg.textContent = '';
    } catch (err) {
      msg.textContent = `No history: ${err instanceof ApiError ? err.short : err.message}`;
    }
  });
  el('hist-older').addEventListener('click', async () => {
    history.paged = true;
    try {
      await loadHistory(true);
    } catch (err) {
      el('hist-form-msg').textContent = `No older entries: ${err instanceof ApiError ? err.short : err.message}`;
    }
  });

  el('al-silences').addEventListener('click', async (ev) => {
    const button = ev.target.closest('button[data-expire]');
    if (!button) return;
    button.disabled = true;
    const id = button.dataset.expire;
    try {
      await request(`/v1/proxy/alerts/silences/${encodeURIComponent(id)}/expire`, {
        method: 'POST',
        body: { expiredBy: sessionStorage.getItem(OPERATOR_KEY) || 'dashboard', comment: 'expired from the dashboard' },
      });
      done.hidden = false;
      done.textContent = `Silence ${id} expired.`;
    } catch (err) {
      done.hidden = false;
      done.textContent = `Silence ${id} not expired: ${err.short ?? err.message}`;
      button.disabled = false;
    }
    ctx.refreshNow();
  });

  return {
    async refresh() {
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const { values, errors, problems } = await loadAll({
        alerts: () => request('/v1/proxy/alerts/alerts?limit=50'),
        silences: () => request('/v1/proxy/alerts/silences?expired=true'),
        deliveries: () => request(`/v1/proxy/alerts/deliveries?limit=50&since=${encodeURIComponent(from)}`),
        recipients: () => request('/v1/proxy/alerts/recipients'),
        accounting: () => request(`/v1/proxy/alerts/accounting?from=${encodeURIComponent(from)}`),
        history: () => (history.pinned || history.paged ? Promise.resolve(undefined) : loadHistory(false)),
      });
      const now = Date.now();
      // One note when the whole dispatcher is away, rather than five.
      const first = Object.values(errors)[0];
      replaceRegion(el('al-problems'), first ? problemNote('Alert-dispatcher data', first) : '');
      if (values.alerts) {
        replaceRegion(el('al-active'), activeTable(values.alerts.active, now));
      }
      if (values.silences) replaceRegion(el('al-silences'), silenceTable(values.silences.silences, now));
      if (values.deliveries) replaceRegion(el('al-deliveries'), deliveryTable(values.deliveries.deliveries, now));
      if (values.recipients || values.accounting) replaceRegion(el('al-recipients'), recipientTable(values.recipients, values.accounting));
      return problems;
    },
  };
}

/** "name=value" lines → matchers, or a message saying which line is wrong. */
export function parseMatchers(text) {
  const out = [];
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return 'Give at least one matcher, e.g. type=listener-missing.';
  for (const line of lines) {
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*(=~|!~|!=|=)\s*(.*)$/.exec(line);
    if (!m) return `Not a matcher: "${line}" (use name=value).`;
    const [, name, op, value] = m;
    out.push({ name, value: value.replace(/^"(.*)"$/, '$1'), isRegex: op.includes('~'), isEqual: !op.startsWith('!') });
  }
  return out;
}

function matcherText(m) {
  const op = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return `${m.name}${op}${m.value}`;
}

function entityText(e) {
  return `${e.kind} ${e.id}`;
}

function activeTable(active, now) {
  if (!active.length) return html`<p class="empty">${badge('ok', 'No active alerts.')}</p>`;
  return html`<table class="data">
    <thead><tr><th scope="col">Severity</th><th scope="col">Alert</th><th scope="col">Entity</th><th scope="col">Active for</th><th scope="col">Triggers</th><th scope="col">Source</th></tr></thead>
    <tbody>${active.map(
      (a) => html`<tr data-fingerprint="${a.fingerprint}">
        <td>${badge(a.severity)}</td>
        <th scope="row">${a.type}${a.summary ? html`<div class="muted small">${a.summary}</div>` : ''}</th>
        <td>${entityText(a.entity)}</td>
        <td><span title="since ${timeText(a.startsAt)}">${durationText(now - Date.parse(a.startsAt))}</span></td>
        <td>${num(a.triggerCount)}<div class="muted small">notified ${timeAgo(a.lastNotifiedAt, now)}</div></td>
        <td>${a.source}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function silenceTable(silences, now) {
  if (!silences.length) return html`<p class="empty">No silences.</p>`;
  const order = { active: 0, pending: 1, expired: 2 };
  const list = [...silences].sort((a, b) => order[a.status] - order[b.status] || b.createdAt.localeCompare(a.createdAt)).slice(0, 50);
  return html`<table class="data">
    <thead><tr><th scope="col">Status</th><th scope="col">Matchers</th><th scope="col">Window</th><th scope="col">Who and why</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
    <tbody>${list.map(
      (s) => html`<tr data-silence="${s.id}" data-status="${s.status}">
        <td>${badge(s.status)}</td>
        <td><ul class="plain">${s.matchers.map((m) => html`<li><code>${matcherText(m)}</code></li>`)}</ul></td>
        <td>${timeText(s.startsAt)} – ${timeText(s.endsAt)}${s.status === 'active' ? html`<div class="muted small">ends ${timeAgo(s.endsAt, now)}</div>` : ''}${s.weekly ? html`<div class="small">weekly ${s.weekly.days.join(', ')} ${s.weekly.start}–${s.weekly.end} ${s.weekly.timeZone}</div>` : ''}</td>
        <td>${s.createdBy}: ${s.comment}${s.expiredBy ? html`<div class="muted small">expired by ${s.expiredBy}${s.expireComment ? `: ${s.expireComment}` : ''}</div>` : ''}</td>
        <td>${s.status === 'expired' ? '' : html`<button type="button" class="secondary" data-expire="${s.id}" data-key="expire-${s.id}">Expire<span class="visually-hidden"> silence ${s.id}</span></button>`}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function deliveryTable(deliveries, now) {
  if (!deliveries.length) return html`<p class="empty">No deliveries yet.</p>`;
  return html`<table class="data">
    <thead><tr><th scope="col">Outcome</th><th scope="col">Recipient</th><th scope="col">Alert</th><th scope="col">Kind</th><th scope="col">Attempts</th><th scope="col">When</th><th scope="col">Latency</th></tr></thead>
    <tbody>${deliveries.map(
      (d) => html`<tr data-delivery="${d.id}">
        <td>${badge(d.state)}${d.cause ? html`<div class="muted small">${d.cause}</div>` : ''}</td>
        <td>${d.recipient}</td>
        <th scope="row">${d.type}<div class="muted small">${entityText(d.entity)}</div></th>
        <td>${badge(d.kind)}</td>
        <td>${num(d.attempts)}</td>
        <td>${timeAgo(d.at ?? d.receivedAt, now)}</td>
        <td>${d.latencyMs === undefined ? '—' : `${Math.round(d.latencyMs)} ms`}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function recipientTable(recipients, accounting) {
  const names = new Set([...(recipients?.recipients ?? []).map((r) => r.name), ...Object.keys(accounting?.byRecipient ?? {})]);
  if (!names.size) return html`<p class="empty">No recipients configured.</p>`;
  const byName = new Map((recipients?.recipients ?? []).map((r) => [r.name, r]));
  const causes = (m) => {
    const e = Object.entries(m ?? {}).filter(([, n]) => n > 0);
    return e.length ? e.map(([c, n]) => html`<span class="badge state-dropped">${c}: ${num(n)}</span> `) : html`<span class="muted">none</span>`;
  };
  return html`${accounting
      ? html`<p class="${accounting.balanced ? 'muted' : 'problem'}">Last 24 h: ${num(accounting.alerts)} alerts → ${num(accounting.received)} notifications: ${num(accounting.delivered)} delivered, ${num(accounting.dropped)} dropped, ${num(accounting.deadLettered)} dead-lettered, ${num(accounting.silenced)} silenced, ${num(accounting.queued)} queued${accounting.balanced ? ' (balanced)' : ' — NOT balanced'}.</p>`
      : ''}
    <table class="data">
    <thead><tr><th scope="col">Recipient</th><th scope="col">Queue</th><th scope="col">Delivered (24 h)</th><th scope="col">Dropped (24 h, by cause)</th><th scope="col">Dropped since start</th><th scope="col">Dead-lettered (24 h)</th></tr></thead>
    <tbody>${[...names].sort().map((name) => {
      const r = byName.get(name);
      const a = accounting?.byRecipient?.[name];
      return html`<tr data-recipient="${name}">
        <th scope="row">${name}${r ? html`<div class="muted small">${r.type}${r.pausedUntil ? html` · ${badge('pending', `paused until ${timeText(r.pausedUntil)}`)}` : ''}</div>` : ''}</th>
        <td>${r ? `${num(r.queued)} / ${num(r.capacity)}` : '—'}</td>
        <td>${a ? num(a.delivered) : '—'}</td>
        <td>${a ? html`${num(a.dropped)} ${causes(a.droppedByCause)}` : '—'}</td>
        <td>${r ? causes(r.droppedSinceStart) : '—'}</td>
        <td>${a ? num(a.deadLettered) : '—'}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function historyTable(recent, now) {
  if (!recent.length) return html`<p class="empty">No alerts match.</p>`;
  return html`<table class="data">
    <thead><tr><th scope="col">Action</th><th scope="col">Alert</th><th scope="col">Entity</th><th scope="col">State now</th><th scope="col">When</th><th scope="col">Notified</th><th scope="col">Duration</th></tr></thead>
    <tbody>${recent.map(
      (h) => html`<tr data-event="${h.eventId}">
        <td>${badge(h.action)} ${badge(h.severity)}</td>
        <th scope="row">${h.type}${h.category ? html` <span class="muted small">${h.category}</span>` : ''}${h.summary ? html`<div class="muted small">${h.summary}</div>` : ''}</th>
        <td>${entityText(h.entity)}</td>
        <td>${h.state ? badge(h.state === 'active' ? 'firing' : 'resolved', h.state) : '—'}</td>
        <td>${timeAgo(h.occurredAt, now)}</td>
        <td>${h.notified ? 'yes' : 'no'} <span class="muted small">(${h.reason})</span></td>
        <td>${h.durationMs === undefined ? '—' : durationText(h.durationMs)}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

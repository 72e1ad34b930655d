// Fleet: every host with its last host-health snapshot (and its self-checks), fleet-health symptoms and active alerts.
import { request } from '../api.js';
import { badge, html, num, timeAgo, durationText } from '../format.js';
import { loadAll, problemNote, replaceRegion } from '../regions.js';

export const title = 'Fleet';

/** A snapshot older than this is stale (the receiver's "silent" default is 30 minutes). */
const STALE_MS = 30 * 60_000;

const CHECK_STATUSES = ['ok', 'warning', 'critical', 'unknown'];

/** The `{name, status, detail}` checks of a self-check report (the doctor's); none for other reports. */
function checksOf(snapshot) {
  const checks = snapshot?.report?.checks;
  if (!Array.isArray(checks)) return [];
  return checks.filter((c) => c && typeof c.name === 'string' && CHECK_STATUSES.includes(c.status));
}

export function mount(root) {
  root.innerHTML = `
    <h1 tabindex="-1">Fleet</h1>
    <p class="lead">Every host that sent a host-health snapshot or a request in the last 24 h. Hosts with a problem come first.</p>
    <div id="fleet-summary" class="summary"></div>
    <div id="fleet-problems"></div>
    <div class="table-wrap" id="fleet-table"></div>`;
  const summaryEl = root.querySelector('#fleet-summary');
  const problemsEl = root.querySelector('#fleet-problems');
  const tableEl = root.querySelector('#fleet-table');

  return {
    async refresh() {
      const { values, errors, problems } = await loadAll({
        snapshots: () => request('/v1/host-health'),
        activity: () => request('/v1/fleet-health'),
        alerts: () => request('/v1/proxy/alerts/alerts?limit=1'),
      });
      const now = Date.now();
      const hosts = mergeHosts(values, now);
      replaceRegion(
        problemsEl,
        [errors.snapshots && problemNote('Host-health snapshots', errors.snapshots), errors.activity && problemNote('Fleet-health symptoms', errors.activity), errors.alerts && problemNote('Active alerts', errors.alerts)]
          .filter(Boolean)
          .join(''),
      );
      const counts = { total: hosts.length, stale: hosts.filter((h) => h.stale).length, symptoms: hosts.filter((h) => h.symptoms.length).length, alerts: hosts.filter((h) => h.alerts.length).length };
      replaceRegion(
        summaryEl,
        html`<ul class="tiles">
          <li><strong>${counts.total}</strong> hosts</li>
          <li class="${counts.stale ? 'warn' : ''}"><strong>${counts.stale}</strong> stale</li>
          <li class="${counts.symptoms ? 'bad' : ''}"><strong>${counts.symptoms}</strong> with symptoms</li>
          <li class="${counts.alerts ? 'bad' : ''}"><strong>${values.alerts ? counts.alerts : '—'}</strong> with active alerts</li>
        </ul>`,
      );
      replaceRegion(tableEl, hosts.length ? table(hosts, values, now) : html`<p class="empty">No host has reported yet.</p>`);
      return problems;
    },
  };
}

function mergeHosts(values, now) {
  const byHost = new Map();
  const get = (host) => {
    if (!byHost.has(host)) byHost.set(host, { host, snapshot: undefined, activity: undefined, symptoms: [], alerts: [] });
    return byHost.get(host);
  };
  for (const s of values.snapshots?.hosts ?? []) get(s.host).snapshot = s;
  for (const a of values.activity?.hosts ?? []) {
    const h = get(a.host);
    h.activity = a;
    h.symptoms = a.symptoms;
  }
  for (const alert of values.alerts?.active ?? []) {
    const host = alert.labels?.host ?? (alert.entity.kind === 'host' ? alert.entity.id : undefined);
    if (host && byHost.has(host)) get(host).alerts.push(alert);
  }
  const list = [...byHost.values()];
  for (const h of list) {
    const at = h.snapshot ? Date.parse(h.snapshot.receivedAt) : NaN;
    h.stale = !h.snapshot || now - at > STALE_MS;
    h.checks = checksOf(h.snapshot);
    h.critical = h.checks.some((c) => c.status === 'critical');
    h.rank = (h.symptoms.length || h.critical ? 4 : 0) + (h.alerts.length ? 2 : 0) + (h.stale ? 1 : 0);
  }
  return list.sort((a, b) => b.rank - a.rank || a.host.localeCompare(b.host));
}

function table(hosts, values, now) {
  return html`<table class="data">
    <caption class="visually-hidden">Hosts</caption>
    <thead><tr><th scope="col">Host</th><th scope="col">Status</th><th scope="col">Last snapshot</th><th scope="col">Self-checks</th><th scope="col">Symptoms</th><th scope="col">Active alerts</th><th scope="col">Requests (window)</th></tr></thead>
    <tbody>${hosts.map((h) => row(h, values, now))}</tbody>
  </table>`;
}

function row(h, values, now) {
  const status = [];
  if (h.symptoms.length || h.alerts.length || h.critical) status.push(badge('critical', 'problem'));
  if (h.stale) status.push(h.snapshot ? badge('stale') : badge('no-snapshot'));
  if (!status.length) status.push(badge('ok'));
  const report = h.snapshot ? JSON.stringify(h.snapshot.report, null, 2) : '';
  return html`<tr data-host="${h.host}" class="${h.rank ? 'attention' : ''}">
    <th scope="row">${h.host}</th>
    <td class="status">${status}</td>
    <td>${h.snapshot ? timeAgo(h.snapshot.receivedAt, now) : html`<span class="muted">none</span>`}
      ${h.snapshot ? html`<details data-key="report-${h.host}"><summary>report</summary><pre>${report}</pre></details>` : ''}</td>
    <td class="checks">${checksCell(h.checks)}</td>
    <td>${h.symptoms.length ? h.symptoms.map((s) => html`${badge(s.symptom)} <span class="muted">for ${durationText(now - Date.parse(s.since))}</span> `) : values.activity ? 'none' : '—'}</td>
    <td>${values.alerts ? (h.alerts.length ? h.alerts.map((a) => html`${badge(a.severity, a.type)} `) : 'none') : '—'}</td>
    <td>${h.activity ? html`${num(h.activity.requests)} <span class="muted">(${num(h.activity.clientErrors)} 4xx)</span>` : '—'}</td>
  </tr>`;
}

/** Checks that are not ok, each with its detail on hover; the ok ones counted. */
function checksCell(checks) {
  if (!checks.length) return html`<span class="muted">—</span>`;
  const notOk = checks.filter((c) => c.status !== 'ok');
  const ok = checks.length - notOk.length;
  return html`${notOk.map((c) => html`<span title="${c.detail}" data-check="${c.name}">${badge(c.status, `${c.name}: ${c.status}`)}</span> `)}${ok ? html`<span class="muted" data-check-ok="${ok}">${ok} ok</span>` : ''}`;
}

// Listeners: the heartbeat-server's view of every listener (ok / late / missing / extra / new),
// last seen, round-trip latency and a small trend of the last rounds.
import { request } from '../api.js';
import { badge, html, num, timeAgo } from '../format.js';
import { problemNote, replaceRegion } from '../regions.js';
import { sparkline } from '../chart.js';

export const title = 'Listeners';

const ORDER = { missing: 0, late: 1, unknown: 2, extra: 3, new: 4, ok: 5 };

export function mount(root) {
  root.innerHTML = `
    <h1 tabindex="-1">Listeners</h1>
    <p class="lead">Heartbeat state of every listener, from the heartbeat-server. Wedged listeners — alive but not answering — show as missing.</p>
    <div id="hb-banner"></div>
    <div id="hb-nodes"></div>
    <div class="table-wrap" id="hb-table"></div>`;
  const banner = root.querySelector('#hb-banner');
  const nodes = root.querySelector('#hb-nodes');
  const tableEl = root.querySelector('#hb-table');

  return {
    async refresh() {
      let data;
      try {
        data = await request('/v1/proxy/heartbeat/listeners');
      } catch (err) {
        replaceRegion(banner, problemNote('Listener states', err));
        return [err.short ?? err.message];
      }
      const now = Date.parse(data.generatedAt) || Date.now();
      replaceRegion(
        banner,
        html`${data.blind.length ? html`<p class="problem" role="note"><span class="icon" aria-hidden="true">⚠</span> <strong>Monitor blind</strong>: ${data.blind.join('; ')}. States below are not verdicts.</p>` : ''}
        ${data.inGrace ? html`<p class="note"><span class="icon" aria-hidden="true">◷</span> Start-up grace: no listener is called missing until one full window has passed.</p>` : ''}`,
      );
      replaceRegion(
        nodes,
        html`<ul class="tiles">
          <li><strong>${data.listeners.length}</strong> listeners</li>
          ${['missing', 'late', 'extra', 'new'].map((s) => {
            const n = data.listeners.filter((l) => l.state === s).length;
            return html`<li class="${n && (s === 'missing' ? 'bad' : 'warn')}"><strong>${n}</strong> ${s}</li>`;
          })}
          ${data.nodes.map(
            (n) =>
              html`<li>node <strong>${n.node}</strong>: ${n.lastRound ? html`round ${n.lastRound.seq} ${n.lastRound.complete ? 'complete' : 'incomplete'} in ${n.lastRound.durationMs === null ? '—' : `${Math.round(n.lastRound.durationMs)} ms`}` : 'no round yet'}</li>`,
          )}
          <li>every ${seconds(data.intervalMs)}, timeout ${seconds(data.timeoutMs)}</li>
        </ul>`,
      );
      const list = [...data.listeners].sort((a, b) => (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) || a.id.localeCompare(b.id));
      replaceRegion(tableEl, list.length ? table(list, now) : html`<p class="empty">No listener is expected or has answered yet.</p>`);
      return [];
    },
  };
}

function seconds(ms) {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(ms / 1000)} s`;
}

function table(list, now) {
  return html`<table class="data">
    <caption class="visually-hidden">Listeners</caption>
    <thead><tr><th scope="col">Listener</th><th scope="col">State</th><th scope="col">Last seen</th><th scope="col">Round trip</th><th scope="col">Trend (last rounds)</th><th scope="col">Misses</th><th scope="col">Process</th></tr></thead>
    <tbody>${list.map((l) => row(l, now))}</tbody>
  </table>`;
}

function row(l, now) {
  const answered = l.latencyHistoryMs.filter((v) => v !== null);
  const trendLabel = l.latencyHistoryMs.length
    ? `last ${l.latencyHistoryMs.length} rounds: ${answered.length} answered${answered.length ? `, ${Math.round(Math.min(...answered))}–${Math.round(Math.max(...answered))} ms` : ''}`
    : 'no rounds yet';
  return html`<tr data-listener="${l.id}" class="${l.state === 'missing' || l.state === 'late' ? 'attention' : ''}">
    <th scope="row">${l.id}<div class="muted small">${l.node}${l.expected ? '' : ' · not expected'}</div></th>
    <td class="status">${badge(l.state)}</td>
    <td>${timeAgo(l.lastSeenAt, now)}</td>
    <td>${l.rttMs === null ? '—' : `${Math.round(l.rttMs)} ms`}</td>
    <td>${sparkline(l.latencyHistoryMs, trendLabel)}</td>
    <td>${num(l.consecutiveMisses)}</td>
    <td class="small">${l.host ?? '—'}${l.pid !== null ? html` · pid ${l.pid}` : ''}${l.version ? html` · v${l.version}` : ''}${l.queueDepth !== null ? html`<br>queue ${num(l.queueDepth)}` : ''}${l.dispatchDelayMs !== null ? html` · delay ${Math.round(l.dispatchDelayMs)} ms` : ''}</td>
  </tr>`;
}

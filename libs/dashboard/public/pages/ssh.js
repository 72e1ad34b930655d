// SSH: logins per host per day over a date range (sessions, accepted, failed, invalid users), every
// host side by side on the same scale; "no data" (the host sent nothing that day) is not zero.
import { qs, request } from '../api.js';
import { html, isoDate, num, timeAgo } from '../format.js';
import { chartDefs, dayBars, niceMax, SSH_SERIES, swatch } from '../chart.js';
import { problemNote, replaceRegion } from '../regions.js';

export const title = 'SSH';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Addresses shown in the top-sources table. */
const TOP = 20;

export function mount(root, ctx) {
  const today = isoDate(new Date());
  const from = DATE.test(ctx.params.get('from') ?? '') ? ctx.params.get('from') : isoDate(new Date(), -13);
  const to = DATE.test(ctx.params.get('to') ?? '') ? ctx.params.get('to') : today;
  root.innerHTML = String(html`
    <h1 tabindex="-1">SSH logins</h1>
    <p class="lead">Per host and day, from the sshd events the log collectors sent. Dates are days in the receiver's time zone.</p>
    <form id="ssh-range" class="inline-form">
      <label>From <input type="date" name="from" value="${from}" required></label>
      <label>To <input type="date" name="to" value="${to}" required></label>
      <label>Host <input type="text" name="host" value="${ctx.params.get('host') ?? ''}" placeholder="all hosts" spellcheck="false"></label>
      <button type="submit">Show</button>
      <p class="error" role="alert" id="ssh-form-error"></p>
    </form>
    ${chartDefs()}
    <ul class="legend" aria-label="Legend">
      ${SSH_SERIES.map((s) => html`<li>${swatch(s.fill)} ${s.label}</li>`)}
      <li>${swatch('url(#pat-nodata)')} no data (not zero)</li>
    </ul>
    <div id="ssh-behind"></div>
    <div id="ssh-status"></div>
    <section aria-labelledby="ssh-silent-title">
      <h2 id="ssh-silent-title">Silent hosts</h2>
      <div id="ssh-silent"></div>
    </section>
    <div id="ssh-charts" class="charts"></div>
    <section aria-labelledby="ssh-sources-title">
      <h2 id="ssh-sources-title">Top sources</h2>
      <div id="ssh-sources"></div>
    </section>`);
  const form = root.querySelector('#ssh-range');
  const status = root.querySelector('#ssh-status');
  const behind = root.querySelector('#ssh-behind');
  const charts = root.querySelector('#ssh-charts');
  const sources = root.querySelector('#ssh-sources');
  const silent = root.querySelector('#ssh-silent');
  let range = { from, to, host: ctx.params.get('host') ?? '' };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const next = { from: String(f.get('from')), to: String(f.get('to')), host: String(f.get('host')).trim() };
    const err = root.querySelector('#ssh-form-error');
    if (!DATE.test(next.from) || !DATE.test(next.to) || next.from > next.to) {
      err.textContent = 'Choose a start date on or before the end date.';
      return;
    }
    err.textContent = '';
    range = next;
    ctx.setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)));
    ctx.refreshNow();
  });

  return {
    async refresh() {
      const [got, top, day, ingest] = await Promise.allSettled([
        request(`/v1/ssh-logins/range${qs(range)}`),
        request(`/v1/ssh-logins/sources${qs({ ...range, limit: TOP })}`),
        request(`/v1/ssh-logins${qs({ date: range.to })}`),
        request('/v1/ingest'),
      ]);
      replaceRegion(silent, day.status === 'rejected' ? problemNote('Silent hosts', day.reason) : silentView(day.value));
      replaceRegion(behind, ingest.status === 'fulfilled' ? backlogNote(ingest.value.sshEvents) : '');
      if (got.status === 'rejected') {
        const err = got.reason;
        replaceRegion(status, problemNote('SSH statistics', err));
        return [err.short ?? err.message];
      }
      const data = got.value;
      replaceRegion(status, html`<p class="muted">${data.hosts.length} host(s), ${data.dates.length} day(s), ${data.from} to ${data.to} (${data.timeZone}).</p>`);
      let max = 0;
      for (const h of data.hosts) for (const d of h.days) if (d.stats) for (const s of SSH_SERIES) max = Math.max(max, d.stats[s.key]);
      const yMax = niceMax(max);
      replaceRegion(charts, data.hosts.length ? html`${data.hosts.map((h) => hostCard(h, data.dates, yMax))}` : html`<p class="empty">No host has sent SSH events yet.</p>`);
      if (top.status === 'rejected') {
        replaceRegion(sources, problemNote('Top sources', top.reason));
        return [top.reason.short ?? top.reason.message];
      }
      replaceRegion(sources, sourcesView(data, top.value));
      return [];
    },
  };
}

function hostCard(h, dates, yMax) {
  const byDate = new Map(h.days.map((d) => [d.date, d.stats]));
  const withData = dates.filter((d) => byDate.get(d));
  const total = Object.fromEntries(SSH_SERIES.map((s) => [s.key, withData.reduce((n, d) => n + byDate.get(d)[s.key], 0)]));
  return html`<article class="card" data-host="${h.host}">
    <h2>${h.host}</h2>
    <p class="totals">${withData.length ? html`${SSH_SERIES.map((s) => html`<span data-total="${s.key}">${s.label} <strong>${num(total[s.key])}</strong></span> `)}` : ''}
      <span class="muted">data on ${withData.length} of ${dates.length} day(s)</span></p>
    <div class="chart-wrap">${dayBars({ host: h.host, dates, days: h.days, yMax })}</div>
    <details data-key="figures-${h.host}">
      <summary>Figures for ${h.host}</summary>
      <div class="table-wrap"><table class="data compact">
        <thead><tr><th scope="col">Date</th>${SSH_SERIES.map((s) => html`<th scope="col">${s.label}</th>`)}<th scope="col">distinct sources</th></tr></thead>
        <tbody>${dates.map((d) => {
          const s = byDate.get(d);
          return s
            ? html`<tr data-date="${d}"><th scope="row">${d}</th>${SSH_SERIES.map((x) => html`<td data-series="${x.key}">${num(s[x.key])}</td>`)}<td>${num(s.sources)}</td></tr>`
            : html`<tr data-date="${d}" class="nodata-row"><th scope="row">${d}</th><td colspan="${SSH_SERIES.length + 1}"><em>no data</em></td></tr>`;
        })}</tbody>
      </table></div>
    </details>
  </article>`;
}

/** Known hosts (a token issued, or SSH events received) that sent no SSH event on the range's last date. */
function silentView(day) {
  const quiet = day.hosts.filter((h) => !h.stats);
  if (!quiet.length) return html`<p class="muted" data-silent="none">Every known host sent SSH events on ${day.date}.</p>`;
  return html`<p class="muted">${num(quiet.length)} of ${num(day.hosts.length)} known host(s) sent no SSH event on ${day.date} (${day.timeZone}).</p>
    <ul class="silent-hosts">${quiet.map((h) => html`<li data-silent-host="${h.host}"><strong>${h.host}</strong> <span class="muted">${h.lastSeenAt ? html`last heard from ${timeAgo(h.lastSeenAt)}` : 'never heard from'}</span></li>`)}</ul>`;
}

/**
 * Top client addresses by login attempts over the range. "No data" (no host sent any SSH event on
 * these days) is told apart from "no attempts" (events arrived, none was a login attempt with an address).
 */
function sourcesView(data, top) {
  const hasData = data.hosts.some((h) => h.days.some((d) => d.stats));
  if (!top.sources.length) {
    return hasData
      ? html`<p class="empty" data-sources="zero">0 login attempts with a client address in this range.</p>`
      : html`<p class="empty nodata" data-sources="nodata"><em>No data</em>: no host sent SSH events in this range.</p>`;
  }
  const shown = top.sources.length < top.totalSources ? `the ${top.sources.length} with the most attempts of ${num(top.totalSources)} addresses` : `${num(top.totalSources)} address(es)`;
  return html`<p class="muted">Login attempts per client address, ${top.from} to ${top.to} (${top.timeZone}): ${shown}. Failed excludes method "none".</p>
    <div class="table-wrap" tabindex="0" role="region" aria-labelledby="ssh-sources-title"><table class="data compact" id="ssh-sources-table">
      <caption class="visually-hidden">Top client addresses by login attempts</caption>
      <thead><tr><th scope="col">Address</th><th scope="col">Attempts</th><th scope="col">Failed</th><th scope="col">Accepted</th><th scope="col">Invalid user</th><th scope="col">Hosts</th></tr></thead>
      <tbody>${top.sources.map((r) => html`<tr data-source="${r.sourceIp}"><th scope="row"><code>${r.sourceIp}</code></th><td data-series="attempts">${num(r.attempts)}</td><td data-series="failed">${num(r.failed)}</td><td data-series="accepted">${num(r.accepted)}</td><td data-series="invalidUser">${num(r.invalidUser)}</td><td>${r.hosts.join(', ')}</td></tr>`)}</tbody>
    </table></div>`;
}

/** A line while the receiver has not yet taken every sshd event the collectors sent: the figures lag. */
function backlogNote(b) {
  if (!b || b.behind === 0) return '';
  return html`<p class="problem" role="status" id="ssh-backlog"><span class="icon" aria-hidden="true">⏳</span> The receiver is ${num(b.behind)} sshd event(s) behind the log collectors (read ${new Date(b.readAt).toLocaleTimeString()}): the figures below are not complete yet.</p>`;
}

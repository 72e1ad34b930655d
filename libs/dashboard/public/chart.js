// Hand-written SVG charts (no library): a latency sparkline and grouped bars per day. Every mark has
// a text equivalent (<title>, aria-label, value labels) and series differ by pattern, not colour alone.
import { esc, raw } from './format.js';

let uid = 0;

/** Round-trip times of the last rounds; null (no answer) is drawn as a cross on the baseline. */
export function sparkline(values, label) {
  const w = 120;
  const h = 28;
  const pad = 3;
  if (!values.length) return raw(`<span class="muted">—</span>`);
  const max = Math.max(1, ...values.filter((v) => v !== null));
  const step = values.length > 1 ? (w - 2 * pad) / (values.length - 1) : 0;
  const x = (i) => pad + i * step;
  const y = (v) => h - pad - (v / max) * (h - 2 * pad);
  let path = '';
  let pen = false;
  const marks = [];
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      marks.push(`<path class="miss" d="M${x(i) - 2.5} ${h - 6}l5 5M${x(i) + 2.5} ${h - 6}l-5 5"/>`);
      return;
    }
    path += `${pen ? 'L' : 'M'}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
    marks.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="1.6"/>`);
  });
  return raw(
    `<svg class="sparkline" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>` +
      `<path class="line" d="${path}"/>${marks.join('')}</svg>`,
  );
}

export const SSH_SERIES = [
  { key: 'sessions', label: 'sessions', cls: 's1', fill: '#2f5f9e' },
  { key: 'accepted', label: 'accepted', cls: 's2', fill: '#2e7d32' },
  { key: 'failed', label: 'failed', cls: 's3', fill: 'url(#pat-s3)' },
  { key: 'invalidUser', label: 'invalid users', cls: 's4', fill: 'url(#pat-s4)' },
];

/** Patterns shared by every chart on the page (put once in the document). */
export function chartDefs() {
  return raw(`<svg width="0" height="0" class="defs" aria-hidden="true" focusable="false"><defs>
    <pattern id="pat-s3" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="#f8d7d3"/><rect width="2" height="5" fill="#b3261e"/></pattern>
    <pattern id="pat-s4" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#e8e1f5"/><circle cx="2.5" cy="2.5" r="1.3" fill="#4a2a8f"/></pattern>
    <pattern id="pat-nodata" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f1f1f1"/><rect width="1.5" height="8" fill="#8a8a8a"/></pattern>
  </defs></svg>`);
}

/** A swatch for legends, drawn like the bars. */
export function swatch(fill) {
  return raw(`<svg class="swatch" width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="${esc(fill)}" class="bar"/></svg>`);
}

export function niceMax(n) {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/**
 * Grouped bars: one group per date, one bar per series. `days` holds { date, stats|null } for every
 * date; null is "no data" (hatched band, labelled), which is not zero (a flat mark labelled 0).
 */
export function dayBars({ host, dates, days, yMax }) {
  const id = ++uid;
  const barW = 10;
  const groupW = SSH_SERIES.length * barW + 10;
  const left = 34;
  const top = 16;
  const plotH = 140;
  const bottom = 26;
  const w = Math.max(300, left + dates.length * groupW + 8);
  const h = top + plotH + bottom;
  const y = (v) => top + plotH - (v / yMax) * plotH;
  const byDate = new Map(days.map((d) => [d.date, d.stats]));
  const showValues = dates.length <= 16;
  const labelEvery = Math.ceil(dates.length / 12);
  const out = [];
  for (const t of [0, yMax / 2, yMax]) {
    out.push(`<line class="grid" x1="${left}" x2="${w - 4}" y1="${y(t)}" y2="${y(t)}"/><text class="axis" x="${left - 4}" y="${y(t) + 3}" text-anchor="end">${Math.round(t)}</text>`);
  }
  dates.forEach((date, i) => {
    const gx = left + i * groupW + 5;
    const stats = byDate.get(date) ?? null;
    const dateLabel = i % labelEvery === 0 ? `<text class="axis" x="${gx + (groupW - 10) / 2}" y="${top + plotH + 14}" text-anchor="middle">${esc(date.slice(5))}</text>` : '';
    if (!stats) {
      out.push(
        `<g class="nodata" data-date="${esc(date)}" data-nodata="true"><rect x="${gx}" y="${top}" width="${groupW - 10}" height="${plotH}" fill="url(#pat-nodata)"><title>${esc(`${host} ${date}: no data`)}</title></rect>` +
          `<text class="nodata-label" transform="translate(${gx + (groupW - 10) / 2 + 3} ${top + plotH / 2}) rotate(-90)" text-anchor="middle">no data</text></g>${dateLabel}`,
      );
      return;
    }
    const bars = SSH_SERIES.map((s, j) => {
      const v = stats[s.key];
      const x = gx + j * barW;
      const by = v === 0 ? top + plotH - 1.5 : y(v);
      const bh = v === 0 ? 1.5 : top + plotH - by;
      const text = `${host} ${date} ${s.label}: ${v}`;
      return (
        `<rect class="bar ${s.cls}" fill="${s.fill}" x="${x}" y="${by.toFixed(1)}" width="${barW - 1}" height="${bh.toFixed(1)}" data-series="${s.key}" data-value="${v}"><title>${esc(text)}</title></rect>` +
        (showValues ? `<text class="value" x="${x + (barW - 1) / 2}" y="${(by - 3).toFixed(1)}" text-anchor="middle" data-series="${s.key}">${v}</text>` : '')
      );
    }).join('');
    out.push(`<g class="day" data-date="${esc(date)}">${bars}</g>${dateLabel}`);
  });
  const label = `SSH logins on ${host}, ${dates[0]} to ${dates[dates.length - 1]}; figures in the table below`;
  return raw(
    `<svg class="bars" id="chart-${id}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}" data-host="${esc(host)}">` +
      `<line class="baseline" x1="${left}" x2="${w - 4}" y1="${top + plotH}" y2="${top + plotH}"/>${out.join('')}</svg>`,
  );
}

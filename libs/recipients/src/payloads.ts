import type { Notification } from '@watchkeeper/delivery-queue';

/** Watchkeeper's own webhook body: the digest as sent, one entry per alert. */
export function watchkeeperPayload(receiver: string, digestId: string, batch: Notification[]) {
  return { version: '1', receiver, digestId, count: batch.length, notifications: batch };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function amLabels(n: Notification): Record<string, string> {
  return { ...n.labels, alertname: n.type, severity: n.severity, entity_kind: n.entity.kind, entity: n.entity.id, source: n.source };
}

function common(maps: Array<Record<string, string>>): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
}

/**
 * Prometheus Alertmanager's webhook payload (version 4), so receivers written for Alertmanager work.
 * A stored (stateless) alert is sent as firing with its occurrence as start.
 */
export function alertmanagerPayload(receiver: string, digestId: string, batch: Notification[]) {
  const alerts = batch.map((n) => {
    const resolved = n.kind === 'resolved';
    const startsAt = n.startsAt ?? n.occurredAt;
    const annotations: Record<string, string> = {};
    if (n.summary) annotations.summary = n.summary;
    if (n.description) annotations.description = n.description;
    return {
      status: resolved ? 'resolved' : 'firing',
      labels: amLabels(n),
      annotations,
      startsAt,
      endsAt: resolved ? n.occurredAt : ZERO_TIME,
      generatorURL: '',
      fingerprint: n.fingerprint,
    };
  });
  return {
    version: '4',
    groupKey: `{}:{digest="${digestId}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver,
    groupLabels: {},
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: '',
    alerts,
  };
}

/** One line per alert for text channels (mail, syslog, stdout). */
export function describe(n: Notification): string {
  const what = n.kind === 'resolved' ? `RESOLVED after ${formatDuration(n.durationMs ?? 0)}` : n.kind === 'firing' ? 'FIRING' : 'ALERT';
  return `[${what}] ${n.severity} ${n.type} on ${n.entity.kind} ${n.entity.id}${n.summary ? `: ${n.summary}` : ''} (at ${n.occurredAt}, from ${n.source})`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? ` ${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  return `${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
}

import type { Notification } from '@watchkeeper/delivery-queue';
import { composeDigest } from './email';
import { alertmanagerPayload, describe as describeAlert } from './payloads';
import { signBody } from './webhook';
import { formatSyslog } from './console';

const n = (kind: Notification['kind'], id: string): Notification => ({
  id: `e-${id}|r`,
  alertId: id,
  fingerprint: `fp-${id}`,
  kind,
  type: 'disk-full',
  entity: { kind: 'host', id: 'web-1' },
  labels: { team: 'ops', host_group: id },
  severity: 'critical',
  summary: 'disk / is 99% full',
  source: 'receiver',
  occurredAt: '2026-01-01T01:00:00.000Z',
  startsAt: '2026-01-01T00:00:00.000Z',
  ...(kind === 'resolved' ? { durationMs: 3_600_000 } : {}),
  receivedAt: '2026-01-01T01:00:00.100Z',
});

describe('payloads', () => {
  it('builds an Alertmanager v4 webhook body with common labels and resolved end times', () => {
    const body = alertmanagerPayload('am', 'd1', [n('firing', 'a'), n('resolved', 'b')]);
    expect(body).toMatchObject({ version: '4', receiver: 'am', status: 'firing', commonLabels: { team: 'ops', alertname: 'disk-full', entity: 'web-1' } });
    expect(body.commonLabels).not.toHaveProperty('host_group');
    expect(body.alerts[0]).toMatchObject({ status: 'firing', endsAt: '0001-01-01T00:00:00Z', startsAt: '2026-01-01T00:00:00.000Z', annotations: { summary: 'disk / is 99% full' } });
    expect(body.alerts[1]).toMatchObject({ status: 'resolved', endsAt: '2026-01-01T01:00:00.000Z', fingerprint: 'fp-b' });
  });

  it('signs timestamp and body with HMAC-SHA256', () => {
    // echo -n '1700000000.{}' | openssl dgst -sha256 -hmac 'secretsecretsecret'
    expect(signBody('secretsecretsecret', '1700000000', '{}')).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signBody('secretsecretsecret', '1700000000', '{}')).not.toBe(signBody('secretsecretsecret', '1700000001', '{}'));
  });

  it('writes digests for mail and lines for syslog', () => {
    const d = composeDigest('[wk]', [n('firing', 'a'), n('resolved', 'b'), n('stored', 'c')]);
    expect(d.subject).toBe('[wk] 3 alerts: 1 firing, 1 resolved, 1 events');
    expect(d.text).toContain('[RESOLVED after 1h] critical disk-full on host web-1');
    expect(describeAlert(n('firing', 'a'))).toContain('[FIRING]');
    expect(formatSyslog(n('firing', 'a'), { facility: 1, appName: 'wk', hostname: 'h' })).toMatch(/^<10>1 \S+ h wk - alert \[watchkeeper@32473 fingerprint="fp-a" kind="firing"\] \[FIRING\]/);
  });
});

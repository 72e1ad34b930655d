import { AlertEvent, alertFingerprint, cloudEventHeaders, parseCloudEventHeaders, SshEvent, Topics, allTopics } from './index';

const alert = {
  id: 'a1',
  action: 'trigger' as const,
  type: 'listener-missing',
  entity: { kind: 'listener', id: 'alice@host1' },
  severity: 'critical' as const,
  labels: { node: 'heartbeat', pool: 'ligo' },
  source: 'heartbeat-server',
  occurredAt: '2026-11-25T10:00:00.000Z',
};

describe('alert contract', () => {
  it('accepts the three actions and rejects an unknown one with a message naming the field', () => {
    expect(AlertEvent.parse(alert).action).toBe('trigger');
    expect(AlertEvent.parse({ ...alert, action: 'release' }).action).toBe('release');
    const bad = AlertEvent.safeParse({ ...alert, action: 'explode' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('action');
  });

  it('fingerprints ignore label order and separate different entities', () => {
    const a = alertFingerprint(alert);
    expect(alertFingerprint({ ...alert, labels: { pool: 'ligo', node: 'heartbeat' } })).toBe(a);
    expect(alertFingerprint({ ...alert, entity: { kind: 'listener', id: 'bob@host2' } })).not.toBe(a);
    expect(Topics.alerts.key(AlertEvent.parse(alert))).toBe(a);
  });
});

describe('ssh event contract', () => {
  it('defaults count to 1 and rejects a bad host name', () => {
    const e = { id: 'h:1:0', host: 'web-1', time: '2026-03-29T17:37:18.000Z', timeText: 'Mar 29 17:37:18', kind: 'accepted', program: 'sshd', pid: 42 };
    expect(SshEvent.parse(e).count).toBe(1);
    expect(SshEvent.safeParse({ ...e, host: '../etc' }).success).toBe(false);
  });
});

describe('topics', () => {
  it('are versioned, unique and have a CloudEvents type', () => {
    const names = allTopics.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const t of allTopics) {
      expect(t.name).toMatch(/^watchkeeper\.[a-z-]+\.v\d+$/);
      expect(t.ceType).toMatch(/^org\.watchkeeper\./);
    }
  });
});

describe('CloudEvents headers', () => {
  it('round-trip and name a missing required header', () => {
    const h = cloudEventHeaders({ type: 't', source: 's', id: 'x', time: new Date('2026-01-01T00:00:00Z') });
    expect(parseCloudEventHeaders(h)).toMatchObject({ id: 'x', source: 's', type: 't', time: '2026-01-01T00:00:00.000Z' });
    const { ce_source: _drop, ...rest } = h;
    expect(() => parseCloudEventHeaders(rest)).toThrow('ce_source');
  });
});

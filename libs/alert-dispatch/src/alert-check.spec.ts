import { AlertEvent } from '@watchkeeper/contracts';
import { checkedAlertEvent } from './alert-check';

const valid = {
  action: 'trigger',
  id: 'a-1',
  type: 'disk-full',
  entity: { kind: 'host', id: 'web-1' },
  severity: 'critical',
  labels: { mount: '/var', 'team_x.y-z': 'ops' },
  summary: 'disk full',
  description: 'the /var volume is full',
  source: 'heartbeat-server',
  occurredAt: '2026-11-26T00:00:00.000Z',
};

/** The hand check agrees with zod: the same output (and key order) when it answers, never a value zod rejects. */
function expectAgrees(input: unknown): void {
  const fast = checkedAlertEvent(JSON.parse(JSON.stringify(input)) as unknown);
  const zod = AlertEvent.safeParse(JSON.parse(JSON.stringify(input)));
  if (fast !== undefined) {
    expect(zod.success).toBe(true);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
    expect(fast).toEqual(zod.data);
  }
}

const long = (n: number) => 'x'.repeat(n);
const mutations: Array<[string, unknown]> = [
  ['action', 'open'], ['action', undefined], ['action', 1],
  ['id', ''], ['id', long(200)], ['id', long(201)], ['id', 7],
  ['type', ''], ['type', long(200)], ['type', long(201)], ['type', null],
  ['entity', null], ['entity', []], ['entity', { kind: 'host' }], ['entity', { kind: '', id: 'x' }], ['entity', { kind: long(101), id: 'x' }],
  ['entity', { kind: long(100), id: long(500) }], ['entity', { kind: 'k', id: long(501) }], ['entity', { kind: 'k', id: 'i', extra: 1 }], ['entity', 'host/web-1'],
  ['severity', 'major'], ['severity', 'INFO'], ['severity', undefined],
  ['labels', undefined], ['labels', null], ['labels', []], ['labels', {}], ['labels', { '1bad': 'x' }], ['labels', { 'a b': 'x' }], ['labels', { ok: 1 }],
  ['labels', { ok: long(1024) }], ['labels', { ok: long(1025) }], ['labels', { _x: '' }], ['labels', { 'é': 'x' }],
  ['summary', undefined], ['summary', ''], ['summary', long(2000)], ['summary', long(2001)], ['summary', null], ['summary', 3],
  ['description', undefined], ['description', long(20000)], ['description', long(20001)], ['description', false],
  ['source', ''], ['source', long(200)], ['source', long(201)], ['source', undefined],
  ['occurredAt', '2026-11-26T00:00:00Z'], ['occurredAt', '2026-11-26T00:00:00+02:00'], ['occurredAt', '2026-11-26T00:00:00.123456+0200'], ['occurredAt', '2026-11-26 00:00:00Z'],
  ['occurredAt', '2026-11-26T00:00:00'], ['occurredAt', '2026-13-26T00:00:00Z'], ['occurredAt', '2026-11-26T25:00:00Z'], ['occurredAt', 'yesterday'], ['occurredAt', 1764115200000],
  ['extra', 'stripped'],
];

describe('checkedAlertEvent', () => {
  it('returns what zod returns for valid alerts of every action, with and without the optional fields', () => {
    for (const action of ['store', 'trigger', 'release']) {
      const full = { ...valid, action };
      expect(checkedAlertEvent(JSON.parse(JSON.stringify(full)))).toBeDefined();
      expectAgrees(full);
      const { labels: _l, summary: _s, description: _d, ...bare } = full;
      expect(checkedAlertEvent(JSON.parse(JSON.stringify(bare)))).toEqual({ ...bare, labels: {} });
      expectAgrees(bare);
    }
  });

  it.each(mutations)('agrees with zod when %s is mutated (case %#)', (field, value) => {
    const input: Record<string, unknown> = { ...valid };
    if (value === undefined) delete input[field];
    else input[field] = value;
    expectAgrees(input);
  });

  it('rejects what zod rejects (every invalid mutation above), so zod names the problem', () => {
    let invalid = 0;
    for (const [field, value] of mutations) {
      const input: Record<string, unknown> = { ...valid, [field]: value };
      if (value === undefined) delete input[field];
      if (AlertEvent.safeParse(JSON.parse(JSON.stringify(input))).success) continue;
      invalid += 1;
      expect(checkedAlertEvent(JSON.parse(JSON.stringify(input)))).toBeUndefined();
    }
    expect(invalid).toBeGreaterThan(30);
  });

  it('leaves a "__proto__" label to zod and does not let it set a prototype', () => {
    const input = JSON.parse(`{"action":"store","id":"p","type":"t","entity":{"kind":"k","id":"i"},"severity":"info","labels":{"__proto__":"x"},"source":"s","occurredAt":"2026-11-26T00:00:00Z"}`) as unknown;
    expect(checkedAlertEvent(input)).toBeUndefined();
  });

  it('answers only for plain JSON objects', () => {
    expect(checkedAlertEvent(null)).toBeUndefined();
    expect(checkedAlertEvent([valid])).toBeUndefined();
    expect(checkedAlertEvent('alert')).toBeUndefined();
    expect(checkedAlertEvent(Object.assign(Object.create({ inherited: true }) as object, valid))).toBeUndefined();
  });
});

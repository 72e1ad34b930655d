import { randomUUID } from 'node:crypto';
import { listen, type RunningServer } from '@watchkeeper/runtime';
import { alertFingerprint, type AlertEvent } from '@watchkeeper/contracts';
import { bucketId, hourKey, type HistoryRecord } from '@watchkeeper/alert-state';
import { dispatcherHttpApp } from '../src';
import { alert, logger, recorded, startHarness, startSink, waitFor, type Harness } from './support';

const TOKEN = 'test-admin-token-0123456789';

describe('GET /v1/alerts/history (real Kafka, MongoDB-wire server)', () => {
  let h: Harness;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let api: RunningServer;
  let base: string;
  const tag = Date.now().toString(36);
  const web = { kind: 'host', id: `hist-web-${tag}` };
  const db = { kind: 'host', id: `hist-db-${tag}` };
  let sent: AlertEvent[];

  beforeAll(async () => {
    sink = await startSink();
    h = await startHarness(
      'history',
      `
recipients:
  hist-hook: { type: webhook, url: "${sink.url}", maxDigest: 10 }
pools:
  - name: all
    recipients: [hist-hook]
`,
    );
    api = await listen(dispatcherHttpApp(h.engine, { adminToken: TOKEN, logger, validateResponses: true }), 0, '127.0.0.1');
    base = `http://127.0.0.1:${api.port}`;
    // web: triggered then released (released); db: triggered (active); a stored scan alert on web.
    const webUp = alert({ entity: web, action: 'trigger', type: 'disk-full', severity: 'critical', category: 'system' });
    const dbUp = alert({ entity: db, action: 'trigger', type: 'replication-lag', severity: 'warning', category: 'database' });
    const scan = alert({ entity: web, action: 'store', type: 'port-scan', severity: 'info', category: 'security' });
    const webDown = alert({ entity: web, action: 'release', type: 'disk-full', severity: 'critical', category: 'system' });
    sent = [webUp, dbUp, scan];
    await h.publish(sent);
    await waitFor('first three recorded', () => recorded(h, sent.map((a) => a.id)), 30_000);
    await h.publish([webDown]);
    sent.push(webDown);
    await waitFor('release recorded', () => recorded(h, [webDown.id]), 30_000);
  }, 90_000);

  afterAll(async () => {
    await api?.close();
    await h?.stop();
    await sink?.close();
  });

  const get = async (query: string, token = TOKEN) => {
    const res = await fetch(`${base}/v1/alerts/history?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const ids = (body: { entries: Array<{ alertId: string }> }) => body.entries.map((e) => e.alertId);
  const [webUp, dbUp, scan, webDown] = [0, 1, 2, 3].map((i) => () => sent[i]!);

  it('lists every alert event of the range newest first, with category and current state', async () => {
    const all = await get('');
    expect(all.status).toBe(200);
    const mine = all.body.entries.filter((e: { entity: { id: string } }) => e.entity.id.endsWith(tag));
    expect(mine[0].alertId).toBe(webDown().id); // received last
    expect(new Set(mine.map((e: { alertId: string }) => e.alertId))).toEqual(new Set(sent.map((a) => a.id)));
    const byId = new Map(mine.map((e: any) => [e.alertId, e]));
    expect(byId.get(webUp().id)).toMatchObject({ action: 'trigger', category: 'system', state: 'released' });
    expect(byId.get(dbUp().id)).toMatchObject({ action: 'trigger', category: 'database', state: 'active' });
    expect(byId.get(scan().id)).toMatchObject({ action: 'store', category: 'security' });
    expect(byId.get(scan().id)).not.toHaveProperty('state');
    // Carried through to the recipient too.
    await waitFor('notifications delivered', () => sink.alertIds().includes(dbUp().id));
    const delivered = sink.requests.flatMap((r) => r.body.notifications ?? []).find((n: { alertId: string }) => n.alertId === dbUp().id);
    expect(delivered.category).toBe('database');
  });

  it('filters by entity, type, severity, category, action and current state', async () => {
    expect(ids((await get(`entity=${web.id}`)).body).sort()).toEqual([webUp().id, scan().id, webDown().id].sort());
    expect(ids((await get(`entity=${web.id}&action=store`)).body)).toEqual([scan().id]);
    expect(ids((await get(`type=replication-lag&entity=${db.id}`)).body)).toEqual([dbUp().id]);
    expect(ids((await get(`category=security&entity=${web.id}`)).body)).toEqual([scan().id]);
    expect(ids((await get(`severity=critical&entity=${web.id}`)).body).sort()).toEqual([webUp().id, webDown().id].sort());
    expect(ids((await get(`state=active&entity=${db.id}`)).body)).toEqual([dbUp().id]);
    expect(ids((await get(`state=released&entity=${web.id}`)).body)).toEqual([webDown().id, webUp().id]); // newest first
    expect(ids((await get(`state=active&entity=${web.id}`)).body)).toEqual([]);
  });

  it('pages with a cursor: the same entries, once each, in order', async () => {
    const whole = ids((await get(`entity=${web.id}`)).body);
    const paged: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const page: { status: number; body: any } = await get(`entity=${web.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.entries.length).toBeLessThanOrEqual(1);
      paged.push(...ids(page.body));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(paged).toEqual(whole);
    expect(whole).toHaveLength(3);
  });

  it('reads only the hours of the requested range (an older batch is found by its hour, and only then)', async () => {
    const old = alert({ entity: web, action: 'store', type: 'old-scan', severity: 'info', occurredAt: new Date(Date.now() - 3 * 3_600_000).toISOString() });
    const at = new Date(Date.now() - 3 * 3_600_000);
    const rec: HistoryRecord = {
      eventId: old.id,
      fingerprint: alertFingerprint(old),
      event: old,
      receivedAt: at,
      decision: { notify: true, kind: 'stored', reason: 'stateless' },
      fanout: [],
      kafka: { partition: 0, offset: '0' },
    };
    await h.engine.history.saveBatch(bucketId(`old-${randomUUID()}`, 0, '0', at), 0, at, [rec]);
    const hours = await h.engine.history.hours(hourKey(at).slice(0, 10).replaceAll('-', '')).find({}).toArray();
    expect(hours.map((d) => d._id)).toContain(hourKey(at));
    const from = new Date(at.getTime() - 60_000).toISOString();
    const to = new Date(at.getTime() + 60_000).toISOString();
    expect(ids((await get(`entity=${web.id}&from=${from}&to=${to}`)).body)).toEqual([old.id]);
    // The default range (the last 24 h) has it too; a range before it does not.
    expect(ids((await get(`entity=${web.id}&action=store`)).body)).toEqual([scan().id, old.id]);
    expect(ids((await get(`entity=${web.id}&to=${from}`)).body)).toEqual([]);
  });

  it('lists every batch under its hour when batches of a new hour are saved side by side (partitions in parallel)', async () => {
    const at = new Date(Date.UTC(2020, 0, 1, 5) + Math.floor(Math.random() * 3_600_000)); // an hour nobody else writes
    const rec = (i: number): HistoryRecord => {
      const a = alert({ entity: web, action: 'store', type: 'side-by-side', severity: 'info', occurredAt: at.toISOString() });
      return { eventId: a.id, fingerprint: alertFingerprint(a), event: a, receivedAt: at, decision: { notify: true, kind: 'stored', reason: 'stateless' }, fanout: [], kafka: { partition: i, offset: '0' } };
    };
    const ids = Array.from({ length: 12 }, () => bucketId(`side-${randomUUID()}`, 0, '0', at));
    await Promise.all(ids.map((id, i) => h.engine.history.saveBatch(id, i, at, [rec(i)])));
    const listed = (await h.engine.history.bucketsByHour(at, at)).flatMap((x) => x.buckets);
    expect(new Set(listed)).toEqual(new Set(ids));
  });

  it('refuses an invalid filter with 400, a missing token with 401, another method with 405', async () => {
    for (const q of ['severity=bad', 'action=fire', 'state=open', 'from=yesterday', 'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:01Z', 'limit=0', 'limit=501', 'cursor=abc', 'colour=red']) {
      const r = await get(q);
      expect({ q, status: r.status, error: r.body.error }).toEqual({ q, status: 400, error: 'validation-failed' });
    }
    expect((await get('', 'wrong-token-0123456789')).status).toBe(401);
    const res = await fetch(`${base}/v1/alerts/history`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});

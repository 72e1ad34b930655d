import { listen, type RunningServer } from '@watchkeeper/runtime';
import { alertFingerprint, Topics } from '@watchkeeper/contracts';
import { dispatcherHttpApp } from '../src';
import { alert, collectOutcomes, logger, recorded, startHarness, startSink, waitFor, type Harness } from './support';

const TOKEN = 'test-admin-token-0123456789';

describe('alert lifecycle through the dispatcher (real Kafka, MongoDB-wire server, HTTP sink)', () => {
  let h: Harness;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let api: RunningServer;
  let base: string;
  const entity = { kind: 'host', id: `lc-${Date.now().toString(36)}` };

  beforeAll(async () => {
    sink = await startSink();
    h = await startHarness(
      'lifecycle',
      `
recipients:
  lc-hook: { type: webhook, url: "${sink.url}", maxDigest: 10 }
pools:
  - name: all
    recipients: [lc-hook]
`,
    );
    api = await listen(dispatcherHttpApp(h.engine, { adminToken: TOKEN, logger, validateResponses: true }), 0, '127.0.0.1');
    base = `http://127.0.0.1:${api.port}`;
  });

  afterAll(async () => {
    await api?.close();
    await h?.stop();
    await sink?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('trigger notifies; a re-trigger does not; release notifies resolved with the duration; all go to history', async () => {
    const outcomes = await collectOutcomes(h.kafka, 'lc-');
    const t0 = Date.now() - 60_000;
    const trig = alert({ action: 'trigger', entity, type: 'disk-full', occurredAt: new Date(t0).toISOString() });
    await h.publish([trig]);
    await waitFor('firing notification', () => sink.alertIds().includes(trig.id));
    const re = alert({ action: 'trigger', entity, type: 'disk-full', occurredAt: new Date(t0 + 1000).toISOString() });
    await h.publish([re]);
    await waitFor('re-trigger recorded', () => recorded(h, [re.id]));
    const rel = alert({ action: 'release', entity, type: 'disk-full', occurredAt: new Date(t0 + 42_000).toISOString() });
    await h.publish([rel]);
    await waitFor('resolved notification', () => sink.alertIds().includes(rel.id));

    const all = sink.requests.flatMap((r) => r.body.notifications);
    expect(all.map((n: any) => [n.alertId, n.kind])).toEqual([
      [trig.id, 'firing'],
      [rel.id, 'resolved'],
    ]);
    expect(all[1]).toMatchObject({ durationMs: 42_000, fingerprint: alertFingerprint(trig), startsAt: new Date(t0).toISOString() });

    const alerts = await call('GET', '/v1/alerts');
    expect(alerts.status).toBe(200);
    const mine = alerts.body.recent.filter((e: any) => e.entity.id === entity.id);
    expect(mine.map((e: any) => [e.action, e.notified, e.reason])).toEqual([
      ['release', true, 'resolved'],
      ['trigger', false, 'refresh'],
      ['trigger', true, 'new'],
    ]);
    expect(alerts.body.active.find((a: any) => a.entity.id === entity.id)).toBeUndefined();
    await waitFor('delivered outcomes on the notifications topic', () => outcomes.outcomes.filter((o) => o.outcome === 'delivered').length === 2);
    await outcomes.stop();

    const deliveries = await call('GET', `/v1/deliveries?recipient=lc-hook&alertId=${rel.id}`);
    expect(deliveries.body.deliveries).toEqual([expect.objectContaining({ state: 'delivered', kind: 'resolved', attempts: 1 })]);
  });

  it('a release for an unknown alert is recorded, not an error; an active alert is listed', async () => {
    const ghost = alert({ action: 'release', entity: { kind: 'host', id: `${entity.id}-ghost` } });
    const open = alert({ action: 'trigger', entity: { kind: 'host', id: `${entity.id}-open` } });
    await h.publish([ghost, open]);
    await waitFor('both recorded', () => recorded(h, [ghost.id, open.id]));
    const alerts = await call('GET', '/v1/alerts');
    expect(alerts.body.recent.find((e: any) => e.eventId === ghost.id)).toMatchObject({ notified: false, reason: 'unknown-release' });
    expect(alerts.body.active.find((a: any) => a.entity.id === open.entity.id)).toMatchObject({ triggerCount: 1, type: 'test-alert' });
  });

  it('silences: created, listed and expired over the API with who and why; silenced alerts are counted', async () => {
    const from = new Date().toISOString();
    expect((await fetch(`${base}/v1/silences`)).status).toBe(401);
    const bad = await call('POST', '/v1/silences', { matchers: [], endsAt: new Date().toISOString(), createdBy: 'me', comment: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('matcher');
    const created = await call('POST', '/v1/silences', {
      matchers: [{ name: 'entity', value: `${entity.id}-mute.*`, isRegex: true }],
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'alice',
      comment: 'maintenance of the mute hosts',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', createdBy: 'alice', comment: 'maintenance of the mute hosts' });
    const listed = await call('GET', '/v1/silences');
    expect(listed.body.silences.map((s: any) => s.id)).toContain(created.body.id);

    const muted = alert({ entity: { kind: 'host', id: `${entity.id}-mute-1` } });
    const loud = alert({ entity: { kind: 'host', id: `${entity.id}-loud-1` } });
    await h.publish([muted, loud]);
    await waitFor('loud delivered', () => sink.alertIds().includes(loud.id));
    await waitFor('muted recorded', () => recorded(h, [muted.id]));
    expect(sink.alertIds()).not.toContain(muted.id);
    const rec = (await call('GET', '/v1/alerts')).body.recent.find((e: any) => e.eventId === muted.id);
    expect(rec.recipients).toEqual([{ recipient: 'lc-hook', state: 'silenced', cause: `silence:${created.body.id}` }]);

    const expired = await call('POST', `/v1/silences/${created.body.id}/expire`, { expiredBy: 'bob', comment: 'done early' });
    expect(expired.body).toMatchObject({ status: 'expired', expiredBy: 'bob' });
    const again = alert({ entity: { kind: 'host', id: `${entity.id}-mute-2` } });
    await h.publish([again]);
    await waitFor('delivered after the silence expired', () => sink.alertIds().includes(again.id));
    expect((await call('POST', '/v1/silences/nope/expire', { expiredBy: 'bob' })).status).toBe(404);

    const acc = await call('GET', `/v1/accounting?from=${from}`);
    expect(acc.body).toMatchObject({ balanced: true, silenced: 1, dropped: 0, queued: 0, deadLettered: 0 });
    expect(acc.body.received).toBe(acc.body.delivered + 1);
    expect(acc.body.byRecipient['lc-hook']).toMatchObject({ silenced: 1, delivered: 2 });
  });

  it('an alert that breaks the contract goes to the dead-letter topic with its reason', async () => {
    const letters: any[] = [];
    const consumer = h.kafka.consumer({ groupId: `wk-test-dl-${h.run}` });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.deadLetter.name, fromBeginning: false });
    await consumer.run({ eachMessage: async ({ message }) => void letters.push(JSON.parse(message.value!.toString())) });
    await waitFor('dead-letter consumer join', () => joined, 30_000);
    const marker = `bad-${h.run}`;
    await h.producer.send({ topic: Topics.alerts.name, messages: [{ key: marker, value: JSON.stringify({ id: marker, action: 'explode' }) }] });
    const letter = await waitFor('dead letter', () => letters.find((l) => Buffer.from(l.valueBase64, 'base64').toString().includes(marker)));
    expect(letter.reason).toContain('action');
    expect(letter.consumerGroup).toBe(`wk-test-${h.run}`);
    await consumer.disconnect();
  });
});

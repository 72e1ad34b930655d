import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { allTopics, consumerGroupId, Topics } from '@watchkeeper/contracts';
import { createKafka, ensureTopics } from '@watchkeeper/kafka';
import { topicOffsetsWhenLed } from '@watchkeeper/kafka/testing';
import { createLogger } from '@watchkeeper/runtime';

// End to end in Debian's chromium against the local stack (tools/local-stack.cjs): every service
// from its built bin, on ports and databases of its own so a developer's `npm start` is untouched.
const root = path.join(__dirname, '..', '..', '..');
// The lead's stack starter (plain CommonJS under tools/, loaded by path).
const { startLocalStack, readInfraEnv } = require(path.join(root, 'tools', 'local-stack.cjs'));
const artifacts = path.join(root, 'test-artifacts', 'dashboard');
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const sshHost = `e2e-${run}`;
const fleetHost = `e2e-fleet-${run}`;
const clientHost = `e2e-lab-${run}`;
const node = `wk-e2e-${run}`;
const execFileP = promisify(execFile);
const kafka = () => createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'dashboard-e2e', logger: createLogger({ service: 'dashboard-e2e', level: 'warn' }) });

interface Stack {
  ports: { receiver: number; heartbeatServer: number; alertDispatcher: number };
  tokens: { WATCHKEEPER_ADMIN_TOKEN: string };
  services: Array<{ label: string; pid: number }>;
  stop: () => Promise<void>;
}

let stack: Stack | undefined;
let context: BrowserContext | undefined;
let page: Page;
let base: string;
let runDir: string;
const stopped: number[] = [];
const pageErrors: string[] = [];

jest.setTimeout(60_000);

/** `count` places free in a row, for the stack's consecutive heartbeat-client ports. */
async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const start = 20000 + Math.floor(Math.random() * 30000);
    const servers: net.Server[] = [];
    try {
      for (let p = start; p < start + count; p++) {
        servers.push(await new Promise<net.Server>((resolve, reject) => {
          const s = net.createServer();
          s.once('error', reject);
          s.listen(p, '127.0.0.1', () => resolve(s));
        }));
      }
      return start;
    } catch {
      /* taken: try another range */
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  }
  throw new Error('no free port range');
}

/**
 * New consumer groups start at the topics' ends, not at the whole history other suites left there:
 * each group joins once and commits the current end offsets (kafkajs' admin.setOffsets cannot do
 * this for a group that never ran).
 */
async function groupsAtEnd(groups: Array<{ groupId: string; topic: string }>): Promise<void> {
  const k = kafka();
  // On a fresh broker (CI) the services have not created their topics yet.
  await ensureTopics(k, allTopics);
  const admin = k.admin();
  await admin.connect();
  try {
    await Promise.all(
      groups.map(async ({ groupId, topic }) => {
        const offsets = await topicOffsetsWhenLed(admin, topic);
        const consumer = k.consumer({ groupId: consumerGroupId(groupId) }); // the services' groups, as the broker names them
        await consumer.connect();
        try {
          await consumer.subscribe({ topic, fromBeginning: false });
          const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
          await consumer.run({ eachMessage: async () => undefined });
          await joined;
          await consumer.commitOffsets(offsets.map((o) => ({ topic, partition: o.partition, offset: o.high })));
        } finally {
          await consumer.disconnect();
        }
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

function pidOf(label: string): number {
  const s = stack!.services.find((x) => x.label === label);
  if (!s) throw new Error(`no service ${label}`);
  return s.pid;
}

async function api(pathname: string, init: RequestInit & { token?: string } = {}): Promise<any> {
  const res = await fetch(`${base}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${init.token ?? stack!.tokens.WATCHKEEPER_ADMIN_TOKEN}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${pathname}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  // Debian's chromium; the script is idempotent (nothing to do when it is there).
  execFileSync('bash', [path.join(root, 'tools/install-chromium.sh')], { stdio: 'inherit', timeout: 600_000 });
  fs.mkdirSync(artifacts, { recursive: true });
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wk-dashboard-e2e-'));
  const infraEnv = readInfraEnv();
  fs.writeFileSync(path.join(runDir, 'env'), Object.entries(infraEnv).map(([k, v]) => `export ${k}='${v}'`).join('\n') + '\n');
  const routing = path.join(runDir, 'routing.yaml');
  fs.writeFileSync(routing, 'recipients:\n  journal:\n    type: stdout\npools:\n  - name: everything\n    recipients: [journal]\n');
  // The sample log with its host renamed, followed by the stack's log-collector: this run's figures
  // are its own, whatever else is on the ssh-events topic.
  const sampleLog = path.join(runDir, 'auth.log');
  fs.writeFileSync(sampleLog, fs.readFileSync(path.join(root, 'tools/samples/auth.log'), 'utf8').replaceAll('labgw', sshHost));

  const groups = { ssh: `wk-e2e-${run}-ssh`, bruteForce: `wk-e2e-${run}-brute-force`, alerts: `wk-e2e-${run}-alerts` };
  await groupsAtEnd([
    { groupId: groups.ssh, topic: Topics.sshEvents.name },
    { groupId: groups.bruteForce, topic: Topics.sshAttempts.name },
    { groupId: groups.alerts, topic: Topics.alerts.name },
  ]);
  const start = await freePortRange(7);
  const clients = ['wk-client1', 'wk-client2', 'wk-client3'];
  stack = await startLocalStack({
    runDir,
    sampleLog,
    clients: clients.length,
    ports: { receiver: start, heartbeatServer: start + 1, alertDispatcher: start + 2, logCollector: start + 3, heartbeatClient: start + 4 },
    env: {
      '*': { LOG_LEVEL: 'warn' },
      receiver: { RECEIVER_MONGO_DB: `wk_e2e_${run}_receiver`, RECEIVER_SSH_GROUP: groups.ssh, BRUTE_FORCE_GROUP: groups.bruteForce },
      'alert-dispatcher': { ALERT_DISPATCHER_MONGO_DB: `wk_e2e_${run}_alerts`, ALERT_DISPATCHER_GROUP_ID: groups.alerts, ALERT_DISPATCHER_ROUTING_FILE: routing },
      'heartbeat-server': {
        MONGO_DB: `wk_e2e_${run}_heartbeat`,
        XMPP_RESOURCE: `hb-${run}`,
        HEARTBEAT_NODES: node,
        HEARTBEAT_EXPECTED: clients.map((c) => `${c}@${clientHost}`).join(','),
        HEARTBEAT_INTERVAL_MS: '1000',
        HEARTBEAT_TIMEOUT_MS: '600',
      },
      'log-collector': { MONGO_DB: `wk_e2e_${run}_collector`, LOG_COLLECTOR_HOST: sshHost, LOG_COLLECTOR_TZ: 'UTC' },
      'heartbeat-client': { HEARTBEAT_NODES: node, HEARTBEAT_CLIENT_HOST: clientHost, XMPP_RESOURCE: `e2e-${run}` },
    },
  });
  base = `http://127.0.0.1:${stack!.ports.receiver}`;

  // A fresh profile (--user-data-dir) per run: nothing carried over between runs.
  context = await chromium.launchPersistentContext(path.join(runDir, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
}, 600_000); // a first run may install chromium; otherwise the stack is up in seconds

afterAll(async () => {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
  await context?.close();
  await stack?.stop();
  const conn = await mongoose.createConnection(process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017').asPromise();
  try {
    for (const db of ['receiver', 'alerts', 'heartbeat', 'collector']) await conn.useDb(`wk_e2e_${run}_${db}`).dropDatabase();
  } finally {
    await conn.close();
  }
  // The services' logs stay (a few KB, named in start-up failures); the browser profile goes.
  if (runDir) fs.rmSync(path.join(runDir, 'chromium'), { recursive: true, force: true });
}, 60_000);


describe('dashboard in a real browser against the local stack', () => {
  it('signs in with the admin token (a wrong one is refused) and keeps it for the tab', async () => {
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      // The refused token's 401 is expected; a CSP violation or script error is not.
      if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text());
    });
    await page.goto(`${base}/?refresh=1`);
    await page.getByLabel('Admin token').focus();
    await page.keyboard.type('not-the-token-at-all');
    await page.keyboard.press('Enter');
    await expectText(page.locator('#login-error'), /not accepted/);
    await shot('login');
    await page.getByLabel('Admin token').fill(stack!.tokens.WATCHKEEPER_ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Fleet' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('watchkeeper.adminToken')")).toBe(stack!.tokens.WATCHKEEPER_ADMIN_TOKEN);
    // No CSP violation or script error: the policy lets the pages' own modules run.
    expect(consoleErrors).toEqual([]);
  });

  it('Fleet: a host appears with its snapshot time after it reports', async () => {
    const created = await api(`/v1/hosts/${fleetHost}/tokens`, { method: 'POST', body: JSON.stringify({ label: 'dashboard e2e' }) });
    await api(`/v1/host-health/${fleetHost}`, { method: 'PUT', token: created.token, body: JSON.stringify({ disk: 'ok', load: 0.3 }) });
    const row = page.locator(`tr[data-host="${fleetHost}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expectText(row.locator('td.status'), /ok/);
    await expectText(row, /ago/);
    await expectText(page.locator('#live'), /Live/);
    await shot('fleet');
  });

  it("Fleet: the stack's own host reporter has reported within a minute of start, and self-check statuses show", async () => {
    // tools/local-stack.cjs runs `watchkeeper-log-collector doctor` for the collector's host.
    const own = page.locator(`tr[data-host="${sshHost}"] td.checks`);
    await own.locator('[data-check], [data-check-ok]').first().waitFor({ timeout: 60_000 });

    const host = `${fleetHost}-checks`;
    const created = await api(`/v1/hosts/${host}/tokens`, { method: 'POST', body: JSON.stringify({ label: 'dashboard e2e' }) });
    const checks = [
      { name: 'disk:/', status: 'critical', detail: '97% used' },
      { name: 'load', status: 'ok', detail: 'load 0.1' },
      { name: 'memory', status: 'ok', detail: '20% used' },
    ];
    await api(`/v1/host-health/${host}`, { method: 'PUT', token: created.token, body: JSON.stringify({ disk: [], memory: {}, load: {}, checks }) });
    const row = page.locator(`tr[data-host="${host}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expectText(row.locator('td.checks'), /disk:\/: critical/);
    await expectText(row.locator('td.checks'), /2 ok/);
    await expectText(row.locator('td.status'), /problem/);
  });

  it('Live: a change the receiver announces on its event stream shows without waiting for the poll', async () => {
    // Polling every 10 minutes: only the server-sent event can bring the new host in time.
    await page.goto(`${base}/?refresh=600#/fleet`);
    await expectAttr(page.locator('#live'), 'data-push', 'connected', 15_000);
    await expectText(page.locator('#live'), /on change/);
    const pushedHost = `${fleetHost}-push`;
    const created = await api(`/v1/hosts/${pushedHost}/tokens`, { method: 'POST', body: JSON.stringify({ label: 'dashboard e2e push' }) });
    await api(`/v1/host-health/${pushedHost}`, { method: 'PUT', token: created.token, body: JSON.stringify({ disk: 'ok' }) });
    await page.locator(`tr[data-host="${pushedHost}"]`).waitFor({ timeout: 10_000 });
    await page.goto(`${base}/?refresh=1`);
    await page.locator(`tr[data-host="${fleetHost}"]`).waitFor({ timeout: 15_000 });
  });

  it('Listeners: all answer, then a stopped client goes missing', async () => {
    await page.getByRole('link', { name: 'Listeners' }).click();
    const state = (n: number) => page.locator(`tr[data-listener="wk-client${n}@${clientHost}"] [data-state]`);
    for (const n of [1, 2, 3]) await expectAttr(state(n), 'data-state', 'ok', 20_000);
    await expectText(page.locator(`tr[data-listener="wk-client1@${clientHost}"]`), /\d+ ms/);
    await shot('listeners');

    const pid = pidOf('heartbeat-client-2');
    process.kill(pid, 'SIGSTOP'); // wedged: still in the process table, no longer answering
    stopped.push(pid);
    await expectAttr(state(2), 'data-state', 'missing', 20_000);
    await expectAttr(state(1), 'data-state', 'ok', 1000);
    await shot('listeners-missing');
    process.kill(pid, 'SIGCONT');
    stopped.splice(stopped.indexOf(pid), 1);
  });

  it('Live: says the data is stale when an upstream stops answering', async () => {
    const pid = pidOf('heartbeat-server');
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
    try {
      await expectAttr(page.locator('#live'), 'data-state', 'stale', 20_000);
      await expectText(page.locator('#live'), /heartbeat-server/);
      await shot('listeners-stale');
    } finally {
      process.kill(pid, 'SIGCONT');
      stopped.splice(stopped.indexOf(pid), 1);
    }
    await expectAttr(page.locator('#live'), 'data-state', 'live', 20_000);
  });

  it('Alerts: creates a silence and expires it, by keyboard', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByText('New silence').click();
    await page.getByLabel('Matchers, one per line').fill(`host=${fleetHost}\ntype=~e2e-.*`);
    await page.getByLabel('Your name').fill('e2e-operator');
    await page.getByLabel('Why').fill(`dashboard e2e ${run}`);
    await page.getByRole('button', { name: 'Create silence' }).press('Enter');
    await expectText(page.locator('#sil-done'), /created/);
    const id = /Silence (\S+) created/.exec((await page.locator('#sil-done').textContent()) ?? '')![1];
    const row = page.locator(`tr[data-silence="${id}"]`);
    await expectAttr(row, 'data-status', 'active', 10_000);
    await expectText(row, new RegExp(`host=${fleetHost}`));
    await expectText(row, /type=~e2e-\.\*/);
    await shot('alerts-silence');

    const expire = row.getByRole('button', { name: /Expire/ });
    await expire.focus();
    await page.keyboard.press('Enter');
    await expectAttr(row, 'data-status', 'expired', 10_000);
    // The dispatcher itself recorded it, with who did it.
    const direct = await fetch(`http://127.0.0.1:${stack!.ports.alertDispatcher}/v1/silences?expired=true`, { headers: { authorization: `Bearer ${stack!.tokens.WATCHKEEPER_ADMIN_TOKEN}` } });
    const silence = ((await direct.json()) as { silences: Array<{ id: string; status: string; expiredBy?: string }> }).silences.find((s) => s.id === id);
    expect(silence).toMatchObject({ status: 'expired', expiredBy: 'e2e-operator' });
    await expectText(page.locator('#al-recipients'), /journal/);
    await shot('alerts');
  });

  it('Alerts: the history filters ask the dispatcher and list only what matches', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByLabel('Last').selectOption('7d');
    await page.getByRole('button', { name: 'Show history' }).click();
    // The listeners test above raised and released critical listener-missing alerts.
    await expectText(page.locator('#al-history'), /heartbeat\.listener-missing/);
    expect(await page.locator('#hist-form-msg').textContent()).toBe('');
    const severities = await page.locator('#al-history tr[data-event] td:first-child [data-state]:nth-child(2)').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    expect(severities.length).toBeGreaterThan(0);
    expect(severities.every((s) => s === 'critical')).toBe(true);
    await page.getByLabel('Severity').selectOption('info');
    await page.getByRole('button', { name: 'Show history' }).click();
    await expectText(page.locator('#al-history'), /No alerts match/);
    await shot('alerts-history');
  });

  it('SSH: the chart shows the counts of a known log; a day without data says "no data", not 0', async () => {
    const cli = path.join(root, 'apps/log-collector/bin/watchkeeper-log-collector.js');
    const sampleLog = path.join(runDir, 'auth.log');
    // What the one-shot CLI counts in the log the stack's collector is following (Kafka → receiver → chart).
    const counted = JSON.parse((await execFileP(process.execPath, [cli, 'count', '--file', sampleLog, '--json', '--tz', 'UTC', '--host', sshHost])).stdout) as {
      days: Array<{ host: string; date: string; sessions: number; accepted: number; failed: number; invalidUser: number; sources: number }>;
    };
    const days = counted.days.filter((d) => d.host === sshHost);
    expect(days.length).toBeGreaterThan(0);
    const dates = days.map((d) => d.date).sort();
    const before = isoDay(dates[0], -1);
    const to = dates[dates.length - 1];
    await page.goto(`${base}/?refresh=1#/ssh?from=${before}&to=${to}&host=${sshHost}`);
    const card = page.locator(`article[data-host="${sshHost}"]`);
    // Collector → Kafka → receiver takes a moment on a busy machine; then the figures must be exact.
    await card.locator('g.day').first().waitFor({ timeout: 60_000 });
    for (const d of days) {
      for (const series of ['sessions', 'accepted', 'failed', 'invalidUser'] as const) {
        const bar = card.locator(`g.day[data-date="${d.date}"] rect[data-series="${series}"]`);
        await expectAttr(bar, 'data-value', String(d[series]), 30_000);
        await expectText(card.locator(`g.day[data-date="${d.date}"] text[data-series="${series}"]`), new RegExp(`^${d[series]}$`));
      }
      await card.getByText(`Figures for ${sshHost}`).click();
      await expectText(card.locator(`tr[data-date="${d.date}"] td[data-series="failed"]`), new RegExp(`^${d.failed}$`));
    }
    // Nothing counted twice while the page kept polling.
    await page.waitForTimeout(1500);
    for (const d of days) await expectAttr(card.locator(`g.day[data-date="${d.date}"] rect[data-series="accepted"]`), 'data-value', String(d.accepted), 1000);
    await expectAttr(card.locator(`g.nodata[data-date="${before}"]`), 'data-nodata', 'true', 1000);
    await expectText(card.locator(`tr[data-date="${before}"]`), /no data/);
    // Top sources: every address of the known log with its attempts, in the table, most first.
    const expected = sourcesOfLog(fs.readFileSync(sampleLog, 'utf8'));
    expect(expected.length).toBeGreaterThan(3);
    const rows = page.locator('#ssh-sources-table tbody tr');
    await expectAttr(rows.first(), 'data-source', expected[0].sourceIp, 30_000);
    expect(await rows.evaluateAll((trs: any[]) => trs.map((tr) => tr.getAttribute('data-source')))).toEqual(expected.slice(0, 20).map((e) => e.sourceIp));
    for (const e of expected.slice(0, 20)) {
      const row = page.locator(`#ssh-sources-table tr[data-source="${e.sourceIp}"]`);
      for (const series of ['attempts', 'failed', 'accepted', 'invalidUser'] as const) await expectText(row.locator(`td[data-series="${series}"]`), new RegExp(`^${e[series]}$`));
      await expectText(row, new RegExp(sshHost));
    }
    // The table scrolls as one keyboard stop (a focusable region) on narrow screens.
    await page.locator('#ssh-sources .table-wrap').focus();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('role'))).toBe('region');
    await shot('ssh');
    // Silent hosts: every known host that sent nothing on the range's last date is listed (or none is).
    await expectText(page.locator('#ssh-silent'), /known host/, 15_000);
    // A range without any event says "no data", not an empty table of zeros.
    await page.goto(`${base}/?refresh=1#/ssh?from=2020-01-01&to=2020-01-02&host=${sshHost}`);
    await expectText(page.locator('#ssh-sources'), /^No data: no host sent SSH events in this range\.$/, 15_000);
    await page.goto(`${base}/?refresh=1#/ssh?from=${before}&to=${to}&host=${sshHost}`);
    await card.locator('g.day').first().waitFor({ timeout: 30_000 });

    // Phone width: the same page still works (tables scroll, the chart scales).
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('ssh-phone');
    await page.getByRole('link', { name: 'Fleet' }).click();
    await page.locator(`tr[data-host="${fleetHost}"]`).waitFor();
    await shot('fleet-phone');
    expect(pageErrors).toEqual([]);
  });
});

/**
 * Login attempts per client address in an auth.log, read straight from its lines (an oracle independent
 * of the collector's parser): Failed (not method none, `message repeated N times` → N), Accepted and
 * Invalid user lines; sorted as the receiver sorts (attempts, then failed, descending; then address).
 */
function sourcesOfLog(text: string): Array<{ sourceIp: string; attempts: number; failed: number; accepted: number; invalidUser: number }> {
  const by = new Map<string, { sourceIp: string; attempts: number; failed: number; accepted: number; invalidUser: number }>();
  const add = (ip: string, field: 'failed' | 'accepted' | 'invalidUser', n: number) => {
    let r = by.get(ip);
    if (!r) by.set(ip, (r = { sourceIp: ip, attempts: 0, failed: 0, accepted: 0, invalidUser: 0 }));
    r[field] += n;
    r.attempts += n;
  };
  for (const line of text.split('\n')) {
    if (!/ sshd\[\d+\]: /.test(line)) continue;
    let m = /(?:message repeated (\d+) times: \[ )?Failed (\S+) for (?:invalid user )?\S+ from (\S+) port/.exec(line);
    if (m && m[2] !== 'none') add(m[3], 'failed', Number(m[1] ?? 1));
    else if ((m = /Accepted \S+ for \S+ from (\S+) port/.exec(line))) add(m[1], 'accepted', 1);
    else if ((m = /Invalid user \S* ?from (\S+) port/.exec(line))) add(m[1], 'invalidUser', 1);
  }
  return [...by.values()].sort((a, b) => b.attempts - a.attempts || b.failed - a.failed || (a.sourceIp < b.sourceIp ? -1 : 1));
}

function isoDay(date: string, plus: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);
}

/** Waits until the locator's text matches (Playwright's expect is not in playwright-core). */
async function expectText(loc: ReturnType<Page['locator']>, re: RegExp, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = ((await loc.first().textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim();
    if (re.test(last)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`expected ${re} in ${loc}, last text: ${JSON.stringify(last.slice(0, 300))}`);
}

async function expectAttr(loc: ReturnType<Page['locator']>, name: string, value: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = await loc.first().getAttribute(name, { timeout: 1000 }).catch(() => null);
    if (last === value) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`expected ${name}="${value}" on ${loc}, last: ${JSON.stringify(last)}`);
}

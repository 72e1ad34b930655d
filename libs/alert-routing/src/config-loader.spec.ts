import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRoutingConfig, RoutingConfigError } from './config-loader';
import { routeAlert } from './router';

const good = `
repeatInterval: 4h
defaults:
  capacity: 1000
recipients:
  ops-hook:
    type: webhook
    url: http://127.0.0.1:9/hook
    format: alertmanager
    rateLimit: { max: 5, per: 1s }
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: 2525 }
    from: wk@lab
    to: [ops@lab]
  out:
    type: stdout
pools:
  - name: ligo
    match: { hostGroups: [ligo] }
    severities: [critical]
    recipients: [ops-hook]
    fallback: mail
  - name: listeners
    match: { entityKinds: [listener], labels: { team: ops } }
    recipients: [mail, ops-hook]
    stop: true
  - name: everything
    recipients: [out]
`;

/** 1-based line of the first line containing `needle`. */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function problems(text: string) {
  try {
    parseRoutingConfig(text, 'r.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(RoutingConfigError);
    return (err as RoutingConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('routing config', () => {
  it('resolves defaults and durations', () => {
    const cfg = parseRoutingConfig(good);
    expect(cfg.repeatIntervalMs).toBe(4 * 3_600_000);
    const hook = cfg.recipients.get('ops-hook')!;
    expect(hook.delivery).toMatchObject({ capacity: 1000, perSourceQuota: 100, perTypeQuota: 250, rateLimit: { max: 5, perMs: 1000 } });
  });

  it('names the line and reason of a bad value, an unknown key, an unknown recipient and a YAML error', () => {
    const badUrl = good.replace('url: http://127.0.0.1:9/hook', 'url: not a url');
    expect(problems(badUrl)).toEqual([expect.objectContaining({ line: lineOf(badUrl, 'not a url'), path: 'recipients.ops-hook.url', reason: 'Invalid URL' })]);

    const unknownKey = good.replace('    format: alertmanager', '    formatt: alertmanager');
    const p = problems(unknownKey);
    expect(p[0]).toMatchObject({ line: lineOf(unknownKey, 'formatt') });
    expect(p[0].reason).toContain('formatt');

    const unknownRecipient = good.replace('recipients: [out]', 'recipients: [nobody]');
    const at = lineOf(unknownRecipient, '[nobody]');
    expect(problems(unknownRecipient)).toEqual([expect.objectContaining({ line: at, reason: 'unknown recipient "nobody"' })]);

    const badDuration = good.replace('per: 1s', 'per: soon');
    expect(problems(badDuration)[0]).toMatchObject({ line: lineOf(badDuration, 'soon') });
    expect(problems(badDuration)[0].reason).toContain('not a duration');

    const yamlError = good.replace('    type: stdout', '    type: stdout\n    type: syslog');
    expect(problems(yamlError)[0]).toMatchObject({ line: lineOf(yamlError, 'type: syslog'), reason: expect.stringContaining('unique') });

    expect(() => parseRoutingConfig(unknownRecipient, 'r.yaml')).toThrow(`r.yaml:\n  line ${at}, col 18 (pools.2.recipients.0): unknown recipient "nobody"`);
  });

  it('routes by host group, entity kind and labels, honours severities, stop and fallbacks', () => {
    const cfg = parseRoutingConfig(good);
    const base = { type: 't', entity: { kind: 'host', id: 'h1' }, labels: {}, severity: 'critical' as const };
    expect(routeAlert(cfg, { ...base, labels: { host_group: 'ligo' } })).toEqual([
      { recipient: 'ops-hook', pool: 'ligo', fallback: 'mail' },
      { recipient: 'out', pool: 'everything', fallback: undefined },
    ]);
    expect(routeAlert(cfg, { ...base, severity: 'warning', labels: { host_group: 'ligo' } }).map((t) => t.recipient)).toEqual(['out']);
    expect(routeAlert(cfg, { ...base, entity: { kind: 'listener', id: 'x' }, labels: { team: 'ops' } }).map((t) => t.recipient)).toEqual(['mail', 'ops-hook']);
  });

  it('accepts the example file shipped with the app', () => {
    const file = path.join(__dirname, '../../../apps/alert-dispatcher/config/routing.example.yaml');
    const cfg = parseRoutingConfig(fs.readFileSync(file, 'utf8'), file);
    expect(cfg.recipients.size).toBeGreaterThanOrEqual(5);
  });
});

import { HostSelfCheckReport } from '@watchkeeper/contracts';
import { clockCheck, clockOffset, collectorCheck, diskChecks, heartbeatClientCheck, loadCheck, memoryCheck, systemdCheck, usedPercent } from './checks';
import { buildReport, type Observations } from './doctor';
import { collectorSources, heartbeatClientState } from './probes';
import { parsePromText } from './prom-text';
import { firstRunDelayMs, nextRunDelayMs, defaultSchedule } from './schedule';
import { dataMounts, parseMeminfo } from './system';
import { defaultThresholds as t, levelOf, worstStatus } from './thresholds';

const GiB = 2 ** 30;
const now = Date.parse('2026-12-07T12:00:00Z');

describe('thresholds', () => {
  it('levels a value against warning and critical limits, non-numbers as unknown', () => {
    expect(levelOf(84.9, t.diskPercent)).toBe('ok');
    expect(levelOf(85, t.diskPercent)).toBe('warning');
    expect(levelOf(95, t.diskPercent)).toBe('critical');
    expect(levelOf(NaN, t.diskPercent)).toBe('unknown');
    expect(worstStatus(['ok', 'unknown', 'warning'])).toBe('warning');
    expect(worstStatus(['ok', 'critical', 'warning'])).toBe('critical');
    expect(worstStatus([])).toBe('ok');
  });
});

describe('disk, memory, load', () => {
  it('counts used space as df does (the root reserve counts as full) and checks each mount', () => {
    // 100 GiB, 10 GiB free of which 5 GiB usable: used 90 / (90 + 5) = 94.7 %
    expect(usedPercent({ totalBytes: 100 * GiB, freeBytes: 10 * GiB, availableBytes: 5 * GiB })).toBe(94.7);
    const checks = diskChecks(
      [
        { mount: '/', fsType: 'ext4', totalBytes: 100 * GiB, freeBytes: 50 * GiB, availableBytes: 45 * GiB },
        { mount: '/var', fsType: 'xfs', totalBytes: 100 * GiB, freeBytes: 2 * GiB, availableBytes: 2 * GiB },
      ],
      t,
    );
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['disk:/', 'ok'],
      ['disk:/var', 'critical'],
    ]);
    expect(diskChecks([], t)).toEqual([expect.objectContaining({ status: 'unknown' })]);
  });

  it('memory by MemAvailable, load per CPU over five minutes', () => {
    expect(memoryCheck({ totalBytes: 16 * GiB, availableBytes: 1 * GiB }, t).status).toBe('warning');
    expect(memoryCheck({ totalBytes: 16 * GiB, availableBytes: 8 * GiB }, t).status).toBe('ok');
    expect(loadCheck({ one: 50, five: 9, fifteen: 1, cpus: 4 }, t).status).toBe('warning');
    expect(loadCheck({ one: 0, five: 17, fifteen: 1, cpus: 4 }, t).status).toBe('critical');
  });

  it('reads /proc/meminfo and picks data mounts from /proc/mounts', () => {
    expect(parseMeminfo('MemTotal:       16000 kB\nMemFree:  10 kB\nMemAvailable:    8000 kB\n')).toEqual({ totalBytes: 16000 * 1024, availableBytes: 8000 * 1024 });
    expect(parseMeminfo('MemTotal: 1 kB\n')).toBeUndefined();
    const mounts = [
      '/dev/sda1 / ext4 rw 0 0',
      'proc /proc proc rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      '/dev/sda2 /var\\040log xfs rw 0 0',
      '/dev/sda1 /srv/bind ext4 rw 0 0',
      '/dev/loop3 /snap/core/1 squashfs ro 0 0',
      'nas:/export /mnt/nas nfs4 rw 0 0',
      'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
    ].join('\n');
    expect(dataMounts(mounts)).toEqual([
      { mount: '/', fsType: 'ext4' },
      { mount: '/var log', fsType: 'xfs' },
      { mount: '/mnt/nas', fsType: 'nfs4' },
    ]);
  });
});

describe('clock', () => {
  it("measures the offset against the middle of the round trip and allows half of it", () => {
    // sent at 0, answered at 200: the receiver stamped 1,100 → 1,000 ms off, ± 100
    expect(clockOffset({ sentAt: 0, answeredAt: 200, serverTime: 1100 })).toEqual({ offsetMs: 1000, uncertaintyMs: 100, beyondMs: 900 });
    expect(clockCheck({ sentAt: 0, answeredAt: 200, serverTime: 1100 }, t).status).toBe('ok');
    expect(clockCheck({ sentAt: 0, answeredAt: 200, serverTime: 1200 }, t).status).toBe('warning');
    expect(clockCheck({ sentAt: 0, answeredAt: 200, serverTime: -20_000 }, t)).toMatchObject({ status: 'critical', detail: expect.stringContaining('ahead of') });
    // a slow round trip excuses a large apparent offset
    expect(clockCheck({ sentAt: 0, answeredAt: 20_000, serverTime: 19_000 }, t).status).toBe('ok');
    expect(clockCheck(new Error('ECONNREFUSED'), t).status).toBe('unknown');
  });
});

describe('systemd', () => {
  it('is left out without systemd; failed units take the configured status', () => {
    expect(systemdCheck(null, t)).toBeUndefined();
    expect(systemdCheck([], t)?.status).toBe('ok');
    expect(systemdCheck(['nginx.service', 'backup.timer'], t)).toMatchObject({ status: 'critical', detail: expect.stringContaining('nginx.service') });
    expect(systemdCheck(['nginx.service'], { ...t, failedUnits: 'warning' })?.status).toBe('warning');
  });
});

describe('collector checkpoint', () => {
  const metrics = [
    '# HELP watchkeeper_log_collector_bytes_behind_eof Bytes in the followed file not yet read',
    'watchkeeper_log_collector_bytes_behind_eof{path="/var/log/auth.log"} 5000',
    `watchkeeper_log_collector_checkpoint_time_seconds{path="/var/log/auth.log"} ${(now - 20 * 60_000) / 1000}`,
    'watchkeeper_log_collector_bytes_behind_eof{path="/var/log/secure"} 0',
    'watchkeeper_log_collector_lines_read_total{path="/var/log/secure"} 7',
  ].join('\n');

  it('reads the sources from /metrics', () => {
    expect(collectorSources(metrics)).toEqual([
      { path: '/var/log/auth.log', behindBytes: 5000, checkpointAt: now - 20 * 60_000 },
      { path: '/var/log/secure', behindBytes: 0 },
    ]);
  });

  it('an old checkpoint is a problem only while the file has unread bytes', () => {
    expect(collectorCheck(collectorSources(metrics), now, t)).toMatchObject({ status: 'warning', detail: expect.stringContaining('5000 bytes unread') });
    expect(collectorCheck([{ path: '/a', behindBytes: 0, checkpointAt: now - 86_400_000 }], now, t)?.status).toBe('ok');
    expect(collectorCheck([{ path: '/a', behindBytes: 1, checkpointAt: now - 2 * 3600_000 }], now, t)?.status).toBe('critical');
    expect(collectorCheck(new Error('ECONNREFUSED'), now, t)?.status).toBe('critical');
    expect(collectorCheck(null, now, t)).toBeUndefined();
  });
});

describe('heartbeat client', () => {
  it('reads readiness and the last answer; unreachable is unknown, offline critical, old answers warn', () => {
    const state = heartbeatClientState(true, `watchkeeper_heartbeat_client_last_answer_timestamp_seconds ${(now - 60_000) / 1000}\nwatchkeeper_process_start_time_seconds ${(now - 3600_000) / 1000}\n`);
    expect(state).toEqual({ online: true, lastAnswerAt: now - 60_000, startedAt: now - 3600_000 });
    expect(heartbeatClientCheck(state, now, t)?.status).toBe('ok');
    expect(heartbeatClientCheck({ ...state, lastAnswerAt: now - 30 * 60_000 }, now, t)?.status).toBe('warning');
    expect(heartbeatClientCheck({ online: true, startedAt: now - 2 * 3600_000 }, now, t)?.status).toBe('critical');
    expect(heartbeatClientCheck({ ...state, online: false }, now, t)?.status).toBe('critical');
    expect(heartbeatClientCheck(new Error('ECONNREFUSED'), now, t)?.status).toBe('unknown');
    expect(heartbeatClientState(true, 'watchkeeper_heartbeat_client_last_answer_timestamp_seconds 0\n').lastAnswerAt).toBeUndefined();
  });

  it('parses labels with escapes and skips other metrics', () => {
    expect(parsePromText('a{path="x\\"y",b="2"} 3\nb 4\n', new Set(['a']))).toEqual([{ name: 'a', labels: { path: 'x"y', b: '2' }, value: 3 }]);
  });
});

describe('schedule', () => {
  it('first run 10 minutes after boot (at once on a host up for longer), then daily plus up to 30 minutes', () => {
    expect(firstRunDelayMs(3 * 60_000, defaultSchedule)).toBe(7 * 60_000);
    expect(firstRunDelayMs(3 * 3600_000, defaultSchedule)).toBe(0);
    expect(nextRunDelayMs(defaultSchedule, () => 0)).toBe(86_400_000);
    expect(nextRunDelayMs(defaultSchedule, () => 0.5)).toBe(86_400_000 + 15 * 60_000);
    expect(nextRunDelayMs(defaultSchedule, () => 0.999999)).toBeLessThan(86_400_000 + 30 * 60_000);
  });
});

describe('report', () => {
  const observations: Observations = {
    host: 'web1',
    at: now,
    uptimeMs: 3600_000,
    mounts: [{ mount: '/', fsType: 'ext4', totalBytes: 100 * GiB, freeBytes: 3 * GiB, availableBytes: 2 * GiB }],
    memory: { totalBytes: 8 * GiB, availableBytes: 4 * GiB },
    load: { one: 0.5, five: 0.4, fifteen: 0.3, cpus: 2 },
    clock: { sentAt: now - 10, answeredAt: now + 10, serverTime: now },
    failedUnits: null,
    collector: [{ path: '/var/log/auth.log', behindBytes: 0 }],
    heartbeatClient: null,
  };

  it('has top-level disk, memory, load and checks and follows the contract', () => {
    const r = buildReport(observations, t);
    expect(HostSelfCheckReport.safeParse(r).success).toBe(true);
    expect(r.disk).toEqual([expect.objectContaining({ mount: '/', usedPercent: 98 })]);
    expect(r.memory.usedPercent).toBe(50);
    expect(r.checks.map((c) => `${c.name}=${c.status}`)).toEqual(['disk:/=critical', 'memory=ok', 'load=ok', 'clock=ok', 'collector-checkpoint=ok']);
  });
});

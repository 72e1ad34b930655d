import { loadConfig } from '@watchkeeper/runtime';
import { configSchema, planSources } from './config';

const load = (env: Record<string, string>) => loadConfig(configSchema, env);

describe('source per host', () => {
  it('auto: the named files, else the system auth log, else the journal', () => {
    expect(planSources(load({ LOG_COLLECTOR_FILES: '/x/auth.log' }), () => undefined)).toEqual({ type: 'file', files: ['/x/auth.log'] });
    expect(planSources(load({}), () => '/var/log/secure')).toEqual({ type: 'file', files: ['/var/log/secure'] });
    expect(planSources(load({}), () => undefined)).toEqual({ type: 'journald' });
  });

  it('an explicit type wins', () => {
    expect(planSources(load({ LOG_COLLECTOR_SOURCE: 'journald', LOG_COLLECTOR_FILES: '/x/auth.log' }), () => '/var/log/auth.log')).toEqual({ type: 'journald' });
    expect(planSources(load({ LOG_COLLECTOR_SOURCE: 'file' }), () => undefined)).toEqual({ type: 'file', files: ['/var/log/auth.log'] });
  });

  it('journald options: identifiers default to sshd, sshd-session and sshd-auth; bad values are refused', () => {
    expect(load({}).LOG_COLLECTOR_JOURNAL_IDENTIFIERS).toEqual(['sshd', 'sshd-session', 'sshd-auth']);
    expect(load({ LOG_COLLECTOR_JOURNAL_FILES: '/a.journal, /b.journal' }).LOG_COLLECTOR_JOURNAL_FILES).toEqual(['/a.journal', '/b.journal']);
    expect(() => load({ LOG_COLLECTOR_JOURNAL_IDENTIFIERS: 'sshd,a=b' })).toThrow();
    expect(() => load({ LOG_COLLECTOR_JOURNAL_DIRECTORY: 'relative' })).toThrow();
  });
});

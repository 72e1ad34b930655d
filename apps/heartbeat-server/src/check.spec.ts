import { parseCheckArgs, runCheck } from './check';
import { configSchema, expectedByNode } from './config';
import { loadConfig } from '@watchkeeper/runtime';

describe('check arguments and config', () => {
  it('parses the plugin options and rejects bad ones', () => {
    expect(parseCheckArgs(['--node', 'hb', '--listener', 'a@h', '-w', '1.5', '-c', '3', '--once'])).toMatchObject({ node: 'hb', listener: 'a@h', warnRttS: 1.5, critRttS: 3, once: true });
    expect(() => parseCheckArgs(['-w', '5', '-c', '2'])).toThrow(/-w must not exceed -c/);
    expect(() => parseCheckArgs(['--bogus'])).toThrow(/unknown option/);
  });

  it('a usage error is UNKNOWN (exit 3) with one status line', async () => {
    const out: string[] = [];
    expect(await runCheck(['-w'], (s) => out.push(s))).toBe(3);
    expect(out).toEqual(['HEARTBEAT UNKNOWN - -w needs a positive number of seconds']);
  });

  it('expected listeners per node; timeout must be shorter than the interval', () => {
    expect(expectedByNode(['a', 'b'], ['x@h', 'b:y@h'])).toEqual({ a: ['x@h'], b: ['y@h'] });
    expect(() => loadConfig(configSchema, { HEARTBEAT_INTERVAL_MS: '1000', HEARTBEAT_TIMEOUT_MS: '1000' })).toThrow(/HEARTBEAT_TIMEOUT_MS must be shorter/);
  });
});

import { ConfigError, loadConfig } from '@watchkeeper/runtime';
import { configSchema } from './config';

describe('receiver config', () => {
  const admin = { WATCHKEEPER_ADMIN_TOKEN: 'a'.repeat(20) };

  it('has the documented defaults', () => {
    const c = loadConfig(configSchema, admin);
    expect(c).toMatchObject({ RECEIVER_PORT: 8080, SSH_STATS_TZ: 'UTC', RECEIVER_ALLOWED_COMMITS: [], FLEET_CHECK_INTERVAL_MS: 300_000, FLEET_SILENT_AFTER_MS: 1_800_000 });
  });

  it('parses the commit allow-list and names each bad variable', () => {
    expect(loadConfig(configSchema, { ...admin, RECEIVER_ALLOWED_COMMITS: `${'a'.repeat(40)}, ${'b'.repeat(40)}` }).RECEIVER_ALLOWED_COMMITS).toEqual(['a'.repeat(40), 'b'.repeat(40)]);
    try {
      loadConfig(configSchema, { RECEIVER_ALLOWED_COMMITS: 'abc', SSH_STATS_TZ: 'Mars/Olympus', RECEIVER_PORT: 'x' });
      throw new Error('should fail');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      for (const v of ['WATCHKEEPER_ADMIN_TOKEN', 'RECEIVER_ALLOWED_COMMITS', 'SSH_STATS_TZ', 'RECEIVER_PORT']) expect((err as Error).message).toContain(v);
    }
  });
});

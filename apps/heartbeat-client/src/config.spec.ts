import { ConfigError, loadConfig } from '@watchkeeper/runtime';
import { configSchema } from './config';

describe('heartbeat-client config', () => {
  it('has defaults for everything but credentials, and parses node lists', () => {
    const c = loadConfig(configSchema, { HEARTBEAT_NODES: 'a, b', HEARTBEAT_CLIENT_NAME: 'gracedb' });
    expect(c).toMatchObject({ HEARTBEAT_NODES: ['a', 'b'], HEARTBEAT_CLIENT_NAME: 'gracedb', HEARTBEAT_CLIENT_PORT: 8084, XMPP_SERVICE: 'xmpp://127.0.0.1:5222', XMPP_RECONNECT_MAX_MS: 10000 });
  });

  it('names a bad variable', () => {
    expect(() => loadConfig(configSchema, { HEARTBEAT_CLIENT_NAME: 'has space', XMPP_SERVICE: 'http://x' })).toThrow(ConfigError);
    expect(() => loadConfig(configSchema, { XMPP_SERVICE: 'http://x' })).toThrow(/XMPP_SERVICE/);
  });
});

import { createLogger } from '@watchkeeper/runtime';
import type { XmppCredentials } from '../credentials';

/** The shared test Prosody as tools/infra/stack.sh describes it in .run/env (defaults match it). */
export const testXmpp = {
  service: process.env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222',
  domain: process.env.XMPP_DOMAIN ?? 'localhost',
  pubsub: process.env.XMPP_PUBSUB_SERVICE ?? `pubsub.${process.env.XMPP_DOMAIN ?? 'localhost'}`,
  password: process.env.XMPP_TEST_PASSWORD ?? 'watchkeeper-dev',
};

export function testCredentials(username: string, resource?: string): XmppCredentials {
  return { service: testXmpp.service, domain: testXmpp.domain, username, password: testXmpp.password, resource };
}

export const quietLogger = () => createLogger({ service: 'xmpp-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

import { resolveXmppCredentials } from '@watchkeeper/xmpp';
import type { Config } from './config';

/**
 * The server's own XMPP account (env, else ~/.netrc). Its own file so the `check` subcommand can use it
 * without loading the service's graph (express, kafkajs, mongoose).
 */
export function xmppCredentials(config: Config | Pick<Config, 'XMPP_SERVICE' | 'XMPP_DOMAIN' | 'XMPP_USERNAME' | 'XMPP_PASSWORD' | 'XMPP_RESOURCE' | 'NETRC'>, resource?: string) {
  return resolveXmppCredentials({
    service: config.XMPP_SERVICE,
    domain: config.XMPP_DOMAIN,
    username: config.XMPP_USERNAME,
    password: config.XMPP_PASSWORD,
    resource: resource ?? config.XMPP_RESOURCE,
    netrcPath: config.NETRC,
  });
}

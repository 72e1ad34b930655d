import { defaultNetrcPath, netrcLookup } from './netrc';

export interface XmppCredentials {
  /** xmpp://host:port (plain TCP, STARTTLS when offered) or xmpps://host:port. */
  service: string;
  /** The XMPP domain (the part after @). */
  domain: string;
  username: string;
  password: string;
  resource?: string;
}

export class CredentialsError extends Error {
  override name = 'CredentialsError';
}

/**
 * Credentials as LVAlert takes them: explicit values (from the service's env config) win; otherwise
 * the `~/.netrc` (or $NETRC) entry whose machine is the XMPP domain or the service host. Each account
 * has its own entry: the server's password never has to be on a listener's machine.
 */
export function resolveXmppCredentials(opts: {
  service: string;
  domain?: string;
  username?: string;
  password?: string;
  resource?: string;
  netrcPath?: string;
}): XmppCredentials {
  const url = parseService(opts.service);
  const domain = opts.domain ?? url.hostname;
  let { username, password } = opts;
  if (!username || !password) {
    const path = opts.netrcPath ?? defaultNetrcPath();
    const entry = netrcLookup(domain, path) ?? netrcLookup(url.hostname, path);
    if (entry && (!username || entry.login === username)) {
      username ??= entry.login;
      password ??= entry.password;
    }
    if (!username || !password) {
      throw new CredentialsError(
        `no XMPP credentials for ${domain}: set XMPP_USERNAME and XMPP_PASSWORD, or add "machine ${domain} login USER password PASS" to ${path}`,
      );
    }
  }
  return { service: opts.service, domain, username: username.replace(/@.*$/, ''), password, resource: opts.resource };
}

function parseService(service: string): URL {
  let url: URL;
  try {
    url = new URL(service);
  } catch {
    throw new CredentialsError(`XMPP service "${service}" is not a URL like xmpp://host:5222`);
  }
  if (url.protocol !== 'xmpp:' && url.protocol !== 'xmpps:') throw new CredentialsError(`XMPP service "${service}" must start with xmpp:// or xmpps://`);
  return url;
}

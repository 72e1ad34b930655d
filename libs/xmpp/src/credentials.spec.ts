import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError, parseNetrc, resolveXmppCredentials } from './index';

describe('credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wk-netrc-unit-'));
  const netrc = join(dir, 'netrc');
  writeFileSync(netrc, '# lvalert\nmachine lvalert.example.org login alice password s3cret\n\ndefault login anon password anonpw\n');

  it('parses machine, default and macdef entries', () => {
    expect(parseNetrc('machine a login u password p\nmacdef init\ncd /\n\nmachine b login v password q')).toEqual([
      { machine: 'a', login: 'u', password: 'p' },
      { machine: 'b', login: 'v', password: 'q' },
    ]);
  });

  it('environment values win; otherwise the netrc entry for the domain', () => {
    expect(resolveXmppCredentials({ service: 'xmpp://10.0.0.1:5222', domain: 'lvalert.example.org', netrcPath: netrc })).toMatchObject({ username: 'alice', password: 's3cret' });
    expect(resolveXmppCredentials({ service: 'xmpp://lvalert.example.org', username: 'bob@lvalert.example.org', password: 'pw', netrcPath: netrc })).toMatchObject({
      username: 'bob',
      password: 'pw',
      domain: 'lvalert.example.org',
    });
    expect(resolveXmppCredentials({ service: 'xmpp://elsewhere:5222', netrcPath: netrc })).toMatchObject({ username: 'anon' });
  });

  it('names what to set when nothing is found, and rejects a bad service URL', () => {
    expect(() => resolveXmppCredentials({ service: 'xmpp://x:5222', netrcPath: join(dir, 'absent') })).toThrow(/XMPP_USERNAME and XMPP_PASSWORD.*machine x/);
    expect(() => resolveXmppCredentials({ service: 'localhost:5222', username: 'a', password: 'b' })).toThrow(CredentialsError);
  });
});

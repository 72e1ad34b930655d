import { IgnoreList } from './ignore-list';

describe('IgnoreList (fail2ban ignoreip)', () => {
  const list = new IgnoreList('127.0.0.1/8, ::1 192.0.2.7\n2001:db8:aa::/48,10.0.0.0/8');

  it('matches single addresses and CIDR blocks, IPv4 and IPv6', () => {
    for (const a of ['127.0.0.1', '127.255.1.2', '::1', '192.0.2.7', '2001:db8:aa::5', '2001:db8:aa:ffff::1', '10.200.3.4', '::ffff:10.1.1.1']) expect({ a, hit: list.has(a) }).toEqual({ a, hit: true });
  });

  it('does not match neighbours, other families or host names', () => {
    for (const a of ['192.0.2.8', '128.0.0.1', '::2', '2001:db8:ab::1', '11.0.0.1', 'bad.example.org', '']) expect({ a, hit: list.has(a) }).toEqual({ a, hit: false });
  });

  it('refuses entries that are neither an address nor a block', () => {
    for (const spec of ['example.org', '10.0.0.0/33', '::/129', '10.0.0.1/8/1', '1.2.3', '10.0.0.0/x']) expect(() => new IgnoreList(spec)).toThrow(/ignore list entry/);
    expect(new IgnoreList('').entries).toEqual([]);
  });
});

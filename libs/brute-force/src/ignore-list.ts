import { BlockList, isIP } from 'node:net';

/**
 * fail2ban's `ignoreip`: addresses and CIDR blocks, IPv4 and IPv6, whose attempts never count.
 * Written as one string, entries separated by commas or white space, e.g. "127.0.0.1/8 ::1 10.1.2.3".
 * An IPv4-mapped IPv6 address is matched as the IPv4 address it carries.
 */
export class IgnoreList {
  private readonly list = new BlockList();
  readonly entries: string[];

  constructor(spec: string) {
    this.entries = spec.split(/[\s,]+/).filter(Boolean);
    for (const entry of this.entries) {
      const problem = IgnoreList.problem(entry);
      if (problem) throw new Error(problem);
      const [addr, bits] = entry.split('/');
      const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(addr, type);
      else this.list.addSubnet(addr, Number(bits), type);
    }
  }

  /** Why an entry is not an address or CIDR block; undefined when it is one. */
  static problem(entry: string): string | undefined {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr);
    if (!family || extra !== undefined) return `ignore list entry "${entry}" is not an IP address or CIDR block`;
    if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128))) return `ignore list entry "${entry}" has a bad prefix length`;
    return undefined;
  }

  /** True for an address on the list; false for anything else, host names included. */
  has(address: string): boolean {
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
    const a = mapped ? mapped[1] : address;
    const family = isIP(a);
    if (!family) return false;
    return this.list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/**
 * A client address as sshd writes it: IPv4, IPv6 (optionally with a %zone), an IPv4-mapped IPv6
 * address, or a host name (UseDNS yes). Written as a regex source so message patterns can embed it.
 * IPv6 is tried first and greedily, so "2001:db8::1: 3: text" yields "2001:db8::1", not "2001"; a bare
 * number is never a host name, so "… 192.0.2.20 port 1558" cannot end on the port.
 */
export const ADDRESS =
  '((?:[0-9A-Fa-f]{0,4}:){2,7}(?:\\d{1,3}(?:\\.\\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?:%[\\w.-]+)?|(?!\\d+(?![\\w.-]))[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?)';

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** One spelling per address: zone dropped, IPv4-mapped IPv6 as plain IPv4, IPv6 in lower case. */
export function normalizeAddress(raw: string): string {
  let a = raw;
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone > 0 && a.includes(':')) a = a.slice(0, zone);
  const mapped = MAPPED_V4.exec(a);
  if (mapped) return mapped[1];
  return a.includes(':') ? a.toLowerCase() : a;
}

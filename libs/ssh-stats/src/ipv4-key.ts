/**
 * A dotted-quad IPv4 address in its one canonical spelling (four groups 0–255, no leading zeros) as a
 * 32-bit integer, or undefined for any other text. Canonical spellings and integers correspond one to
 * one, so a set of these integers counts the same distinct addresses as the set of their texts — at a
 * fraction of the cost (no string to hash). Other spellings ("01.2.3.4", IPv6, names) stay text.
 */
export function ipv4Key(text: string): number | undefined {
  const n = text.length;
  if (n < 7 || n > 15) return undefined;
  // Only ASCII can spell one: copy it into a scratch buffer and let the byte scanner decide.
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return undefined;
    scratch[i] = c;
  }
  return ipv4KeyOfBytes(scratch, 0, n);
}

const scratch = new Uint8Array(15);

/** ipv4Key of the ASCII bytes [start, end) of a buffer (no string made). */
export function ipv4KeyOfBytes(b: Uint8Array, start: number, end: number): number | undefined {
  const n = end - start;
  if (n < 7 || n > 15) return undefined;
  let key = 0;
  let group = 0;
  let digits = 0;
  let groups = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? b[i] : 46;
    if (c === 46) {
      if (digits === 0 || group > 255 || (digits > 1 && b[i - digits] === 48)) return undefined;
      key = key * 256 + group;
      groups++;
      group = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      group = group * 10 + c - 48;
    } else return undefined;
  }
  return groups === 4 ? key | 0 : undefined;
}

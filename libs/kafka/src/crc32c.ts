/**
 * CRC32C (Castagnoli), slice-by-8: eight bytes per step through eight 256-entry tables, where
 * kafkajs' crc32C walks one byte per step. Same checksum (crc32c.spec.ts compares with kafkajs' own
 * on random and edge buffers); a produce request's record batch is checksummed whole, so this is
 * on the hot path of every batch.
 */
const TABLES = makeTables();

function makeTables(): Int32Array[] {
  const t0 = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t0[n] = c;
  }
  const tables = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1];
    const t = new Int32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (prev[n] >>> 8) ^ t0[prev[n] & 0xff];
    tables.push(t);
  }
  return tables;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The unsigned CRC32C of bytes [start, end) of `buf`. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let crc = -1;
  let i = start;
  // Bytes one at a time up to a 4-byte boundary, then two 32-bit words per step (one load each
  // instead of four byte loads; little-endian, as x86 and ARM run it), then the tail.
  if (LITTLE_ENDIAN && end - start >= 64) {
    while ((buf.byteOffset + i) & 3) crc = t0[(crc ^ buf[i++]) & 0xff] ^ (crc >>> 8);
    const words = new Int32Array(buf.buffer, buf.byteOffset + i, (end - i) >>> 2);
    const pairs = words.length & ~1;
    for (let w = 0; w < pairs; w += 2) {
      const a = crc ^ words[w];
      const b = words[w + 1];
      crc = t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^ t3[b & 0xff] ^ t2[(b >>> 8) & 0xff] ^ t1[(b >>> 16) & 0xff] ^ t0[b >>> 24];
    }
    i += pairs * 4;
  }
  const last8 = end - 8;
  while (i <= last8) {
    const a = crc ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    crc =
      t7[a & 0xff] ^
      t6[(a >>> 8) & 0xff] ^
      t5[(a >>> 16) & 0xff] ^
      t4[a >>> 24] ^
      t3[buf[i + 4]] ^
      t2[buf[i + 5]] ^
      t1[buf[i + 6]] ^
      t0[buf[i + 7]];
    i += 8;
  }
  while (i < end) crc = t0[(crc ^ buf[i++]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

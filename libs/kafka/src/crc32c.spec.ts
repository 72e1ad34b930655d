import * as path from 'node:path';
import { crc32c } from './crc32c';

// kafkajs' own implementation (byte at a time), the reference.
const kafkajsCrc32C = require(path.join(path.dirname(require.resolve('kafkajs')), 'src/protocol/recordBatch/crc32C')) as (b: Buffer) => number;

describe('crc32c (slice-by-8)', () => {
  it('equals kafkajs crc32C on edge and random buffers of every length up to 70 bytes and some large ones', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    const bufs: Buffer[] = [Buffer.alloc(0), Buffer.from('123456789'), Buffer.alloc(64, 0xff), Buffer.alloc(33, 0)];
    for (let n = 0; n <= 70; n++) bufs.push(Buffer.from(Array.from({ length: n }, rand)));
    for (const n of [1000, 4099, 262_147]) bufs.push(Buffer.from(Array.from({ length: n }, rand)));
    for (const b of bufs) expect([b.length, crc32c(b)]).toEqual([b.length, kafkajsCrc32C(b)]);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
  });

  it('checksums ranges at every alignment, in buffers at any offset of their memory', () => {
    const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff));
    for (let shift = 0; shift < 4; shift++) {
      const view = big.subarray(shift); // byteOffset 0..3 within its ArrayBuffer
      for (const [s, e] of [[0, view.length], [1, 300], [3, 64], [5, 69], [7, 2000], [2, 67]]) {
        expect([shift, s, e, crc32c(view, s, e)]).toEqual([shift, s, e, kafkajsCrc32C(Buffer.from(view.subarray(s, e)))]);
      }
    }
  });

  it('checksums a range of a buffer', () => {
    const b = Buffer.from('xx123456789yy');
    expect(crc32c(b, 2, 11)).toBe(0xe3069283);
  });
});

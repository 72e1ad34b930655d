// Minimal MongoDB wire-protocol probe, no dependencies: sends OP_MSG {ping: 1, $db: "admin"}
// and exits 0 when the server answers with ok: 1 within 3 s. Used by tools/infra/mongo.sh.
// ping, not hello: FerretDB answers hello without touching its storage, but ping reads the backend
// status, so a FerretDB whose SQLite metadata registry is deadlocked (seen with 1.24 under many
// concurrent createIndexes/upserts) fails this probe instead of passing it.
// Usage: node mongo-ping.cjs HOST PORT
'use strict';
const net = require('net');

const [host = '127.0.0.1', port = '27017'] = process.argv.slice(2);

function cstr(s) {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}
function bsonHello() {
  const hello = Buffer.concat([Buffer.from([0x10]), cstr('ping'), int32(1)]);
  const dbv = cstr('admin');
  const db = Buffer.concat([Buffer.from([0x02]), cstr('$db'), int32(dbv.length), dbv]);
  const body = Buffer.concat([hello, db, Buffer.from([0])]);
  return Buffer.concat([int32(body.length + 4), body]);
}
function int32(n) {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}
// Reads the top-level "ok" field of a BSON document (returns undefined if absent).
function readOk(doc) {
  let i = 4;
  const end = doc.readInt32LE(0) - 1;
  while (i < end) {
    const type = doc[i++];
    const z = doc.indexOf(0, i);
    const name = doc.toString('utf8', i, z);
    i = z + 1;
    let val;
    switch (type) {
      case 0x01: val = doc.readDoubleLE(i); i += 8; break;
      case 0x02: case 0x0d: case 0x0e: i += 4 + doc.readInt32LE(i); break;
      case 0x03: case 0x04: case 0x05: {
        const len = doc.readInt32LE(i);
        i += type === 0x05 ? 5 + len : len;
        break;
      }
      case 0x07: i += 12; break;
      case 0x08: val = doc[i] === 1; i += 1; break;
      case 0x09: case 0x11: case 0x12: i += 8; break;
      case 0x0a: case 0x06: case 0xff: case 0x7f: break;
      case 0x10: val = doc.readInt32LE(i); i += 4; break;
      case 0x13: i += 16; break;
      default: return undefined;
    }
    if (name === 'ok') return Number(val);
  }
  return undefined;
}

const doc = bsonHello();
const msg = Buffer.concat([int32(16 + 4 + 1 + doc.length), int32(1), int32(0), int32(2013), int32(0), Buffer.from([0]), doc]);
const sock = net.connect(Number(port), host);
const timer = setTimeout(() => fail('timeout'), 3000);
let buf = Buffer.alloc(0);
function fail(why) {
  clearTimeout(timer);
  sock.destroy();
  process.stderr.write(`mongo-ping: ${why}\n`);
  process.exit(1);
}
sock.on('connect', () => sock.write(msg));
sock.on('error', (e) => fail(e.message));
sock.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  if (buf.length < 4 || buf.length < buf.readInt32LE(0)) return;
  clearTimeout(timer);
  if (buf.readInt32LE(12) !== 2013) fail('unexpected opcode ' + buf.readInt32LE(12));
  const ok = readOk(buf.subarray(21));
  if (ok !== 1) fail('ping answered without ok:1');
  // close politely (FIN, not RST) so the server does not log a reset
  sock.end();
  sock.on('close', () => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});

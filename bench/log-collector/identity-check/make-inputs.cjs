const fs = require('fs');
const zlib = require('zlib');
// Inputs for the count/parse identity check (see snapshot.sh): synthetic logs across DST and a year end,
// and a mixed file of the shared sshd corpora under several header styles plus edge lines.
// Usage: node make-inputs.cjs [dir] (default /tmp/lc-identity/in)
const path = require('path');
const ROOT = path.resolve(__dirname, '../../..');
const { SyntheticAuthLog } = require(path.join(ROOT, 'libs/sshd-parser/dist'));
const out = (process.argv[2] ?? '/tmp/lc-identity/in') + '/';
fs.mkdirSync(out, { recursive: true });
const w = (n, lines) => fs.writeFileSync(out + n, lines.join('\n') + '\n');
w('rfc-dst.log', new SyntheticAuthLog({ seed: 3, start: Date.parse('2024-03-30T20:00:00Z'), stamps: 'rfc3339', meanGapSeconds: 0.5 }).lines(200000));
const wall = new SyntheticAuthLog({ seed: 4, start: Date.parse('2024-10-26T20:00:00Z'), stamps: 'rfc3339', meanGapSeconds: 0.5 }).lines(200000).map(l => l.replace('+00:00', ''));
w('wall-dst.log', wall);
w('frac.log', new SyntheticAuthLog({ seed: 6, start: Date.parse('2024-06-30T20:00:00Z'), stamps: 'rfc3339', meanGapSeconds: 0.3 }).lines(50000).map((l, i) => i % 3 === 0 ? l.replace(/\.(\d+)\+00:00/, 'Z') : i % 3 === 1 ? l.replace(/\.(\d{3})\d+\+00:00/, '.$1-05:30') : l));
w('yearend.log', new SyntheticAuthLog({ seed: 7, start: Date.parse('2023-12-31T20:00:00Z'), meanGapSeconds: 0.5 }).lines(100000));
// mixed corpus: shared data, sample, edge lines, CRLF, bad bytes, long lines
const sh = path.join(ROOT, '../shared/data/sshd/');
let parts = [];
for (const f of ['fail2ban-sshd.log', 'fail2ban-sshd-journal.log']) if (fs.existsSync(sh + f)) parts.push(fs.readFileSync(sh + f));
if (fs.existsSync(sh + 'sshguard-ssh-cases.txt')) {
  const ls = fs.readFileSync(sh + 'sshguard-ssh-cases.txt', 'utf8').split('\n');
  parts.push(Buffer.from(ls.map((l, i) => `Mar  3 00:17:${String(i % 60).padStart(2, '0')} gw sshd[${1000 + (i >> 2)}]: ${l}`).join('\n') + '\n'));
  parts.push(Buffer.from(ls.map((l, i) => `<38>1 2024-03-03T00:17:${String(i % 60).padStart(2, '0')}.5+01:00 gw sshd ${2000 + (i >> 2)} - - ${l}`).join('\n') + '\n'));
  parts.push(Buffer.from(ls.map((l, i) => `<38>Mar  3 00:17:${String(i % 60).padStart(2, '0')} gw sshd-auth[${3000 + (i >> 2)}]: ${l}`).join('\r\n') + '\r\n'));
  parts.push(Buffer.from(ls.map((l, i) => `2024-03-03T00:17:${String(i % 60).padStart(2, '0')}.123456789+02:00 gw /usr/sbin/sshd[${4000 + (i >> 2)}]: message repeated 3 times: [ ${l}]`).join('\n') + '\n'));
}
parts.push(fs.readFileSync(path.join(ROOT, 'tools/samples/auth.log')));
const edge = [
  'Mar 3 00:17:22 sshd[1]: Accepted password for x from 1.2.3.4 port 22 ssh2',
  'Mar  3 00:17:22 [sshd]: Failed password for root from 1.2.3.4 port 22 ssh2',
  'Mar  3 00:17:22 host [sshd] Failed password for root from 1.2.3.4 port 22 ssh2',
  'Mar  3 00:17:22 h\u00e9st sshd[5]: Invalid user \u00fc\u00df from ::ffff:10.1.1.1 port 7',
  'Mar  3 00:17:22.123 host sshd[5]: Invalid user a b from fe80::1%eth0 port 7',
  'Mar  3 00:17:22 host sshd[5]: something sshd unknown',
  'garbage sshd[5]: stuff',
  'garbage sshd stuff',
  'Mar  3 00:17:22 host sshdx[5]: Failed password for root from 1.2.3.4 port 22 ssh2',
  'Mar  3 00:17:22 host sshd-session[5]:',
  'Mar  3 00:17:22 host sshd-session[5]: ',
  'Mar  3 00:17:22 host sshd[5a]: Failed password for root from 1.2.3.4 port 22 ssh2',
  'Mar 33 00:17:22 host sshd[5]: Failed password for root from 1.2.3.4 port 22 ssh2',
  'Mar  3 0:17:22 host sshd[5]: Failed password for root from 1.2.3.4 port 22 ssh2',
  'Dec 31 23:59:59 host sshd[6]: Accepted publickey for a from 1.2.3.4 port 1 ssh2',
  'Jan  1 00:00:00 host sshd[6]: Disconnected from user a 1.2.3.4 port 1',
  'Jan  1 00:00:00 host sshd[6]: [ID 800047 auth.info] Failed password for x from 1.2.3.5 port 1 ssh2',
  'Jan  1 00:00:00 host sshd[6]: kernel:[ 970.6]: Failed password for y from 1.2.3.6 port 1 ssh2',
  'Jan  1 00:00:00 host sshd[6]: Failed none for invalid user z from 1.2.3.6 port 1 ssh2',
  'Jan  1 00:00:00 host sshd[6]: message repeated 2 times: [ Failed password for z from 1.2.3.6 port 1 ssh2]',
  'Jan  1 00:00:00 host sshd[6]: message repeated 2 times: [ Server listening on 0.0.0.0 port 22.]',
  'Jan  1 00:00:00 host sshd[0]: Invalid user q from 9.9.9.9',
  'Jan  1 00:00:00 host sshd[4294967296]: Invalid user q from 9.9.9.9',
  'Jan  1 00:00:00 host sshd[6]:   Invalid user q from 9.9.9.9   ',
  'Jan  1 00:00:00 a:b:c sshd[6]: Invalid user q from 9.9.9.9',
  'Jan  1 00:00:00 -- sshd[6]: Invalid user q from 9.9.9.9',
  'Jan  1 00:00:00 host sshd[6]: Invalid user q from 9.9.9.9 port 22 [preauth]',
  'Jan  1 00:00:00 host sshd[6]: Invalid user q from 9.9.9.9 port 22 [net]',
  '2024-01-01T00:00:00 host sshd[7]: Invalid user q from 9.9.9.9',
  '2024-01-01T00:00:00.1Z host sshd[7]: Invalid user q from 9.9.9.9',
  '2024-01-01T00:00:00+0530 host sshd[7]: Invalid user q from 9.9.9.9',
  '2024-01-01T00:00:00.999999999-12:00 host sshd[7]: Invalid user q from 9.9.9.9',
  '2024-13-01T00:00:00Z host sshd[7]: Invalid user q from 9.9.9.9',
  '2024-02-30T25:61:61Z host sshd[7]: Invalid user q from 9.9.9.9',
  'Feb 29 12:00:00 host sshd[8]: Invalid user q from 9.9.9.9',
  'Mar  1 12:00:00 host sshd[8]: Invalid user q from 9.9.9.9',
  'Mar  1 12:00:00  host  sshd[8]: Invalid user q from 9.9.9.9',
  'Mar  1 12:00:00 host sshd[8]:Invalid user q from 9.9.9.9',
  'Mar  1 12:00:00 host sshd:  Invalid user q from 9.9.9.9',
  'Mar  1 12:00:00 host sshd: Invalid user q from 9.9.9.9',
  'Mar  1 12:00:00 host sshd-auth[9]: Failed publickey for r from 9.9.9.8 port 2 ssh2: RSA SHA256:x',
  'Mar  1 12:00:00 host sshd-auth[9]: Accepted keyboard-interactive/pam for r from 9.9.9.8 port 2 ssh2',
  'Mar  1 12:00:00 host sshd-auth[9]: Disconnecting: Too many authentication failures for r [preauth]',
  'Mar  1 12:00:00 host sshd-auth[9]: Disconnecting: Too many authentication failures',
];
parts.push(Buffer.from(edge.join('\n') + '\n'));
parts.push(Buffer.concat([Buffer.from('Mar  1 12:00:01 host sshd[9]: Invalid user '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' from 9.9.9.7 port 3\n')]));
parts.push(Buffer.from('Mar  1 12:00:02 host sshd[9]: Invalid user ' + 'x'.repeat(70000) + ' from 9.9.9.7 port 3\n'));
parts.push(Buffer.from('Mar  1 12:00:02 host sshd[9]: Invalid user ' + 'y'.repeat(10000) + ' from 9.9.9.7 port 3\n'));
parts.push(Buffer.from('Mar  1 12:00:03 host sshd[9]: Invalid user lastline from 9.9.9.7 port 3'));
const mixed = Buffer.concat(parts);
fs.writeFileSync(out + 'mixed.log', mixed);
fs.writeFileSync(out + 'mixed.log.gz', zlib.gzipSync(mixed));
fs.copyFileSync(path.join(ROOT, 'tools/samples/auth.log'), out + 'sample.log');

import { createServer, type AddressInfo } from 'node:net';

/** A TCP port free on `host` right now (the OS picks it): for private test servers and benchmarks. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

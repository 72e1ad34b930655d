/** The body is larger than the cap (found from Content-Length or while streaming). */
export class TooLarge extends Error {
  override name = 'TooLarge';
  constructor(readonly maxBytes: number) {
    super(`the body exceeds the limit of ${maxBytes} bytes`);
  }
}

/** The body's SHA-256 is not the one the client announced; nothing was kept. */
export class ShaMismatch extends Error {
  override name = 'ShaMismatch';
  constructor(readonly expected: string, readonly actual: string) {
    super(`body SHA-256 is ${actual}, X-Content-SHA256 said ${expected}`);
  }
}

/** The name is taken by content with another hash. */
export class NameConflict extends Error {
  override name = 'NameConflict';
  constructor(readonly existingSha256: string) {
    super(`this name is already stored with SHA-256 ${existingSha256}`);
  }
}

import { EventEmitter } from 'node:events';
import { backoffDelay, type Logger } from '@watchkeeper/runtime';
import type { XmppCredentials } from './credentials';
import { createRawClient, xml, type RawClient, type XmlElement } from './xml';

export interface XmppSessionOptions {
  credentials: XmppCredentials;
  logger: Logger;
  /** Reconnect backoff (exponential, full jitter). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** XEP-0199 ping to the server this often, to find a half-open socket; 0 disables. */
  keepaliveMs?: number;
  keepaliveTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Send initial presence when online (needed only to receive messages sent to the bare JID). */
  presence?: boolean;
}

export interface XmppSessionEvents {
  online: [jid: string];
  offline: [reason: string];
  stanza: [stanza: XmlElement];
}

/**
 * One long-lived XMPP session: logs in once (SCRAM-SHA-1 preferred by @xmpp/client), and when the
 * connection is lost it reconnects with capped exponential backoff, with a fresh client each time.
 * Stanzas arrive through the `stanza` event; `online`/`offline` tell when sending is possible.
 */
export class XmppSession extends EventEmitter<XmppSessionEvents> {
  private client: RawClient | null = null;
  private currentJid: string | null = null;
  private stopped = true;
  private loopDone: Promise<void> = Promise.resolve();
  private abort = new AbortController();
  private wake: (() => void) | null = null;
  connects = 0;

  constructor(private readonly opts: XmppSessionOptions) {
    super();
  }

  get jid(): string | null {
    return this.currentJid;
  }

  get bareJid(): string {
    return `${this.opts.credentials.username}@${this.opts.credentials.domain}`;
  }

  get isOnline(): boolean {
    return this.currentJid !== null;
  }

  get domain(): string {
    return this.opts.credentials.domain;
  }

  /** Starts connecting in the background; `waitOnline` resolves when the session is up. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.abort = new AbortController();
    this.loopDone = this.loop();
  }

  async waitOnline(timeoutMs = 15_000): Promise<string> {
    if (this.currentJid) return this.currentJid;
    return new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('online', onOnline);
        reject(new Error(`XMPP session ${this.bareJid} not online after ${timeoutMs} ms`));
      }, timeoutMs);
      const onOnline = (jid: string) => {
        clearTimeout(t);
        resolve(jid);
      };
      this.once('online', onOnline);
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
    await this.loopDone;
  }

  async send(el: XmlElement): Promise<void> {
    const c = this.client;
    if (!c || !this.currentJid) throw new Error('XMPP session is offline');
    await c.send(el);
  }

  /** An IQ request; rejects with the stanza error (or a timeout). */
  async iq(el: XmlElement, timeoutMs = 10_000): Promise<XmlElement> {
    const c = this.client;
    if (!c || !this.currentJid) throw new Error('XMPP session is offline');
    return c.iqCaller.request(el, timeoutMs);
  }

  /** A direct message (type headline: never stored offline, so a late one is never replayed). */
  async sendMessage(to: string, ...payload: XmlElement[]): Promise<void> {
    await this.send(xml('message', { to, type: 'headline' }, ...payload));
  }

  private async loop(): Promise<void> {
    const { logger, credentials } = this.opts;
    let attempt = 0;
    while (!this.stopped) {
      const c = createRawClient({
        service: credentials.service,
        domain: credentials.domain,
        username: credentials.username,
        password: credentials.password,
        resource: credentials.resource,
      });
      c.reconnect.stop(); // our own loop reconnects, with backoff and a fresh client
      let lostReason = 'stopped';
      const lost = new Promise<void>((resolve) => {
        this.wake = resolve;
        c.on('disconnect', () => {
          lostReason = 'disconnected';
          resolve();
        });
        c.on('offline', () => {
          lostReason = 'offline';
          resolve();
        });
      });
      c.on('error', (err: Error) => logger.debug({ err: err.message, jid: this.bareJid }, 'xmpp error'));
      c.on('stanza', (stanza: XmlElement) => this.emit('stanza', stanza));
      try {
        await withTimeout(c.start(), this.opts.connectTimeoutMs ?? 10_000, 'connect');
        if (this.stopped) throw new Error('stopped');
        this.client = c;
        if (this.opts.presence ?? true) await c.send(xml('presence'));
        this.currentJid = c.jid!.toString();
        this.connects += 1;
        attempt = 0;
        logger.info({ jid: this.currentJid, connects: this.connects }, 'xmpp online');
        this.emit('online', this.currentJid);
        const keepalive = this.keepalive(c, () => {
          lostReason = 'keepalive ping unanswered';
          this.wake?.();
        });
        await lost;
        clearInterval(keepalive);
      } catch (err) {
        lostReason = (err as Error).message || String(err);
        // STARTTLS is taken whenever offered and the certificate verified: say how to trust a private one.
        if (/certificate|unable to verify/i.test(lostReason)) lostReason += ' (TLS: trust the XMPP server\'s CA with NODE_EXTRA_CA_CERTS)';
        if (!this.stopped) logger.warn({ jid: this.bareJid, err: lostReason, attempt: attempt + 1 }, 'xmpp connect failed');
      }
      const wasOnline = this.currentJid !== null;
      this.currentJid = null;
      this.client = null;
      await this.teardown(c);
      if (wasOnline) {
        logger.warn({ jid: this.bareJid, reason: lostReason }, 'xmpp offline');
        this.emit('offline', lostReason);
      }
      if (this.stopped) break;
      attempt += 1;
      await pause(backoffDelay(attempt, { baseMs: this.opts.backoff?.baseMs ?? 500, maxMs: this.opts.backoff?.maxMs ?? 30_000 }), this.abort.signal);
    }
  }

  private keepalive(c: RawClient, onDead: () => void): NodeJS.Timeout | undefined {
    const every = this.opts.keepaliveMs ?? 30_000;
    if (every <= 0) return undefined;
    const t = setInterval(() => {
      c.iqCaller
        .request(xml('iq', { type: 'get', to: this.domain }, xml('ping', { xmlns: 'urn:xmpp:ping' })), this.opts.keepaliveTimeoutMs ?? 10_000)
        .catch((err: Error) => {
          // A stanza error still proves the server is there; only silence means a dead link.
          if ((err as { name?: string }).name === 'StanzaError') return;
          onDead();
        });
    }, every);
    t.unref();
    return t;
  }

  private async teardown(c: RawClient): Promise<void> {
    try {
      if (c.status === 'online' && this.stopped) await withTimeout(c.stop(), 2000, 'stop');
    } catch {
      // Closing a dead stream may fail; the socket is destroyed below either way.
    }
    destroySocket(c);
    c.removeAllListeners('stanza');
    c.removeAllListeners('disconnect');
    c.removeAllListeners('offline');
    // Keep an 'error' listener: a late socket error on a discarded client must not crash the process.
  }
}

/**
 * Closes the connection at once, also a half-open one: the TCP socket, or after STARTTLS the TLS socket
 * inside @xmpp/tls's wrapper (which itself has no destroy).
 */
export function destroySocket(c: Pick<RawClient, 'socket'>): void {
  const s = c.socket;
  if (s?.destroy) s.destroy();
  else s?.socket?.destroy();
}

/** Sleeps unless aborted; removes its abort listener either way (a long outage means many retries). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { prom, type Registry } from '@watchkeeper/runtime';
import { HttpError } from './errors';

export interface LoadShedderOptions {
  /** Requests being answered at once beyond which new ones are refused (0: no limit). */
  maxInFlight: number;
  /** Event-loop lag beyond which new requests are refused (0: not checked). */
  maxEventLoopLagMs: number;
  retryAfterSeconds?: number;
  registry?: Registry;
  /** Requests never refused (cheap liveness answers). */
  exempt?: (req: Request) => boolean;
  /**
   * Queue-time budget: how long a request arriving now would wait for the database (the group
   * commit's estimate); beyond `maxQueueWaitMs` it is refused before its body is read.
   */
  queueWaitMs?: () => number;
  maxQueueWaitMs?: number;
  /** The requests that wait in that queue (others are not refused for it); by default all. */
  queued?: (req: Request) => boolean;
  /** The lag source; by default a timer measuring how late it fires (tests pass their own). */
  lagMs?: () => number;
  /**
   * A bound on what was accepted and is not yet passed on (the outbox entries waiting for Kafka): the
   * requests that add to it are refused once it holds `max` or more, until it is below `resumeBelow`.
   */
  outboxBacklog?: OutboxBacklogBound;
}

export interface OutboxBacklogBound {
  /** The backlog now; read for every request that adds to it, so it must cost no query. */
  size: () => number;
  /** From this many on, the requests that add to it are refused (0: no bound). */
  max: number;
  /**
   * Refused until the backlog is below this (default 90 % of `max`): the relay retires entries in
   * batches, so the refusals end for a batch's worth of requests at once instead of flickering per
   * request at the edge.
   */
  resumeBelow?: number;
  /** The requests that add to the backlog (the others are not refused for it). */
  adds: (req: Request) => boolean;
}

export type ShedReason = 'in-flight' | 'event-loop-lag' | 'queue-time' | 'outbox-backlog';

/** How long the lag timer stays armed after the last request arrived, with none in flight. */
const IDLE_AFTER_MS = 1000;

/** Set on a request the front door admitted (and counts): the express middleware lets it through. */
const ADMITTED = Symbol('watchkeeper.shedder.admitted');

/**
 * Load shedding: under more load than the service can serve, a request is answered 503 with
 * Retry-After at once — before its body is read or anything is stored — instead of queueing until
 * every request is late and memory grows. Mount it ahead of the routes it protects.
 */
export class LoadShedder {
  private inFlight_ = 0;
  private lag = 0;
  private timer?: NodeJS.Timeout;
  /** start() was called and the lag is measured here (not given by opts.lagMs). */
  private measure = false;
  private lastArrival = 0;
  /** The backlog reached its bound and has not yet fallen below the resume mark. */
  private backlogFull = false;
  private readonly shed?: prom.Counter<'reason'>;
  private readonly refusals = new Map<string, HttpError>();
  private readonly rawRefusals = new Map<string, { headers: Record<string, string | number>; body: Buffer }>();

  constructor(private readonly opts: LoadShedderOptions) {
    if (opts.registry) {
      this.shed = new prom.Counter({ name: 'watchkeeper_http_shed_total', help: 'Requests refused with 503 because the service was overloaded', labelNames: ['reason'], registers: [opts.registry] });
      for (const reason of ['in-flight', 'event-loop-lag', 'queue-time', 'outbox-backlog'] satisfies ShedReason[]) this.shed.inc({ reason }, 0);
      const inFlight = () => this.inFlight_;
      new prom.Gauge({
        name: 'watchkeeper_http_in_flight',
        help: 'Requests being answered now (those the load shedder counts)',
        registers: [opts.registry],
        collect() {
          this.set(inFlight());
        },
      });
    }
  }

  get inFlight(): number {
    return this.inFlight_;
  }

  /**
   * Measures event-loop lag from now on, but only while requests arrive or are in flight: a timer
   * every 50 ms that does not keep the process alive, armed by the first request and disarmed once
   * none has been in flight or arrived for a second (an idle service has nothing to shed; twenty
   * wake-ups a second were most of the receiver's idle CPU). Disarmed, the lag reads 0.
   */
  start(): void {
    this.measure = !this.opts.lagMs && this.opts.maxEventLoopLagMs > 0;
  }

  stop(): void {
    this.measure = false;
    this.disarm();
  }

  /** Whether the lag timer is armed now. */
  get measuring(): boolean {
    return this.timer !== undefined;
  }

  private arrived(): void {
    if (!this.measure) return;
    this.lastArrival = performance.now();
    if (this.timer) return;
    const every = 50;
    let expected = this.lastArrival + every;
    this.timer = setInterval(() => {
      const now = performance.now();
      // Smoothed: one long GC pause or a cold require is not overload; lag that lasts is.
      this.lag = 0.7 * this.lag + 0.3 * Math.max(0, now - expected);
      expected = now + every;
      if (this.inFlight_ === 0 && now - this.lastArrival > IDLE_AFTER_MS) this.disarm();
    }, every);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.lag = 0;
  }

  /**
   * The answer to a refused request, built once per kind: a refusal must cost next to nothing exactly
   * when the service is overloaded (an Error's stack capture per request showed in profiles). Never
   * mutated after it is built (the error handler only reads it).
   */
  private refusal(reason: ShedReason, big: boolean): HttpError {
    const key = `${reason}:${big}`;
    let err = this.refusals.get(key);
    if (!err) {
      const headers: Record<string, string> = { 'Retry-After': String(this.opts.retryAfterSeconds ?? 1), ...(big ? { Connection: 'close' } : {}) };
      err = new HttpError(503, 'overloaded', 'the service is overloaded; nothing was stored — retry after the given seconds', { reason }, headers);
      this.refusals.set(key, err);
    }
    return err;
  }

  /** Counts requests refused later on, for a reason of this shedder (e.g. a queue-time budget spent while queued). */
  record(reason: ShedReason, count = 1): void {
    this.shed?.inc({ reason }, count);
  }

  /** Why a request arriving now would be refused, or undefined. */
  overloaded(req?: Request): ShedReason | undefined {
    if (this.opts.maxInFlight > 0 && this.inFlight_ >= this.opts.maxInFlight) return 'in-flight';
    if (this.backlogBounds(req)) return 'outbox-backlog';
    const budget = this.opts.maxQueueWaitMs ?? 0;
    if (this.opts.queueWaitMs && budget > 0 && (!req || !this.opts.queued || this.opts.queued(req)) && this.opts.queueWaitMs() > budget) return 'queue-time';
    const lag = this.opts.lagMs ? this.opts.lagMs() : this.lag;
    if (this.opts.maxEventLoopLagMs > 0 && lag > this.opts.maxEventLoopLagMs) return 'event-loop-lag';
    return undefined;
  }

  /** Whether this request would add to a backlog at its bound (with hysteresis: see OutboxBacklogBound). */
  private backlogBounds(req?: Request): boolean {
    const b = this.opts.outboxBacklog;
    if (!b || b.max <= 0 || (req && !b.adds(req))) return false;
    const size = b.size();
    this.backlogFull = this.backlogFull ? size >= (b.resumeBelow ?? Math.ceil(b.max * 0.9)) : size >= b.max;
    return this.backlogFull;
  }

  /**
   * The front door: wraps the HTTP server's request listener (the express app) so that a refusal is
   * decided and written before express, helmet, routing or any per-request framework work — the
   * cheapest answer Node can give, which an overloaded service must be able to give at twice the rate
   * it can serve. Admitted requests are counted here and pass the express middleware untouched.
   * `guards(path)` names the paths it protects (by default all); the others (/metrics, /healthz…)
   * go straight to the app.
   */
  front(app: RequestListener, guards: (path: string) => boolean = () => true): RequestListener {
    return (req: IncomingMessage, res: ServerResponse) => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      // What exempt() and queued() read of an express request: baseUrl + path, and the method.
      const view = { method: req.method, baseUrl: '', path: q < 0 ? url : url.slice(0, q), headers: req.headers } as unknown as Request;
      if (guards(view.path) && !this.opts.exempt?.(view)) {
        this.arrived();
        const reason = this.overloaded(view);
        if (reason) {
          this.shed?.inc({ reason });
          const big = bigBody(req);
          const r = this.rawRefusal(reason, big);
          res.writeHead(503, r.headers);
          res.end(r.body);
          return;
        }
        this.admit(res);
        (req as unknown as Record<symbol, boolean>)[ADMITTED] = true;
      }
      app(req, res);
    };
  }

  private rawRefusal(reason: ShedReason, big: boolean): { headers: Record<string, string | number>; body: Buffer } {
    const key = `${reason}:${big}`;
    let r = this.rawRefusals.get(key);
    if (!r) {
      const err = this.refusal(reason, big);
      const body = Buffer.from(JSON.stringify(err.toBody()));
      r = { headers: { ...err.headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' }, body };
      this.rawRefusals.set(key, r);
    }
    return r;
  }

  private admit(res: ServerResponse): void {
    this.inFlight_++;
    let done = false;
    res.once('close', () => {
      if (!done) this.inFlight_--;
      done = true;
    });
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      if ((req as unknown as Record<symbol, boolean>)[ADMITTED]) return next(); // decided at the front door
      if (this.opts.exempt?.(req)) return next();
      this.arrived();
      const reason = this.overloaded(req);
      if (reason) {
        this.shed?.inc({ reason });
        // Node discards a small unread body after the answer; a large one (an upload) is not worth
        // reading just to throw it away: that connection is closed instead.
        return next(this.refusal(reason, bigBody(req)));
      }
      this.admit(res);
      next();
    };
  }
}

function bigBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 64 * 1024 || req.headers['transfer-encoding'] !== undefined;
}

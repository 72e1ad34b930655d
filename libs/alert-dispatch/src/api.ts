import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { z } from 'zod';
import {
  AccountingResponse,
  AlertsResponse,
  DeadLetterReplayRequest,
  DeliveryList,
  DeliveryOutcome,
  RecipientsResponse,
  SilenceCreateRequest,
  SilenceExpireRequest,
  type ActiveAlert,
  type ErrorBody,
} from '@watchkeeper/contracts';
import { SilenceNotFound } from '@watchkeeper/alert-routing';
import { toHistoryEntry, type AlertState } from '@watchkeeper/alert-state';
import { computeAccounting } from './accounting';
import type { DispatcherEngine } from './engine';

function fail(res: Response, status: number, error: string, message: string, details?: unknown): void {
  const body: ErrorBody = { error, message, ...(details !== undefined ? { details } : {}) };
  res.status(status).json(body);
}

function parse<S extends z.ZodType>(schema: S, value: unknown, res: Response): z.output<S> | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data as z.output<S>;
  fail(res, 400, 'validation-failed', r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '), r.error.issues);
  return undefined;
}

function requireToken(token: string) {
  const expected = Buffer.from(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const m = /^Bearer (.+)$/.exec(req.get('authorization') ?? '');
    const given = Buffer.from(m?.[1] ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail(res, 401, 'unauthorized', 'send Authorization: Bearer <WATCHKEEPER_ADMIN_TOKEN>');
    next();
  };
}

function dateParam(v: unknown, fallback: Date): Date | null {
  if (v === undefined) return fallback;
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? null : new Date(t);
}

function limitParam(v: unknown, fallback: number, max: number): number {
  const n = Number(v ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

function activeAlert(s: AlertState): ActiveAlert {
  return {
    fingerprint: s.fingerprint,
    type: s.type,
    entity: s.entity,
    labels: s.labels,
    severity: s.severity,
    ...(s.summary ? { summary: s.summary } : {}),
    source: s.source,
    startsAt: new Date(s.startsAt).toISOString(),
    lastTriggeredAt: new Date(s.lastTriggeredAt).toISOString(),
    lastNotifiedAt: new Date(s.lastNotifiedAt).toISOString(),
    triggerCount: s.triggerCount,
  };
}

/** The /v1 API: silences, deliveries, alerts, accounting, recipients, dead-letter replay. Every route needs the admin token. */
export function dispatcherApi(engine: DispatcherEngine, opts: { adminToken: string }): express.Router {
  const r = express.Router();
  r.use('/v1', requireToken(opts.adminToken), express.json({ limit: '256kb' }));

  r.post('/v1/silences', async (req, res) => {
    const body = parse(SilenceCreateRequest, req.body, res);
    if (!body) return;
    for (const m of body.matchers) {
      if (!m.isRegex) continue;
      try {
        new RegExp(m.value);
      } catch (err) {
        return fail(res, 400, 'validation-failed', `matcher ${m.name}: bad regex: ${(err as Error).message}`);
      }
    }
    const silence = await engine.silenceStore.create(body);
    await engine.refreshSilences();
    res.status(201).json(silence);
  });

  r.get('/v1/silences', async (req, res) => {
    res.json({ silences: await engine.silenceStore.list({ includeExpired: req.query.expired === 'true' }) });
  });

  r.post('/v1/silences/:id/expire', async (req, res) => {
    const body = parse(SilenceExpireRequest, req.body, res);
    if (!body) return;
    try {
      const s = await engine.silenceStore.expire(String(req.params.id), body);
      await engine.refreshSilences();
      res.json(s);
    } catch (err) {
      if (err instanceof SilenceNotFound) return fail(res, 404, 'not-found', err.message);
      throw err;
    }
  });

  r.get('/v1/deliveries', async (req, res) => {
    const outcome = req.query.outcome === undefined ? undefined : String(req.query.outcome);
    if (outcome && outcome !== 'queued' && !DeliveryOutcome.safeParse(outcome).success) return fail(res, 400, 'validation-failed', `outcome must be queued or one of ${DeliveryOutcome.options.join(', ')}`);
    if (outcome === 'dropped' || outcome === 'silenced' || outcome === 'retried') {
      return fail(res, 400, 'validation-failed', `${outcome} notifications are in GET /v1/alerts (per alert) and /v1/accounting (counts); this lists queued, delivered and dead_lettered`);
    }
    const since = dateParam(req.query.since, new Date(Date.now() - 3_600_000));
    if (!since) return fail(res, 400, 'validation-failed', 'since is an ISO date-time');
    const deliveries = await engine.store.list({
      since,
      recipient: req.query.recipient ? String(req.query.recipient) : undefined,
      outcome,
      alertId: req.query.alertId ? String(req.query.alertId) : undefined,
      limit: limitParam(req.query.limit, 100, 1000),
    });
    res.json(DeliveryList.parse({ deliveries }));
  });

  r.post('/v1/deliveries/replay', async (req, res) => {
    const body = parse(DeadLetterReplayRequest, req.body, res);
    if (!body) return;
    const replayed = await engine.replayDeadLetters({ recipient: body.recipient, ids: body.ids });
    res.json({ replayed });
  });

  r.get('/v1/alerts', async (req, res) => {
    const [active, recent] = await Promise.all([engine.states.active(), engine.history.recent(limitParam(req.query.limit, 100, 1000))]);
    res.json(AlertsResponse.parse({ active: active.map(activeAlert), recent: recent.map(toHistoryEntry) }));
  });

  r.get('/v1/accounting', async (req, res) => {
    const to = dateParam(req.query.to, new Date());
    const from = dateParam(req.query.from, new Date((to ?? new Date()).getTime() - 3_600_000));
    if (!from || !to || from >= to) return fail(res, 400, 'validation-failed', 'from and to are ISO date-times with from < to');
    res.json(AccountingResponse.parse(await computeAccounting(engine.history, engine.store, from, to)));
  });

  r.get('/v1/recipients', async (_req, res) => {
    const recipients = await Promise.all(
      [...engine.routing.recipients.values()].map(async (rc) => {
        const w = engine.workers.get(rc.name);
        const dropped = engine.metrics.droppedByRecipient.get(rc.name) ?? new Map<string, number>();
        return {
          name: rc.name,
          type: rc.config.type,
          queued: await engine.store.depth(rc.name),
          capacity: rc.delivery.capacity,
          ...(w && w.pausedUntil > Date.now() ? { pausedUntil: new Date(w.pausedUntil).toISOString() } : {}),
          droppedSinceStart: Object.fromEntries(dropped),
        };
      }),
    );
    res.json(RecipientsResponse.parse({ recipients }));
  });

  // Express 5 passes rejected promises here.
  r.use('/v1', (err: Error, _req: Request, res: Response, _next: NextFunction) => {
    if ((err as { type?: string }).type === 'entity.parse.failed') return fail(res, 400, 'bad-json', err.message);
    fail(res, 500, 'internal', err.message);
  });
  return r;
}

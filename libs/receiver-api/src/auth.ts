import type { RequestHandler, Response } from 'express';
import { HostName } from '@watchkeeper/contracts';
import type { RequestLog } from '@watchkeeper/fleet-health';
import { bearerToken, forbidden, requireAdminToken, unauthorized } from '@watchkeeper/http-api';
import type { HostTokenStore } from '@watchkeeper/receiver-auth';

export type Principal = { kind: 'admin' } | { kind: 'host'; host: string; tokenId: string };

export function principal(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** Admin routes: the one admin check of every service (WATCHKEEPER_ADMIN_TOKEN, constant time). */
export function requireAdmin(adminToken: string): RequestHandler {
  return requireAdminToken(adminToken, (res) => {
    res.locals.principal = { kind: 'admin' } satisfies Principal;
  });
}

/**
 * Host routes: a host token, which may only act on its own host (403 otherwise). Every answer is
 * counted in the request log under the host it was for, which is what the fleet-health detectors read.
 */
export function requireHost(tokens: HostTokenStore, requestLog: RequestLog, now: () => Date): RequestHandler {
  return async (req, res, next) => {
    const pathHost = HostName.safeParse(req.params.host);
    const token = bearerToken(req);
    const who = token ? await tokens.verify(token) : undefined;
    const logHost = who?.host ?? (pathHost.success ? pathHost.data : undefined);
    if (logHost) {
      res.on('finish', () => {
        const upload = res.locals.upload as { stamped: boolean } | undefined;
        requestLog.record({ host: logHost, at: now(), status: res.statusCode, ...(upload ? { upload } : {}) });
      });
    }
    if (!who) return next(unauthorized('a valid host bearer token is required'));
    if (req.params.host !== undefined && req.params.host !== who.host) {
      return next(forbidden(`this token belongs to host ${who.host}; it may not write for another host`));
    }
    res.locals.principal = { kind: 'host', host: who.host, tokenId: who.tokenId } satisfies Principal;
    next();
  };
}

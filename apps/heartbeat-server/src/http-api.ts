import express from 'express';
import { ListenersResponse, type ErrorBody } from '@watchkeeper/contracts';
import type { HeartbeatMonitor } from '@watchkeeper/heartbeat';

/** GET /v1/listeners[?node=N&listener=ID]: every listener with state, last seen and latency history. */
export function statusRouter(monitor: HeartbeatMonitor): express.Router {
  const router = express.Router();
  router.get('/v1/listeners', (req, res) => {
    const { node, listener } = req.query;
    if ((node !== undefined && typeof node !== 'string') || (listener !== undefined && typeof listener !== 'string')) {
      const body: ErrorBody = { error: 'validation-failed', message: 'node and listener are single strings' };
      res.status(400).json(body);
      return;
    }
    // Validated on the way out too: the dashboard and the Nagios check rely on this shape.
    res.json(ListenersResponse.parse(monitor.view({ node, listener })));
  });
  return router;
}

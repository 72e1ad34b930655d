import { SshHostDay, SshLoginsDayQuery, SshLoginsDayResponse, SshLoginsHostDayParams, SshLoginsRangeQuery, SshLoginsRangeResponse, SshSourcesQuery, SshSourcesResponse } from '@watchkeeper/contracts';
import { datesBetween } from '@watchkeeper/ssh-stats-store';
import type { RouteContext } from '../deps';

const noDataNote = '`stats: null` means the host stored no SSH event that day ("no data"), which is not zero.';

export function sshLoginRoutes({ api, admin, sshEvents, tokens, requestLog }: RouteContext): void {
  /** Every host the receiver knows (a token issued, or SSH events received) and has not retired. */
  const knownHosts = async (): Promise<string[]> => {
    const retired = await tokens.retiredHosts();
    return [...new Set([...(await sshEvents.knownHosts()), ...(await tokens.hosts())])].filter((h) => !retired.has(h)).sort();
  };

  api.route({
    method: 'get',
    path: '/v1/ssh-logins/range',
    operationId: 'sshLoginsRange',
    summary: 'SSH statistics per host per day over a date range (for charts)',
    description: `Dates are calendar days in the receiver's SSH_STATS_TZ. ${noDataNote}`,
    tags: ['ssh'],
    security: ['adminToken'],
    before: [admin],
    query: SshLoginsRangeQuery,
    responses: { 200: { description: 'one row per host, one entry per date', schema: SshLoginsRangeResponse } },
    handler: async ({ query }) => {
      const wanted = query.host === undefined ? await knownHosts() : [...new Set([query.host].flat())].sort();
      const dates = datesBetween(query.from, query.to);
      const stats = await sshEvents.hostsDays(wanted, query.from, query.to);
      const hosts = wanted.map((host) => ({ host, days: dates.map((date) => ({ host, date, stats: stats.get(`${host}|${date}`) ?? null })) }));
      return { status: 200, body: { from: query.from, to: query.to, timeZone: sshEvents.timeZone, dates: datesBetween(query.from, query.to), hosts } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/ssh-logins/sources',
    operationId: 'sshLoginSources',
    summary: 'Top client addresses by login attempts over a date range, optionally per host',
    description:
      "Dates are calendar days in the receiver's SSH_STATS_TZ. Attempts are failed (method `none` excluded), accepted and " +
      'invalid-user lines, each weighted by its repeat count, from events stored once by id (replays change nothing). ' +
      'Most attempts first; `totalSources` counts every address with an attempt in the range, also those cut by `limit`. ' +
      'An empty list means no attempts were stored for the range (see /v1/ssh-logins/range for which days have data).',
    tags: ['ssh'],
    security: ['adminToken'],
    before: [admin],
    query: SshSourcesQuery,
    responses: { 200: { description: 'the top addresses', schema: SshSourcesResponse } },
    handler: async ({ query }) => {
      const hosts = query.host === undefined ? undefined : [...new Set([query.host].flat())].sort();
      const top = await sshEvents.topSources({ from: query.from, to: query.to, hosts, limit: query.limit });
      return { status: 200, body: { from: query.from, to: query.to, timeZone: sshEvents.timeZone, hosts: hosts ?? null, ...top } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/ssh-logins/:host/:date',
    operationId: 'sshLoginsHostDay',
    summary: 'SSH statistics of one host on one date',
    description: noDataNote,
    tags: ['ssh'],
    security: ['adminToken'],
    before: [admin],
    params: SshLoginsHostDayParams,
    responses: { 200: { description: 'the statistics, or null for no data', schema: SshHostDay } },
    handler: async ({ params }) => {
      const [day] = await sshEvents.hostDays(params.host, params.date, params.date);
      return { status: 200, body: { host: params.host, date: params.date, stats: day?.stats ?? null } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/ssh-logins',
    operationId: 'sshLoginsDay',
    summary: 'SSH statistics of every known host on one date, silent ones included',
    description: `Every host the receiver knows (a token issued, or SSH events received) and has not retired is listed. ${noDataNote} \`lastSeenAt\` tells since when a silent host has been silent.`,
    tags: ['ssh'],
    security: ['adminToken'],
    before: [admin],
    query: SshLoginsDayQuery,
    responses: { 200: { description: 'one entry per known host', schema: SshLoginsDayResponse } },
    handler: async ({ query }) => {
      const names = await knownHosts();
      const stats = await sshEvents.hostsDays(names, query.date, query.date);
      const lastSsh = new Map((await sshEvents.hostsSeen()).map((h) => [h._id, h.lastAt.getTime()]));
      await requestLog.flush();
      const lastRequest = new Map((await requestLog.hosts.find({ _id: { $in: names } }).lean()).map((h) => [h._id, h.lastAt.getTime()]));
      const hosts = names.map((host) => {
        const last = Math.max(lastSsh.get(host) ?? -Infinity, lastRequest.get(host) ?? -Infinity);
        return { host, date: query.date, stats: stats.get(`${host}|${query.date}`) ?? null, lastSeenAt: Number.isFinite(last) ? new Date(last).toISOString() : null };
      });
      return { status: 200, body: { date: query.date, timeZone: sshEvents.timeZone, hosts } };
    },
  });
}

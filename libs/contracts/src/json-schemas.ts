import { z } from 'zod';
import { alertDispatcherHttpContracts } from './http/alert-dispatcher';
import { ErrorBody, PingResponse, ReadinessResponse } from './http/common';
import { SshDayStats } from './messages/ssh-day-stats';
import { HeartbeatRequest, HeartbeatResponse, LegacyHeartbeatRequest, LegacyHeartbeatResponse } from './messages/heartbeat-protocol';
import { HeartbeatNodeConfig } from './config/heartbeat-nodes';
import { ListenersResponse } from './http/heartbeat';
import { CommitMissingBody, CommitNotAllowedBody, VersionGateSetting } from './http/version-gate';
import { HostSelfCheckReport } from './messages/host-self-check';
import { unprefixedTopics } from './topics';

/** Contracts that are published as JSON Schema files for tools outside this repository. */
export function publishedContracts(): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {};
  for (const t of Object.values(unprefixedTopics)) out[t.name] = t.schema; // the documented names, whatever this process's prefix
  out['http.error'] = ErrorBody;
  out['ssh-day-stats'] = SshDayStats;
  out['http.ping-response'] = PingResponse;
  out['http.readiness-response'] = ReadinessResponse;
  out['xmpp.heartbeat-request'] = HeartbeatRequest;
  out['xmpp.heartbeat-response'] = HeartbeatResponse;
  out['xmpp.heartbeat-request-legacy'] = LegacyHeartbeatRequest;
  out['xmpp.heartbeat-response-legacy'] = LegacyHeartbeatResponse;
  out['config.heartbeat-nodes'] = HeartbeatNodeConfig;
  out['http.heartbeat-listeners'] = ListenersResponse;
  // What a host's self-check reporter sends, and what an uploader may be told by the version gate.
  out['http.host-self-check-report'] = HostSelfCheckReport;
  out['http.version-gate-setting'] = VersionGateSetting;
  out['http.version-gate-commit-missing'] = CommitMissingBody;
  out['http.version-gate-commit-not-allowed'] = CommitNotAllowedBody;
  Object.assign(out, alertDispatcherHttpContracts);
  return out;
}

/** File name → file text, exactly as committed under libs/contracts/schemas/. */
export function renderJsonSchemas(contracts = publishedContracts()): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(contracts)) {
    // `io: 'input'` describes what a producer may send (defaults are optional on the wire).
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    files[`${name}.schema.json`] = JSON.stringify({ $id: `https://watchkeeper.dev/schemas/${name}.schema.json`, title: name, ...json }, null, 2) + '\n';
  }
  return files;
}

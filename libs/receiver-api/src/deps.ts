import type { ArtifactStore, CodeVersionGate } from '@watchkeeper/artifact-store';
import type { VersionGate, VersionGateSetting } from '@watchkeeper/contracts';
import type { FleetHealthMonitor, RequestLog } from '@watchkeeper/fleet-health';
import type { HostHealthStore } from '@watchkeeper/host-health-store';
import type { HttpApi } from '@watchkeeper/http-api';
import type { HostTokenStore } from '@watchkeeper/receiver-auth';
import type { Logger } from '@watchkeeper/runtime';
import type { SshEventStore } from '@watchkeeper/ssh-stats-store';
import type { RequestHandler } from 'express';
import type { ChangeFeed } from './change-feed';

/** Everything the routes use; built by the app's wiring. */
export interface ReceiverDeps {
  logger: Logger;
  adminToken: string;
  tokens: HostTokenStore;
  hostHealth: HostHealthStore;
  artifacts: ArtifactStore;
  gate: CodeVersionGate;
  /** The run-time version gate (`/v1/version-gate`), shared by every instance. */
  versionGate: { current(): Promise<VersionGate | null>; set(setting: VersionGateSetting, source: 'api'): Promise<VersionGate>; clear(): Promise<boolean> };
  requestLog: RequestLog;
  fleetHealth: FleetHealthMonitor;
  sshEvents: SshEventStore;
  now: () => Date;
  /** Live-update notifications for event streams; absent: the stream route answers 503 (poll instead). */
  changes?: ChangeFeed;
}

export interface RouteContext extends ReceiverDeps {
  api: HttpApi;
  admin: RequestHandler;
  host: RequestHandler;
}

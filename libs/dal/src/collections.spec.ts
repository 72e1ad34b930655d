import mongoose from 'mongoose';
import { COLLECTIONS } from './collections';
import * as alertDispatcher from './alert-dispatcher';
import * as heartbeatServer from './heartbeat-server';
import * as logCollector from './log-collector';
import * as receiver from './receiver';
import * as shared from './shared';

const names = Object.values(COLLECTIONS).flatMap((service) => Object.values(service) as string[]);

describe('collections', () => {
  it('names every collection once', () => {
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every model a collection named in COLLECTIONS', () => {
    const conn = mongoose.createConnection();
    const built = [
      ...[alertDispatcher, heartbeatServer, logCollector, shared].flatMap((entry) => Object.values(entry).filter((f) => typeof f === 'function').map((f) => (f as (c: unknown) => mongoose.Model<any>)(conn))),
      receiver.statefulAlertModel(conn, COLLECTIONS.receiver.fleetAlerts),
      ...[receiver.artifactModel, receiver.versionGateModel, receiver.hostTokenModel, receiver.retiredHostModel, receiver.hostHealthModel, receiver.requestMinuteModel, receiver.requestHostModel, receiver.windowSnapshotModel].map((f) => f(conn)),
    ];
    expect(built.length).toBeGreaterThanOrEqual(19);
    for (const model of built) expect(names).toContain(model.collection.collectionName);
  });
});

// Collection names only: importing the package loads no mongoose. Models are in the per-service
// entries (`@watchkeeper/dal/receiver`, `/alert-dispatcher`, `/log-collector`, `/heartbeat-server`, `/shared`).
export * from './collections';

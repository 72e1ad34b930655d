import { prom, type Registry } from '@watchkeeper/runtime';

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;

/** What an operator needs to see the collector keep up: input, output, drops, rotations, lag. */
export function createCollectorMetrics(registry: Registry, bytesBehind: () => Promise<Array<{ path: string; bytes: number }>>) {
  const p = 'watchkeeper_log_collector_';
  const registers = [registry];
  return {
    linesRead: new prom.Counter({ name: `${p}lines_read_total`, help: 'Complete lines read from followed files (journal entries for a journald source)', labelNames: ['path'], registers }),
    sshdLines: new prom.Counter({ name: `${p}sshd_lines_total`, help: 'Lines from sshd, sshd-session or sshd-auth', labelNames: ['path'], registers }),
    eventsSent: new prom.Counter({ name: `${p}events_sent_total`, help: 'Events acknowledged by Kafka', labelNames: ['path'], registers }),
    unrecognized: new prom.Counter({ name: `${p}sshd_unrecognized_total`, help: 'sshd lines the parser did not recognise (counted, not sent)', labelNames: ['path'], registers }),
    invalid: new prom.Counter({ name: `${p}events_invalid_total`, help: 'Events that failed the contract (logged, not sent)', labelNames: ['path'], registers }),
    rotations: new prom.Counter({ name: `${p}rotations_total`, help: 'Rotations and truncations seen', labelNames: ['path', 'how'], registers }),
    lost: new prom.Counter({ name: `${p}lost_total`, help: 'Times unread data could not be found after a rotation, or the saved journal entry was gone (vacuumed) before what followed it was read', labelNames: ['path'], registers }),
    lostBytes: new prom.Counter({ name: `${p}lost_bytes_total`, help: 'Unread bytes of rotated files that were gone (known sizes only; each loss is also logged)', labelNames: ['path'], registers }),
    journalMalformed: new prom.Counter({ name: `${p}journal_malformed_total`, help: 'journalctl output lines that were not a journal entry (counted, not sent)', labelNames: ['path'], registers }),
    publishFailures: new prom.Counter({ name: `${p}publish_failures_total`, help: 'Failed Kafka sends (retried)', labelNames: ['path'], registers }),
    checkpointFailures: new prom.Counter({ name: `${p}checkpoint_failures_total`, help: 'Failed checkpoint writes (retried)', labelNames: ['path'], registers }),
    checkpointOffset: new prom.Gauge({ name: `${p}checkpoint_offset_bytes`, help: 'Byte offset of the last checkpoint (all before it acknowledged by Kafka)', labelNames: ['path'], registers }),
    checkpointTime: new prom.Gauge({ name: `${p}checkpoint_time_seconds`, help: 'When the last checkpoint was saved (unix seconds); with bytes_behind_eof it tells a stuck collector from a quiet log (the doctor reads it)', labelNames: ['path'], registers }),
    journalCheckpointTime: new prom.Gauge({ name: `${p}journal_checkpoint_time_seconds`, help: 'Journal time of the last checkpointed entry (all before it acknowledged by Kafka)', labelNames: ['path'], registers }),
    behind: new prom.Gauge({
      name: `${p}bytes_behind_eof`,
      help: 'Bytes in the followed file not yet read',
      labelNames: ['path'],
      registers,
      async collect() {
        for (const b of await bytesBehind()) this.set({ path: b.path }, b.bytes);
      },
    }),
  };
}

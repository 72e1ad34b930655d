import { Topics, type NotificationOutcome } from '@watchkeeper/contracts';
import { CloudEventRecordWriter, ContractViolation, type PreEncodedRecord } from '@watchkeeper/kafka';

/**
 * Outcome events (one per alert and recipient, the dispatcher's largest Kafka output) written straight
 * into Kafka record bytes: the bytes EventProducer.publishMany + kafkajs give for the same events
 * (validated value as JSON, key = recipient, CloudEvents headers ce_specversion, ce_id, ce_source,
 * ce_type, ce_time, content-type, ce_subject), without a headers object per event and with the
 * constant header bytes made once. Only the fast produce path (libs/kafka fast-produce) can send
 * them: the engine uses this when that path is installed (the bin), EventProducer otherwise.
 * outcome-records.spec.ts compares the produce request with the one kafkajs writes.
 */
export class OutcomeRecordWriter {
  private readonly writer: CloudEventRecordWriter;

  constructor(source: string) {
    this.writer = new CloudEventRecordWriter(source, Topics.notifications.ceType, { withSubject: true });
  }

  /** Validated records for `outcomes`, all stamped `time` (the publish time, as EventProducer stamps it). */
  records(outcomes: readonly NotificationOutcome[], time: string): PreEncodedRecord[] {
    const out = new Array<PreEncodedRecord>(outcomes.length);
    for (let i = 0; i < outcomes.length; i++) {
      const parsed = Topics.notifications.schema.safeParse(outcomes[i]);
      if (!parsed.success) throw new ContractViolation(Topics.notifications.name, parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
      const o = parsed.data;
      // EventProducer's PublishOptions as the engine gives them: id = outcome id, subject = fingerprint.
      out[i] = this.writer.write(Topics.notifications.key(o), JSON.stringify(o), o.id, time, o.fingerprint);
    }
    return out;
  }
}

import type { Admin } from 'kafkajs';
import { sleep } from '@watchkeeper/runtime';

/**
 * admin.fetchTopicOffsets for test set-ups on a fresh broker: right after a topic is created its
 * partitions may still be electing leaders ("This server is not the leader for that
 * topic-partition"), and kafkajs' admin does not retry that error. Retried here for up to ~10 s.
 */
export async function topicOffsetsWhenLed(admin: Admin, topic: string): ReturnType<Admin['fetchTopicOffsets']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      if (attempt >= 40) throw err;
      await sleep(250);
    }
  }
}

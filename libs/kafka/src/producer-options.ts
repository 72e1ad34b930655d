import type { ProducerConfig } from 'kafkajs';
import { MemoDefaultPartitioner } from './memo-partitioner';

/** Every producer of the project, in this thread or a ProducerThread: no topic created by a send (topics are declared), five retries. */
export const producerOptions: ProducerConfig = { allowAutoTopicCreation: false, retry: { retries: 5 }, createPartitioner: MemoDefaultPartitioner };

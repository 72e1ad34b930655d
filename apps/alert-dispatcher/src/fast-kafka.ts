// main.ts imports this first: libs/kafka's byte-identical faster produce path for the pinned kafkajs
// (one-pass produce request, linear per-partition grouping) must be installed before anything loads
// kafkajs. The dispatcher publishes one outcome event per alert, most of its Kafka produce work.
// This module alone, not the kafka index: the index loads kafkajs.
import { installFastProduce } from '@watchkeeper/kafka/dist/fast-produce';

export const fastProduce = installFastProduce();

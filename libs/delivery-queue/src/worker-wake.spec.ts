import { createLogger } from '@watchkeeper/runtime';
import type { DeliveryStore } from './queue-store';
import { RecipientQueue } from './recipient-queue';
import type { SettleBook } from './settle-book';
import type { DeliveryLimits, Notification, QueueItem } from './types';
import { RecipientWorker } from './worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const limits: DeliveryLimits = { capacity: 100, perSourceQuota: 100, perTypeQuota: 100, maxDigest: 10, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 1000 };
const item = (id: string): QueueItem => ({ _id: `${id}|r`, recipient: 'r', source: 'host:h1', type: 't', attempts: 0, generation: 0, receivedAt: new Date(), partition: 0, notification: { id } as unknown as Notification });

// An idle worker sleeps on a long safety-net timer only: a push to its queue (from anywhere) wakes it.
describe('RecipientWorker wake-up', () => {
  it('sends an item pushed onto an idle queue at once, though its idle poll is a minute', async () => {
    const queue = new RecipientQueue();
    const sent: string[][] = [];
    const delivered: string[] = [];
    const worker = new RecipientWorker({
      sender: { name: 'r', type: 'test', send: async (batch) => (sent.push(batch.map((n) => (n as unknown as { id: string }).id)), { ok: true }) },
      limits,
      store: { delivered: async (items: QueueItem[]) => void delivered.push(...items.map((i) => i._id)) } as unknown as DeliveryStore,
      queue,
      settles: { settle: () => undefined } as unknown as SettleBook,
      logger: createLogger({ service: 'worker-wake-test', level: 'silent' }),
      onOutcomes: async () => undefined,
      idlePollMs: 60_000,
    });
    worker.start();
    await sleep(100); // idle now: the queue was empty
    const t0 = Date.now();
    queue.push([item('a1'), item('a2')]);
    while (delivered.length < 2 && Date.now() - t0 < 5000) await sleep(10);
    expect(delivered).toEqual(['a1|r', 'a2|r']);
    expect(sent).toEqual([['a1', 'a2']]);
    expect(Date.now() - t0).toBeLessThan(1000);
    await worker.stop();
  });
});

import { createLogger } from '@watchkeeper/runtime';
import { RecipientQueue } from './recipient-queue';
import { SettleBook } from './settle-book';
import type { QueueItem } from './types';

const item = (source: string, n: number, segment = 's1'): QueueItem =>
  ({ _id: `${source}-${n}`, recipient: 'r', source, type: 't', attempts: 0, generation: 0, receivedAt: new Date(0), partition: 0, segment, index: n, notification: {} as never }) as QueueItem;

describe('RecipientQueue', () => {
  it('serves sources round-robin, so a quiet source is not behind a flood', () => {
    const q = new RecipientQueue();
    q.push(Array.from({ length: 1000 }, (_, i) => item('noisy', i)));
    q.push([item('quiet', 0)]);
    const first = q.take(4);
    expect(first.map((i) => i._id)).toEqual(['noisy-0', 'quiet-0', 'noisy-1', 'noisy-2']);
    expect(q.size).toBe(997);
  });

  it('puts failed items back in front, in order, and removes by predicate', () => {
    const q = new RecipientQueue();
    q.push([item('a', 0), item('a', 1), item('a', 2)]);
    const taken = q.take(2);
    q.push(taken, true);
    expect(q.take(3).map((i) => i._id)).toEqual(['a-0', 'a-1', 'a-2']);
    q.push([item('a', 3), item('b', 0)]);
    expect(q.removeWhere((i) => i.source === 'b').map((i) => i._id)).toEqual(['b-0']);
    expect(q.size).toBe(1);
  });
});

describe('SettleBook', () => {
  const logger = createLogger({ service: 'settle-book-spec', level: 'fatal' });

  it('coalesces settles into one write per interval and deletes a segment once all its items are settled', async () => {
    const writes: Array<Array<{ seg: string; idx: number[]; complete: boolean }>> = [];
    const book = new SettleBook(async (u) => void writes.push(u), logger, 10_000);
    book.track({ id: 's1', count: 3, settled: [], recovered: [] });
    book.settle([item('a', 0)]);
    book.settle([item('a', 1)]);
    await book.flush();
    expect(writes).toEqual([[{ seg: 's1', idx: [0, 1], complete: false }]]);
    book.settle([item('a', 2), item('a', 2)]);
    await book.close();
    expect(writes[1]).toEqual([{ seg: 's1', idx: [2], complete: true }]);
    expect(book.has('s1')).toBe(false);
  });

  it('holds the settles of a segment not written yet, reports them for the write, and sends them once released', async () => {
    const writes: Array<Array<{ seg: string; idx: number[]; complete: boolean }>> = [];
    const book = new SettleBook(async (u) => void writes.push(u), logger, 10_000);
    book.track({ id: 's1', count: 3, settled: [], recovered: [] }, { held: true });
    book.settle([item('a', 0), item('a', 2)]);
    await book.flush();
    expect(writes).toEqual([]); // no segment document to update yet
    expect(book.settledOf('s1').sort()).toEqual([0, 2]);
    book.release(['s1']);
    await book.flush();
    expect(writes).toEqual([[{ seg: 's1', idx: [0, 2], complete: false }]]);
  });

  it('keeps what a failed write held for the next one', async () => {
    let fail = true;
    const writes: number[][] = [];
    const book = new SettleBook(async (u) => {
      if (fail) throw new Error('down');
      writes.push(u.flatMap((x) => x.idx));
    }, logger, 10_000);
    book.track({ id: 's1', count: 5, settled: [], recovered: [1] });
    book.settle([item('a', 0)]);
    await book.flush();
    fail = false;
    await book.close();
    expect(writes).toEqual([[1, 0]]);
  });
});

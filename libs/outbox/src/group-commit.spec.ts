import { GroupCommit, QueueTimeout } from './group-commit';

describe('GroupCommit', () => {
  it('writes items that arrive during a flush together in the next one, and tells each caller its outcome', async () => {
    const flushed: number[][] = [];
    let release!: () => void;
    let first = true;
    const gc = new GroupCommit<number>(async (items) => {
      flushed.push(items);
      if (first) {
        first = false;
        await new Promise<void>((r) => (release = r));
      }
      if (items.includes(-1)) throw new Error('bad batch');
    });
    const p1 = gc.add(1);
    const rest = [gc.add(2), gc.add(3), gc.add(-1)];
    release();
    await p1;
    const outcomes = await Promise.allSettled(rest);
    expect(flushed).toEqual([[1], [2, 3, -1]]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await gc.add(4);
    expect(flushed[2]).toEqual([4]);
  });

  it('caps a batch at maxBatch', async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number>(async (items) => {
      sizes.push(items.length);
    }, 3);
    await Promise.all(Array.from({ length: 8 }, (_, i) => gc.add(i)));
    expect(sizes).toEqual([1, 3, 3, 1]);
  });
});

describe('GroupCommit queue-time budget', () => {
  it('refuses items that waited longer than the budget without writing them, counts them, and estimates the wait', async () => {
    const { flushed, write, release } = firstFlushHeld();
    let expired = 0;
    const gc = new GroupCommit<number>(write, { maxWaitMs: 30, onExpired: (n) => (expired += n) });
    expect(gc.estimatedWaitMs()).toBe(0);
    const p1 = gc.add(1);
    const late = gc.add(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(gc.estimatedWaitMs()).toBeGreaterThanOrEqual(55);
    release();
    await p1;
    await expect(late).rejects.toBeInstanceOf(QueueTimeout);
    expect(expired).toBe(1);
    await gc.add(3);
    expect(flushed).toEqual([[1], [3]]);
  });
});

describe('GroupCommit commit delay (lingerMs)', () => {
  it('flushes a lone item at once, and while flushes follow each other waits until the oldest item is lingerMs old', async () => {
    const flushed: number[][] = [];
    const gc = new GroupCommit<number>(
      async (items) => {
        flushed.push(items);
      },
      { lingerMs: 1000 },
    );
    const t0 = performance.now();
    await gc.add(1); // quiet before: no delay (wide bounds: a loaded CI machine must not fail this)
    expect(performance.now() - t0).toBeLessThan(500);
    // Right after a flush: the next one waits for its oldest item to be 1 s old, gathering the later one.
    const t1 = performance.now();
    const second = gc.add(2);
    await new Promise((r) => setTimeout(r, 10));
    const third = gc.add(3);
    await Promise.all([second, third]);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(900); // without the delay: a few ms (timers may fire a little early)
    expect(flushed).toEqual([[1], [2, 3]]);
  });

  it('does not linger once lingerBatch items wait', async () => {
    const { flushed, write, release } = firstFlushHeld();
    const gc = new GroupCommit<number>(write, { lingerMs: 5000, lingerBatch: 3 });
    const p1 = gc.add(1);
    const rest = [gc.add(2), gc.add(3), gc.add(4)];
    const t0 = performance.now();
    release();
    await Promise.all([p1, ...rest]);
    expect(performance.now() - t0).toBeLessThan(2500);
    expect(flushed).toEqual([[1], [2, 3, 4]]);
  });
});

/** A writer that records each flush and holds the first one until `release()`: later items queue up behind it. */
function firstFlushHeld() {
  const flushed: number[][] = [];
  let releaseFirst: (() => void) | undefined;
  let first = true;
  const write = async (items: number[]) => {
    flushed.push(items);
    if (first) {
      first = false;
      await new Promise<void>((r) => (releaseFirst = r));
    }
  };
  return { flushed, write, release: () => releaseFirst!() };
}

import { SideBySide } from './side-by-side';

describe('SideBySide', () => {
  it('runs the calls of one turn as one, and every caller gets its outcome', async () => {
    const runs: number[][] = [];
    const gather = new SideBySide<number>(async (items) => {
      runs.push(items);
      if (items.includes(13)) throw new Error('thirteen');
    }, (n) => n % 10);
    await Promise.all([gather.add([1]), gather.add([2, 3]), gather.add([4])]);
    expect(runs).toEqual([[1, 2, 3, 4]]);
    const failing = [gather.add([5]), gather.add([13])];
    await expect(Promise.all(failing)).rejects.toThrow('thirteen');
    await expect(failing[0]).rejects.toThrow('thirteen');
    expect(runs[1]).toEqual([5, 13]);
  });

  it('starts a new run for a key already gathered (a partition is never in one run twice)', async () => {
    const runs: number[][] = [];
    const gather = new SideBySide<number>(async (items) => void runs.push(items), (n) => n % 10);
    await Promise.all([gather.add([1]), gather.add([2]), gather.add([11]), gather.add([3])]);
    expect(runs).toEqual([[1, 2], [11, 3]]);
  });
});

import { Lru } from './lru';

describe('Lru', () => {
  it('forgets the least recently used entry beyond its count', () => {
    const c = new Lru<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect([c.has('a'), c.has('b'), c.has('c')]).toEqual([true, false, true]);
  });

  it('bounds the total weight, re-weighing a value grown in place when it is set again', () => {
    const c = new Lru<string, Set<number>>(16, { maxWeight: 10, weigh: (s) => s.size });
    const a = new Set([1, 2, 3]);
    c.set('a', a);
    c.set('b', new Set([1, 2, 3, 4]));
    expect(c.weight).toBe(7);
    for (let i = 10; i < 15; i++) a.add(i); // 'a' grew to 8 while cached
    c.set('a', a);
    expect(c.has('b')).toBe(false); // 8 + 4 > 10: the older one goes
    expect(c.weight).toBe(8);
    c.set('big', new Set(Array.from({ length: 50 }, (_, i) => i)));
    expect([c.size, c.has('big'), c.weight]).toEqual([1, true, 50]); // the newest stays even alone over the bound
  });

  it('caches null (known absent) with weight 1', () => {
    const c = new Lru<string, Set<number> | null>(4, { maxWeight: 3, weigh: (s) => (s ? s.size : 1) });
    c.set('x', null);
    expect(c.get('x')).toBeNull();
    expect(c.get('y')).toBeUndefined();
  });
});

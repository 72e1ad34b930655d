import { SESSION_SILENCE_MS, SessionSpans } from './session-spans';

/** Oracle: sort the times and cut wherever the gap exceeds the silence. */
function sessionStarts(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.filter((t, i) => i === 0 || t - sorted[i - 1] > SESSION_SILENCE_MS);
}

describe('SessionSpans', () => {
  it('matches sort-and-cut for random times in random order', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const times = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * 12 * SESSION_SILENCE_MS));
      const spans = new SessionSpans();
      for (const t of times) spans.add(t);
      expect(spans.starts()).toEqual(sessionStarts(times));
    }
  });
});

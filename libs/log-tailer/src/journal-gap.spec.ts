import { cursorFields, journalGap } from './journal-gap';

const cursor = (s: string, i: number, t: number) => `s=${s};i=${i.toString(16)};b=5e1f0c0ffee0000000000000000000b0;m=${i.toString(16)};t=${t.toString(16)};x=b84d622d8af2219`;

describe('journal cursors and gaps', () => {
  it('reads the sequence number and time from a cursor (hex), and nothing from a cursor that lacks them', () => {
    expect(cursorFields(cursor('aa', 0x1f, 1_711_733_838_005_000))).toEqual({ seqnumId: 'aa', seqnum: 31n, realtimeUs: 1_711_733_838_005_000n });
    expect(cursorFields('garbage')).toEqual({ seqnumId: undefined, seqnum: undefined, realtimeUs: undefined });
  });

  it('bounds the lost entries by the sequence numbers when both cursors share a sequence, else leaves it unknown', () => {
    const g = journalGap(cursor('aa', 5, 1000), cursor('aa', 42, 9000), '9000');
    expect(g).toMatchObject({ entriesAtMost: 36, fromRealtimeUs: '1000', toRealtimeUs: '9000' });
    expect(journalGap(cursor('aa', 5, 1000), cursor('bb', 1, 9000), '9000').entriesAtMost).toBeUndefined();
  });
});

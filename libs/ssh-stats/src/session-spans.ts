/** A PID silent for longer than this and then seen again is a new session (the PID was reused). */
export const SESSION_SILENCE_MS = 24 * 60 * 60 * 1000;

interface Span {
  start: number;
  end: number;
}

/**
 * The sessions of one sshd PID: the times it was seen, grouped into spans whose neighbouring lines
 * are at most 24 h apart. Lines may arrive in any order — a late line can extend a span backwards or
 * bridge two spans into one — so the result depends only on the set of times, never on arrival order.
 */
export class SessionSpans {
  /**
   * Most PIDs have one span: it is kept in these two fields (one object per PID, not three — a log
   * has hundreds of thousands of PIDs); NaN before the first time.
   */
  private start = NaN;
  private end = NaN;
  /** Sorted by start; consecutive spans are more than SESSION_SILENCE_MS apart. Only once there are several. */
  private spans: Span[] | undefined;

  /** The spans of a PID seen so far as one span from `start` to `end` (which may be days apart). */
  static ofSpan(start: number, end: number): SessionSpans {
    const s = new SessionSpans();
    s.start = start;
    s.end = end;
    return s;
  }

  add(t: number): void {
    if (!this.spans) {
      if (Number.isNaN(this.start)) {
        this.start = this.end = t;
        return;
      }
      if (t >= this.start) {
        if (t <= this.end) return;
        if (t - this.end <= SESSION_SILENCE_MS) {
          this.end = t;
          return;
        }
      } else if (this.start - t <= SESSION_SILENCE_MS) {
        this.start = t;
        return;
      }
      this.spans = [{ start: this.start, end: this.end }];
    }
    const spans = this.spans;
    const last = spans[spans.length - 1];
    // Fast path: lines in time order extend the last span or open a new one after it.
    if (last && t >= last.start) {
      if (t <= last.end) return;
      if (t - last.end <= SESSION_SILENCE_MS) last.end = t;
      else spans.push({ start: t, end: t });
      return;
    }
    // First span whose end is within reach of t (binary search: ends are increasing).
    let lo = 0;
    let hi = spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid].end < t - SESSION_SILENCE_MS) lo = mid + 1;
      else hi = mid;
    }
    const span = spans[lo];
    if (!span || span.start > t + SESSION_SILENCE_MS) {
      spans.splice(lo, 0, { start: t, end: t });
      return;
    }
    span.start = Math.min(span.start, t);
    span.end = Math.max(span.end, t);
    while (lo + 1 < spans.length && spans[lo + 1].start - span.end <= SESSION_SILENCE_MS) {
      span.end = Math.max(span.end, spans[lo + 1].end);
      spans.splice(lo + 1, 1);
    }
  }

  /** Start time of every session. */
  starts(): number[] {
    if (this.spans) return this.spans.map((s) => s.start);
    return Number.isNaN(this.start) ? [] : [this.start];
  }
}

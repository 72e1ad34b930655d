import { SESSION_SILENCE_MS, SessionSpans } from './session-spans';

/**
 * The sessions of every sshd PID of one host, as SessionSpans would keep them, without one object per
 * PID: a log has hundreds of thousands of PIDs, and that many small long-lived objects cost more in
 * garbage collection (each is copied out of the young generation) than the counting itself. A PID's
 * single span lives in two typed arrays at its slot; a PID with several spans (a reused PID) moves to
 * a SessionSpans that starts from its span, so it holds exactly what it would have held all along.
 */
export class PidSessions {
  /** pid → slot: an open-addressing table (PIDs are positive 32-bit integers; 0 marks a free cell). */
  private keys = new Int32Array(1 << 12);
  private values = new Int32Array(1 << 12);
  private size = 0;
  /** PIDs the table cannot hold (not a positive 32-bit integer). */
  private readonly others = new Map<number, number>();
  private starts = new Float64Array(1024);
  private ends = new Float64Array(1024);
  /** slot → its spans, once it has more than one. */
  private readonly multi = new Map<number, SessionSpans>();
  private lastPid = -1;
  private lastSlot = -1;

  add(pid: number, t: number): void {
    let slot = this.lastSlot;
    if (pid !== this.lastPid) {
      const known = this.slotOf(pid);
      if (known < 0) {
        slot = this.size++;
        this.setSlot(pid, slot);
        if (slot === this.starts.length) this.grow();
        this.starts[slot] = t;
        this.ends[slot] = t;
        this.lastPid = pid;
        this.lastSlot = slot;
        return;
      }
      slot = known;
      this.lastPid = pid;
      this.lastSlot = slot;
    }
    const start = this.starts[slot];
    const end = this.ends[slot];
    if (Number.isNaN(start)) {
      this.multi.get(slot)!.add(t);
      return;
    }
    // SessionSpans.add's single-span branch.
    if (t >= start) {
      if (t <= end) return;
      if (t - end <= SESSION_SILENCE_MS) {
        this.ends[slot] = t;
        return;
      }
    } else if (start - t <= SESSION_SILENCE_MS) {
      this.starts[slot] = t;
      return;
    }
    const spans = SessionSpans.ofSpan(start, end);
    spans.add(t);
    this.multi.set(slot, spans);
    this.starts[slot] = NaN; // marks "see multi"
  }

  /** Start time of every session of every PID. */
  *starts_(): Iterable<number> {
    const n = this.size;
    for (let slot = 0; slot < n; slot++) {
      const start = this.starts[slot];
      if (Number.isNaN(start)) yield* this.multi.get(slot)!.starts();
      else yield start;
    }
  }

  private slotOf(pid: number): number {
    if (!(pid > 0 && pid <= 0x7fffffff && (pid | 0) === pid)) return this.others.get(pid) ?? -1;
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = hashOf(pid, keys.length); ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === pid) return this.values[i];
      if (k === 0) return -1;
    }
  }

  private setSlot(pid: number, slot: number): void {
    if (!(pid > 0 && pid <= 0x7fffffff && (pid | 0) === pid)) {
      this.others.set(pid, slot);
      return;
    }
    if ((this.size - this.others.size) * 2 > this.keys.length) this.rehash();
    this.insert(this.keys, this.values, pid, slot);
  }

  private insert(keys: Int32Array, values: Int32Array, pid: number, slot: number): void {
    const mask = keys.length - 1;
    let i = hashOf(pid, keys.length);
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = pid;
    values[i] = slot;
  }

  private rehash(): void {
    const keys = new Int32Array(this.keys.length * 2);
    const values = new Int32Array(this.keys.length * 2);
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) this.insert(keys, values, this.keys[i], this.values[i]);
    this.keys = keys;
    this.values = values;
  }

  private grow(): void {
    const starts = new Float64Array(this.starts.length * 2);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Float64Array(this.ends.length * 2);
    ends.set(this.ends);
    this.ends = ends;
  }
}

/**
 * PIDs are handed out in sequence: keeping neighbours in neighbouring cells (low bits as they are,
 * high bits folded in) keeps a log's lookups in cache; linear probing absorbs the collisions.
 */
function hashOf(pid: number, capacity: number): number {
  return (pid ^ (pid >>> 15) ^ (pid >>> 27)) & (capacity - 1);
}

import { auth } from './api.js';
import { html } from './format.js';

/**
 * Polls the current page every few seconds (paused while the tab is hidden) and says how fresh the
 * figures are: "Live" after a complete refresh, "Stale" when the last one failed in part or
 * nothing succeeded for three intervals — with the time of the last good data and the reason.
 * While the receiver's event stream (GET /v1/events/stream, server-sent events read with fetch so the
 * bearer token can be sent) is connected, a change it announces refreshes the page at once; polling
 * stays on as the fallback and for the other services' data.
 */
export class Live {
  constructor(el, intervalMs) {
    this.el = el;
    this.intervalMs = intervalMs;
    this.timer = undefined;
    this.refresh = undefined;
    this.lastGood = undefined;
    this.problems = [];
    this.running = false;
    this.generation = 0;
    this.push = 'off';
    this.pushAbort = undefined;
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.refresh) this.kick();
    });
    setInterval(() => this.show(), 1000);
  }

  /** Starts polling `refresh` (an async function returning a list of problems, empty when all is well). */
  watch(refresh) {
    this.refresh = refresh;
    this.lastGood = undefined;
    this.problems = [];
    this.generation++;
    this.kick();
  }

  stop() {
    this.refresh = undefined;
    this.generation++;
    clearTimeout(this.timer);
    this.el.hidden = true;
  }

  /** Refresh now (after a user action), then keep the rhythm. */
  async kick() {
    clearTimeout(this.timer);
    const gen = this.generation;
    if (!this.refresh || this.running) return;
    this.running = true;
    try {
      const problems = await this.refresh();
      if (gen !== this.generation) return;
      this.problems = problems ?? [];
      if (this.problems.length === 0) this.lastGood = Date.now();
    } catch (err) {
      if (gen === this.generation) this.problems = [err && err.short ? err.short : String(err && err.message)];
    } finally {
      this.running = false;
      if (gen === this.generation) {
        this.show();
        if (!document.hidden) this.timer = setTimeout(() => this.kick(), this.intervalMs);
      } else if (this.refresh) {
        // A page was mounted (watch()) while the old page's refresh was in flight: its first kick
        // returned early, so start it now — else the new page would wait for a push event.
        void this.kick();
      }
    }
  }

  /** Keeps the event stream open while signed in; reconnects after a pause when it drops. */
  async connectPush() {
    if (this.pushAbort) return;
    const abort = (this.pushAbort = new AbortController());
    while (!abort.signal.aborted && auth.token) {
      try {
        const res = await fetch('/v1/events/stream', { headers: { authorization: `Bearer ${auth.token}`, accept: 'text/event-stream' }, signal: abort.signal, cache: 'no-store' });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            if (event === 'ready') this.setPush('connected');
            else if (event === 'change') this.kick();
          }
        }
      } catch {
        /* dropped or refused: polling carries on; try again in a while */
      }
      this.setPush('off');
      if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 5000));
    }
    if (this.pushAbort === abort) this.pushAbort = undefined;
  }

  disconnectPush() {
    this.pushAbort?.abort();
    this.pushAbort = undefined;
    this.setPush('off');
  }

  setPush(state) {
    this.push = state;
    this.el.dataset.push = state;
    this.show();
  }

  get stale() {
    return this.problems.length > 0 || !this.lastGood || Date.now() - this.lastGood > 3 * this.intervalMs;
  }

  show() {
    if (!this.refresh) return;
    this.el.hidden = false;
    const last = this.lastGood ? new Date(this.lastGood).toLocaleTimeString() : 'never';
    const stale = this.stale;
    this.el.dataset.state = stale ? 'stale' : 'live';
    const why = this.problems.length ? ` — ${this.problems.join('; ')}` : '';
    const text = stale
      ? html`<span class="icon" aria-hidden="true">⚠</span> <strong>Stale</strong>: last complete update ${last}${why}`
      : html`<span class="icon" aria-hidden="true">●</span> <strong>Live</strong>: updated ${last}, ${this.push === 'connected' ? 'on change and ' : ''}every ${Math.round(this.intervalMs / 1000)} s`;
    const s = String(text);
    if (this.el.innerHTML !== s) this.el.innerHTML = s;
    // Screen readers hear the change between live and stale, not every tick of the clock.
    const announce = document.getElementById('announce');
    const said = stale ? `Data is stale${why}` : 'Data is live';
    if (announce && this.said !== (stale ? 'stale' : 'live')) {
      this.said = stale ? 'stale' : 'live';
      announce.textContent = said;
    }
  }
}

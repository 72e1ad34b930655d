// Replacing a region's HTML on each refresh without losing the user's place: the focused control
// and open <details> (matched by data-key) are restored after the swap.
const rendered = new WeakMap();

export function replaceRegion(el, content) {
  const s = String(content);
  if (rendered.get(el) === s) return;
  const active = document.activeElement;
  const focusKey = active && el.contains(active) ? active.dataset.key : undefined;
  const open = new Set([...el.querySelectorAll('details[open][data-key]')].map((d) => d.dataset.key));
  el.innerHTML = s;
  rendered.set(el, s);
  for (const d of el.querySelectorAll('details[data-key]')) if (open.has(d.dataset.key)) d.open = true;
  if (focusKey) {
    const again = [...el.querySelectorAll('[data-key]')].find((n) => n.dataset.key === focusKey);
    if (again) again.focus();
  }
}

/** A section's error line: what failed, in words. */
export function problemNote(what, err) {
  return `<p class="problem" role="note"><span class="icon" aria-hidden="true">⚠</span> ${escapeText(what)} unavailable: ${escapeText(err.short ?? err.message)}</p>`;
}
function escapeText(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Runs loaders in parallel; returns their values (undefined where one failed) and the failures. */
export async function loadAll(loaders) {
  const keys = Object.keys(loaders);
  const results = await Promise.allSettled(keys.map((k) => loaders[k]()));
  const values = {};
  const errors = {};
  keys.forEach((k, i) => {
    if (results[i].status === 'fulfilled') values[k] = results[i].value;
    else errors[k] = results[i].reason;
  });
  return { values, errors, problems: Object.values(errors).map((e) => e.short ?? e.message) };
}

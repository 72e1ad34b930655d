// Entry point: sign-in with the admin token (kept in sessionStorage), hash routing between the
// pages, and the live poller. Pages are modules with mount(root, ctx) → { refresh() }.
import { auth, request, setUnauthorizedHandler, ApiError } from './api.js';
import { Live } from './live.js';
import * as fleet from './pages/fleet.js';
import * as listeners from './pages/listeners.js';
import * as alerts from './pages/alerts.js';
import * as ssh from './pages/ssh.js';

const pages = { fleet, listeners, alerts, ssh };
const $ = (id) => document.getElementById(id);

const refreshSeconds = Number(new URLSearchParams(location.search).get('refresh'));
const live = new Live($('live'), Number.isFinite(refreshSeconds) && refreshSeconds >= 1 ? refreshSeconds * 1000 : 5000);
let current;

function parseHash() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const name = pages[path] ? path : 'fleet';
  return { name, params: new URLSearchParams(query) };
}

function showLogin(message) {
  live.stop();
  live.disconnectPush();
  current = undefined;
  $('page').replaceChildren();
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
  document.title = 'Sign in — Watchkeeper';
  $('token').focus();
}

function route() {
  if (!auth.token) return showLogin();
  $('login').hidden = true;
  $('nav').hidden = false;
  $('logout').hidden = false;
  const { name, params } = parseHash();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const page = pages[name];
  document.title = `${page.title} — Watchkeeper`;
  const root = $('page');
  root.replaceChildren();
  const ctx = {
    params,
    refreshNow: () => live.kick(),
    setParams: (next) => {
      history.replaceState(null, '', `#/${name}?${new URLSearchParams(next)}`);
    },
  };
  current = page.mount(root, ctx);
  live.watch(() => current.refresh());
  void live.connectPush();
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const token = $('token').value.trim();
  if (token.length < 16) {
    $('login-error').textContent = 'An admin token has at least 16 characters.';
    return;
  }
  try {
    await request('/v1/host-health', { token });
  } catch (err) {
    $('login-error').textContent = err instanceof ApiError && err.status === 401 ? 'This token was not accepted.' : `Cannot sign in: ${err.short ?? err.message}`;
    return;
  }
  auth.token = token;
  $('token').value = '';
  route();
  $('main').focus();
});

$('logout').addEventListener('click', () => {
  auth.token = null;
  showLogin('Signed out.');
});

setUnauthorizedHandler(() => {
  auth.token = null;
  showLogin('The token is no longer accepted; sign in again.');
});

window.addEventListener('hashchange', () => {
  route();
  const h = document.querySelector('#page h1');
  if (h) h.focus();
});
route();

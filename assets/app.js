// The app: session state, the router (History API, deep links) and the signed-in shell.

import { h, mount } from './dom.js';
import { get, post } from './api.js';
import { visibleSections, sectionFor } from './sections.js';
import { setupView } from './views/setup.js';
import { loginView } from './views/login.js';
import { lockView } from './views/lock.js';
import { notFound } from './views/not_found.js';
import { applyTheme, toggleTheme, currentTheme } from './theme.js';

const root = document.getElementById('app');
const state = { status: null, returnTo: '/' };

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  render();
}

async function refreshStatus() {
  state.status = await get('/api/auth/status', { quiet: true });
  return state.status;
}

// After a sign-in, unlock or setup: reload the status and go where the user was heading.
export async function signedIn() {
  await refreshStatus();
  const target = state.returnTo && !['/login', '/setup', '/lock'].includes(state.returnTo) ? state.returnTo : '/';
  state.returnTo = '/';
  navigate(target, { replace: true });
}

export async function signOut() {
  try {
    await post('/api/auth/logout', undefined, { quiet: true });
  } finally {
    state.status = await refreshStatus().catch(() => null);
    navigate('/login', { replace: true });
  }
}

export async function lockSession() {
  await post('/api/auth/lock');
  await refreshStatus();
  navigate('/lock', { replace: true });
}

function redirect(path) {
  if (location.pathname !== path) {
    if (!['/login', '/setup', '/lock'].includes(location.pathname)) state.returnTo = location.pathname;
    history.replaceState({}, '', path);
  }
}

async function render() {
  let status = state.status;
  if (!status) {
    try {
      status = await refreshStatus();
    } catch (error) {
      mount(root, h('main', { class: 'centered' }, h('div', { class: 'card' },
        h('h1', {}, 'UMBRA is not answering'), h('p', {}, error.message),
        h('button', { class: 'primary', onclick: () => render() }, 'Try again'))));
      return;
    }
  }
  const path = location.pathname;
  if (status.setup_required) {
    redirect('/setup');
    return mount(root, setupView());
  }
  if (!status.authenticated) {
    redirect('/login');
    return mount(root, loginView(status));
  }
  if (status.locked) {
    redirect('/lock');
    return mount(root, lockView(status.user));
  }
  if (['/login', '/setup', '/lock'].includes(path)) {
    history.replaceState({}, '', '/');
  }
  // Some states allow one page only: a forced password change, a required second factor.
  if (status.must_change_password && location.pathname !== '/settings/password') {
    history.replaceState({}, '', '/settings/password');
  } else if (!status.must_change_password && status.second_factor_missing && location.pathname !== '/settings/security') {
    history.replaceState({}, '', '/settings/security');
  }
  mount(root, shell(status));
}

function navLink(section, current, extraClass = '') {
  const active = current === section;
  return h('a', {
    href: section.path,
    class: `nav-link ${extraClass}`,
    'aria-current': active ? 'page' : null,
    onclick: (event) => { event.preventDefault(); closeDrawer(); navigate(section.path); },
  }, h('span', { class: 'icon', 'aria-hidden': 'true' }, section.icon), h('span', { class: 'label' }, section.label));
}

function closeDrawer() {
  document.body.classList.remove('drawer-open');
}

function userMenu(user) {
  const menu = h('div', { class: 'menu', role: 'menu', hidden: true });
  const button = h('button', {
    class: 'user-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    onclick: () => {
      menu.hidden = !menu.hidden;
      button.setAttribute('aria-expanded', String(!menu.hidden));
      if (!menu.hidden) menu.querySelector('button')?.focus();
    },
  }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, user.username.slice(0, 1).toUpperCase()), user.username);
  const item = (label, action) => h('button', { role: 'menuitem', onclick: () => { menu.hidden = true; action(); } }, label);
  mount(menu,
    h('p', { class: 'menu-heading' }, `Signed in as ${user.username}`, h('br'), h('small', {}, user.role === 'admin' ? 'Administrator' : 'Member')),
    item('Change password', () => navigate('/settings/password')),
    item(currentTheme() === 'light' ? 'Dark theme' : 'Light theme', () => { toggleTheme(); render(); }),
    item('Lock screen', () => lockSession()),
    item('Sign out', () => signOut()));
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { menu.hidden = true; button.setAttribute('aria-expanded', 'false'); button.focus(); }
  });
  return h('div', { class: 'user-menu' }, button, menu);
}

// Reloads the status (after a change that affects it) and renders again.
async function refresh() {
  await refreshStatus();
  render();
}

function shell(status) {
  const { user } = status;
  const path = location.pathname;
  const sections = visibleSections(user);
  const current = sectionFor(path, user);
  const main = sections.filter((s) => s.place === 'main');
  const bottom = sections.filter((s) => s.place === 'bottom');
  const content = current ? current.render({ user, status, path, navigate, refresh }) : notFound();
  const title = current ? current.label : 'Not found';
  document.title = `${title} · UMBRA`;
  return h('div', { class: 'shell' },
    h('a', { class: 'skip-link', href: '#content' }, 'Skip to content'),
    h('header', { class: 'topbar' },
      h('button', { class: 'drawer-button', 'aria-label': 'Open navigation', onclick: () => document.body.classList.toggle('drawer-open') }, '☰'),
      h('a', { class: 'brand', href: '/', onclick: (e) => { e.preventDefault(); navigate('/'); } }, 'UMBRA'),
      h('div', { class: 'spacer' }),
      userMenu(user)),
    h('nav', { class: 'sidebar', 'aria-label': 'Sections' },
      h('div', { class: 'nav-main' }, main.map((s) => navLink(s, current))),
      h('div', { class: 'nav-bottom' }, bottom.map((s) => navLink(s, current)))),
    h('div', { class: 'scrim', onclick: closeDrawer }),
    h('main', { id: 'content', class: 'content', tabindex: '-1' }, content),
    h('nav', { class: 'tabbar', 'aria-label': 'Main sections' }, sections.filter((s) => s.tab).slice(0, 5).map((s) => navLink(s, current, 'tab'))));
}

window.addEventListener('popstate', () => render());
window.addEventListener('umbra:signed-out', async () => { state.status = null; render(); });
window.addEventListener('umbra:locked', async () => { state.status = null; render(); });

applyTheme();
render();

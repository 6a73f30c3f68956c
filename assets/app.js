// The app: the router (History API, deep links) and the signed-in shell. Views never import
// this module: they use nav.js, session.js and the kit, so there is no import cycle.

import { h, mount } from './dom.js';
import { icon } from './icons.js';
import { menuButton } from './menu.js';
import { linkProps, navigate, onNavigate } from './nav.js';
import { isOutsidePath, lockSession, refreshStatus, rememberReturn, session, signOut } from './session.js';
import { visibleSections, sectionFor } from './sections.js';
import { setupView } from './views/setup.js';
import { loginView } from './views/login.js';
import { registerView } from './views/register.js';
import { lockView } from './views/lock.js';
import { notFound } from './views/not_found.js';
import { applyTheme, toggleTheme, currentTheme } from './theme.js';
import { bell } from './views/notifications/bell.js';
import { syncSettings } from './views/settings/sync.js';

const root = document.getElementById('app');

// Sends a signed-out or locked visitor to `path`, remembering where they were heading.
function redirect(path) {
  if (location.pathname !== path) {
    rememberReturn(location.pathname);
    history.replaceState({}, '', path);
  }
}

// After a navigation the new view's heading gets the focus: a screen reader announces the
// page once, and keyboard users start at its top.
function focusHeading() {
  const heading = root.querySelector('h1');
  if (!heading) return;
  heading.setAttribute('tabindex', '-1');
  heading.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

async function render({ moved = false } = {}) {
  closeDrawer();
  let { status } = session;
  if (!status) {
    try {
      status = await refreshStatus();
    } catch (error) {
      mount(root, h('main', { class: 'centered' }, h('div', { class: 'card auth-card' },
        h('h1', {}, 'UMBRA is not answering'), h('p', {}, error.message),
        h('button', { class: 'primary', onclick: () => render() }, 'Try again'))));
      return;
    }
  }
  mount(root, view(status));
  if (moved) focusHeading();
}

function view(status) {
  const path = location.pathname;
  if (status.setup_required) {
    redirect('/setup');
    return setupView();
  }
  if (!status.authenticated) {
    if (path === '/register' && status.registration_open) return registerView();
    redirect('/login');
    return loginView(status);
  }
  if (status.locked) {
    redirect('/lock');
    return lockView(status.user);
  }
  if (isOutsidePath(path)) history.replaceState({}, '', '/');
  syncSettings(status.user);
  // Some states allow one page only: a forced password change, a required second factor.
  if (status.must_change_password && location.pathname !== '/settings/password') {
    history.replaceState({}, '', '/settings/password');
  } else if (!status.must_change_password && status.second_factor_missing && location.pathname !== '/settings/security') {
    history.replaceState({}, '', '/settings/security');
  }
  return shell(status);
}

// What, in the status, changes what the shell shows: a refresh that changes none of it
// leaves the page (and its messages) alone.
function shape(status) {
  return JSON.stringify([status.authenticated, status.locked, status.must_change_password, status.second_factor_missing,
    status.totp_enabled, status.user && status.user.role]);
}

// Reloads the status after a change that may affect it; draws again only if it did.
async function refresh() {
  const before = session.status ? shape(session.status) : '';
  await refreshStatus();
  if (shape(session.status) !== before) render();
}

// ---- The drawer (the sidebar on narrow screens)

function drawerEscape(event) {
  if (event.key === 'Escape') closeDrawer({ refocus: true });
}

function openDrawer() {
  document.body.classList.add('drawer-open');
  document.querySelector('.drawer-button')?.setAttribute('aria-expanded', 'true');
  document.addEventListener('keydown', drawerEscape);
  document.querySelector('.sidebar a')?.focus();
}

function closeDrawer({ refocus = false } = {}) {
  if (!document.body.classList.contains('drawer-open')) return;
  document.body.classList.remove('drawer-open');
  document.removeEventListener('keydown', drawerEscape);
  const button = document.querySelector('.drawer-button');
  button?.setAttribute('aria-expanded', 'false');
  if (refocus) button?.focus();
}

function navLink(section, current, extraClass = '') {
  return h('a', {
    ...linkProps(section.path),
    class: `nav-link ${extraClass}`,
    'aria-current': current === section ? 'page' : null,
  }, icon(section.icon), h('span', { class: 'label' }, section.label), section.soon && !extraClass ? h('span', { class: 'soon' }, 'soon') : null);
}

function userMenu(user) {
  const light = currentTheme() === 'light';
  return menuButton({
    label: `Account menu for ${user.username}`,
    className: 'user-button',
    content: [h('span', { class: 'avatar', 'aria-hidden': 'true' }, user.username.slice(0, 1).toUpperCase()),
      h('span', { class: 'username' }, user.username), icon('chevron')],
    items: [
      { heading: [`Signed in as ${user.username}`, h('br'), h('small', {}, user.role === 'admin' ? 'Administrator' : 'Member')] },
      { label: 'Change password', icon: icon('key'), onSelect: () => navigate('/settings/password') },
      { label: light ? 'Dark theme' : 'Light theme', icon: icon(light ? 'moon' : 'sun'), onSelect: () => { toggleTheme(); render(); } },
      { label: 'Lock screen', icon: icon('lock'), onSelect: () => lockSession() },
      { label: 'Sign out', icon: icon('signout'), onSelect: () => signOut() },
    ],
  });
}

function shell(status) {
  const { user } = status;
  const path = location.pathname;
  const sections = visibleSections(user);
  const current = sectionFor(path, user);
  const content = current ? current.render({ user, status, path, navigate, refresh }) : notFound();
  document.title = `${current ? current.label : 'Not found'} · UMBRA`;
  return h('div', { class: 'shell' },
    h('a', { class: 'skip-link', href: '#content' }, 'Skip to content'),
    h('header', { class: 'topbar' },
      h('button', {
        type: 'button', class: 'drawer-button icon-button', 'aria-label': 'Navigation', 'aria-expanded': 'false', 'aria-controls': 'sidebar',
        onclick: () => (document.body.classList.contains('drawer-open') ? closeDrawer() : openDrawer()),
      }, icon('menu')),
      h('a', { ...linkProps('/'), class: 'brand' }, 'UMBRA'),
      h('div', { class: 'spacer' }),
      bell(),
      userMenu(user)),
    h('nav', { id: 'sidebar', class: 'sidebar', 'aria-label': 'Sections' },
      h('div', { class: 'nav-main' }, sections.filter((s) => s.place === 'main').map((s) => navLink(s, current))),
      h('div', { class: 'nav-bottom' }, sections.filter((s) => s.place === 'bottom').map((s) => navLink(s, current)))),
    h('div', { class: 'scrim', onclick: () => closeDrawer() }),
    h('main', { id: 'content', class: 'content', tabindex: '-1' }, content),
    h('nav', { class: 'tabbar', 'aria-label': 'Main sections' },
      sections.filter((s) => s.tab && !s.soon).slice(0, 5).map((s) => navLink(s, current, 'tab'))));
}

onNavigate(render);
window.addEventListener('popstate', () => render({ moved: true }));
window.addEventListener('umbra:signed-out', () => { session.status = null; render({ moved: true }); });
window.addEventListener('umbra:locked', () => { session.status = null; render({ moved: true }); });

applyTheme();
render();

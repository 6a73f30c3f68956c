// The Calendar section: routes (/calendar[/month|week|day|agenda[/YYYY-MM-DD]],
// /calendar/invitations), the toolbar (period, previous/today/next, views, new event), the
// keyboard (←/→, t, n, m/w/d/a — not while typing), the views and the calendar list. Moving
// between periods updates the address without redrawing the page, so focus stays put.

import { h, mount } from '../../dom.js';
import { notFound } from '../not_found.js';
import { linkProps } from '../../nav.js';
import { toast } from '../../toast.js';
import { agendaKinds, agendaView, AGENDA_DAYS } from './agenda.js';
import { calendarsPanel } from './calendars_panel.js';
import { getEvent, loadBirthdays, loadCalendars, loadRange, loadSettings, loadTodos, moveBody, resizeBody, updateEvent } from './data.js';
import { openEventDialog } from './event_dialog.js';
import { invitationsPage, pendingCount } from './invitations.js';
import { itemKey } from './items.js';
import { monthRange, monthView } from './month.js';
import { askScope } from './scope.js';
import { addDays, addMonths, dayText, instantAt, startOfWeek, today, validDate } from './time.js';
import { timeGrid } from './week_day.js';

const VIEWS = [['month', 'Month', 'm'], ['week', 'Week', 'w'], ['day', 'Day', 'd'], ['agenda', 'Agenda', 'a']];
const LAST_VIEW = 'umbra-calendar-view';

function parse(path) {
  const parts = path.replace(/^\/calendar\/?/, '').split('/').filter(Boolean);
  if (parts.length === 0) return { view: localStorage.getItem(LAST_VIEW) || 'month', anchor: null };
  if (parts.length === 1 && parts[0] === 'invitations') return { invitations: true };
  if (!VIEWS.some(([v]) => v === parts[0]) || parts.length > 2 || (parts[1] && !validDate(parts[1]))) return null;
  return { view: parts[0], anchor: parts[1] || null };
}

function range(view, anchor, weekStart) {
  if (view === 'month') return monthRange(anchor, weekStart);
  if (view === 'week') { const first = startOfWeek(anchor, weekStart); return { first, last: addDays(first, 6) }; }
  if (view === 'day') return { first: anchor, last: anchor };
  return { first: anchor, last: addDays(anchor, AGENDA_DAYS - 1) };
}

function step(view, anchor, n) {
  if (view === 'month') return addMonths(anchor, n);
  return addDays(anchor, n * ({ week: 7, day: 1, agenda: AGENDA_DAYS }[view]));
}

function periodText(view, anchor, weekStart) {
  const { first, last } = range(view, anchor, weekStart);
  if (view === 'month') return dayText(anchor, 'month');
  if (view === 'day') return dayText(anchor);
  return `${dayText(first, 'day-month')} – ${dayText(last, 'day-month')}`;
}

// Keys belong to a field being typed in (not to a focused checkbox or button).
const NOT_TYPING = ['checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file'];
const typing = (el) => el && (el.isContentEditable || ['TEXTAREA', 'SELECT'].includes(el.tagName)
  || (el.tagName === 'INPUT' && !NOT_TYPING.includes(el.type)));

export function calendar(context) {
  const route = parse(context.path);
  if (!route) return notFound();
  const settingsPromise = loadSettings();
  if (route.invitations) return invitationsPage(settingsPromise);

  const state = { view: route.view, anchor: route.anchor, settings: null, calendars: [], items: [], tooFull: [], kinds: agendaKinds() };
  const period = h('h2', { class: 'cal-period', id: 'cal-period', 'aria-live': 'polite' });
  const viewButtons = VIEWS.map(([v, label, key]) => h('button', {
    type: 'button', class: 'small view-button', dataset: { view: v }, 'aria-keyshortcuts': key, onclick: () => state.anchor && go(v, state.anchor),
  }, label));
  const invitesLink = h('a', { ...linkProps('/calendar/invitations'), class: 'button small invites-link' }, 'Invitations');
  const main = h('div', { class: 'cal-main', 'aria-busy': 'true' }, h('p', { class: 'muted loading' }, 'Loading…'));
  const side = h('div', { class: 'cal-side' });
  const ctx = { settings: null, calendars: [], reload: () => reload() };
  let ticket = 0;

  const draw = () => {
    const { settings } = state;
    period.textContent = periodText(state.view, state.anchor, settings.weekStart);
    viewButtons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.view === state.view)));
    const hidden = new Set(state.calendars.filter((c) => c.hidden).map((c) => c.id));
    const items = state.items.filter((i) => i.kind !== 'event' || !hidden.has(i.calendar_id));
    const { first } = range(state.view, state.anchor, settings.weekStart);
    const common = { anchor: state.anchor, today: today(settings.zone), settings, items, onOpen, onNew, onMove, onResize, onDay: (day) => go('day', day) };
    const views = {
      month: () => monthView(common),
      week: () => timeGrid({ ...common, first, count: 7 }),
      day: () => timeGrid({ ...common, first, count: 1 }),
      agenda: () => agendaView({ ...common, first, kinds: state.kinds, onKinds: (kinds) => { state.kinds = kinds; draw(); } }),
    };
    const notice = state.tooFull.length ? h('p', { class: 'cal-notice', role: 'status' },
      `Too many events in this period to show: ${state.tooFull.join(', ')}. Choose a shorter view, or hide or leave that calendar.`) : null;
    mount(main, ...[notice, views[state.view]()].filter(Boolean));
    main.dataset.view = state.view;
    main.dataset.first = first;
  };

  const drawSide = () => mount(side, calendarsPanel({ calendars: state.calendars, onToggle: draw, onChanged: () => reload({ calendars: true }) }),
    h('p', { class: 'hint keys-hint' }, 'Keys: ← → previous/next, t today, n new event, m w d a views; Shift+↓ ↑ on an event: end later/earlier.'));

  async function reload({ calendars = false } = {}) {
    const mine = ++ticket;
    main.setAttribute('aria-busy', 'true');
    try {
      if (!state.settings) {
        state.settings = await settingsPromise;
        ctx.settings = state.settings;
        state.anchor ||= today(state.settings.zone);
      }
      if (calendars || !state.calendars.length) {
        state.calendars = await loadCalendars();
        ctx.calendars = state.calendars;
        drawSide();
      }
      const { first, last } = range(state.view, state.anchor, state.settings.weekStart);
      const zone = state.settings.zone;
      const extra = state.view === 'agenda'
        ? [loadBirthdays(first, last, zone).catch(() => []), loadTodos(first, last, zone).catch(() => [])] : [];
      const [events, ...more] = await Promise.all([loadRange(first, last, zone, state.calendars), ...extra]);
      if (mine !== ticket) return;
      state.items = [...events.items, ...more.flat()];
      state.tooFull = events.tooFull;
      draw();
    } catch (error) {
      if (mine !== ticket || error.signedOut) return;
      mount(main, h('div', { class: 'load-error', role: 'alert' }, h('p', { class: 'form-error' }, error.message),
        h('button', { type: 'button', onclick: () => reload({ calendars: true }) }, 'Try again')));
    } finally {
      if (mine === ticket) main.removeAttribute('aria-busy');
    }
  }

  function go(view, anchor) {
    state.view = view;
    state.anchor = anchor;
    localStorage.setItem(LAST_VIEW, view);
    const path = `/calendar/${view}/${anchor}`;
    if (location.pathname !== path) history.pushState({}, '', path);
    reload();
  }

  async function onOpen(item) {
    if (item.kind !== 'event') return;
    try {
      openEventDialog({ item, series: await getEvent(item.event_id), ctx });
    } catch (error) {
      if (!error.signedOut) toast(error.message, { kind: 'error' });
    }
  }

  function onNew(preset = {}) {
    if (!ctx.calendars.length) return;
    openEventDialog({ preset: { start_date: preset.start ? undefined : preset.start_date || state.anchor, ...preset }, ctx });
  }

  // Changes one occurrence: for a series, asks which occurrences first (`verb` names the
  // change) and, for "all", reads the series for `makeBody`; then PATCHes, tells, reloads.
  // Resolves false when the user cancelled the scope prompt.
  async function changeOccurrence(item, verb, makeBody, done) {
    try {
      let scope = null;
      let series = null;
      if (item.recurrence_id) {
        scope = await askScope({ verb, title: item.title });
        if (!scope) { draw(); return false; }
        if (scope === 'all') series = await getEvent(item.event_id);
      }
      await updateEvent(item.event_id, makeBody(series), scope, item.recurrence_id);
      toast(done);
    } catch (error) {
      if (!error.signedOut) toast(error.message, { kind: 'error' });
    }
    await reload();
    return true;
  }

  // After a key the redrawn item gets focus back, so the next key goes on from there.
  const refocus = (item) => main.querySelector(`[data-key="${CSS.escape(itemKey(item))}"]`)?.focus();

  // A drag's drop (or Alt+arrow): moves the occurrence.
  async function onMove(item, change, byKey = false) {
    const startMs = item.all_day ? undefined : change.startMs ?? instantAt(addDays(item.startWall.date, change.days), item.startWall.minutes, state.settings.zone);
    const changed = await changeOccurrence(item, 'Move', (series) => moveBody(item, { startMs, days: change.days || 0 }, series), `Moved “${item.title}”.`);
    if (changed && byKey) refocus(item);
  }

  // A bottom edge's drop (or Shift+↓/↑): a new end for the occurrence.
  async function onResize(item, endMs, byKey = false) {
    const changed = await changeOccurrence(item, 'Change', (series) => resizeBody(item, endMs, series), `Changed the end of “${item.title}”.`);
    if (changed && byKey) refocus(item);
  }

  const page = h('div', { class: 'page calendar-page' },
    h('div', { class: 'cal-toolbar' },
      h('h1', {}, 'Calendar'),
      period,
      h('div', { class: 'cal-nav', role: 'group', 'aria-label': 'Period' },
        h('button', { type: 'button', class: 'small', 'aria-label': 'Previous period', 'aria-keyshortcuts': 'ArrowLeft', onclick: () => state.anchor && go(state.view, step(state.view, state.anchor, -1)) }, '‹'),
        h('button', { type: 'button', class: 'small', 'aria-keyshortcuts': 't', onclick: () => state.settings && go(state.view, today(state.settings.zone)) }, 'Today'),
        h('button', { type: 'button', class: 'small', 'aria-label': 'Next period', 'aria-keyshortcuts': 'ArrowRight', onclick: () => state.anchor && go(state.view, step(state.view, state.anchor, 1)) }, '›')),
      h('div', { class: 'cal-views', role: 'group', 'aria-label': 'View' }, viewButtons),
      h('div', { class: 'cal-actions' },
        invitesLink,
        h('button', { type: 'button', class: 'primary small', id: 'new-event', 'aria-keyshortcuts': 'n', onclick: () => onNew() }, 'New event'))),
    h('div', { class: 'cal-layout' }, main, side));

  const onKey = (event) => {
    if (!page.isConnected) { document.removeEventListener('keydown', onKey); return; }
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target) || document.querySelector('dialog[open]')) return;
    if (!state.settings) return;
    const actions = {
      ArrowLeft: () => go(state.view, step(state.view, state.anchor, -1)),
      ArrowRight: () => go(state.view, step(state.view, state.anchor, 1)),
      t: () => go(state.view, today(state.settings.zone)),
      n: () => onNew(),
      ...Object.fromEntries(VIEWS.map(([v, , key]) => [key, () => go(v, state.anchor)])),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };
  document.addEventListener('keydown', onKey);
  reload();
  pendingCount().then((n) => { if (n) invitesLink.textContent = `Invitations (${n})`; });
  return page;
}

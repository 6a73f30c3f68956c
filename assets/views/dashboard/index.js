// The dashboard, the home page: Today, Overdue, Next 7 days, My tasks, Weather and unread
// notifications, each a card with its own empty state and a link to its section. The page
// is drawn at once with every card loading; the dashboard and the weather are asked in
// parallel and each card fills when its answer comes, so a slow weather provider never holds
// up the rest (and a failure shows in its card only, with "Try again").

import { h, mount } from '../../dom.js';
import { get } from '../../api.js';
import { dateWords } from '../../format.js';
import { linkProps } from '../../nav.js';
import { dayWords, itemLine, taskLine } from './items.js';
import { weatherBody } from './weather.js';

// A card: heading, link to its section, and a body that starts as a loading skeleton.
function card(key, title, link, linkText) {
  const body = h('div', { class: 'dash-body', 'aria-busy': 'true' },
    h('span', { class: 'visually-hidden' }, 'Loading…'),
    h('span', { class: 'skeleton', 'aria-hidden': 'true' }), h('span', { class: 'skeleton', 'aria-hidden': 'true' }),
    h('span', { class: 'skeleton short', 'aria-hidden': 'true' }));
  const el = h('section', { class: `card dash-card dash-${key}`, 'aria-labelledby': `dash-${key}-title`, dataset: { card: key } },
    h('div', { class: 'dash-head' },
      h('h2', { id: `dash-${key}-title` }, title),
      h('a', { ...linkProps(link), class: 'dash-more' }, linkText)),
    body);
  const fill = (...children) => {
    body.removeAttribute('aria-busy');
    mount(body, ...children);
  };
  return { el, fill };
}

const empty = (text, action) => h('div', { class: 'dash-empty' }, h('p', { class: 'muted' }, text), action || null);
const list = (label, items) => h('ul', { class: 'dash-list', 'aria-label': label }, items);

export function dashboard({ user }) {
  const cards = {
    today: card('today', 'Today', '/calendar/day', 'Calendar'),
    overdue: card('overdue', 'Overdue', '/todos', 'Todos'),
    week: card('week', 'Next 7 days', '/calendar/agenda', 'Agenda'),
    tasks: card('tasks', 'My tasks', '/projects', 'Projects'),
    weather: card('weather', 'Weather', '/settings/preferences', 'Settings'),
    notifications: card('notifications', 'Notifications', '/notifications', 'All notifications'),
  };
  const dateLine = h('p', { class: 'muted dash-date' }, dateWords(new Date(), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }));
  let weatherShown = false;

  const fillDashboard = (d) => {
    dateLine.textContent = dayWords(d.date, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    cards.today.fill(d.today.length
      ? list('Today', d.today.map((item) => itemLine(item, { today: d.date })))
      : empty('Nothing planned for today. Add an event in the Calendar or a todo for today.',
        h('a', { ...linkProps('/calendar'), class: 'button small' }, 'Open the calendar')));
    cards.overdue.fill(d.overdue_todos.length
      ? list('Overdue todos', d.overdue_todos.map((item) => itemLine(item, { withDate: true })))
      : empty('No overdue todos. Well done.'));
    cards.week.fill(d.next_7_days.length
      ? h('div', { class: 'dash-days' }, d.next_7_days.map((day) => h('div', { class: 'dash-day', dataset: { date: day.date } },
        h('h3', {}, dayWords(day.date)),
        list(dayWords(day.date), day.items.map((item) => itemLine(item))))))
      : empty('Nothing in the next seven days.'));
    cards.tasks.fill(d.assigned_tasks.length
      ? list('Tasks assigned to me', d.assigned_tasks.map(taskLine))
      : empty('No open tasks are assigned to you. Tasks in your projects show here once someone assigns them to you.',
        h('a', { ...linkProps('/projects'), class: 'button small' }, 'Open projects')));
    const n = d.unread_notifications;
    cards.notifications.fill(n
      ? h('p', { class: 'dash-count' }, h('strong', {}, String(n)), n === 1 ? ' unread notification' : ' unread notifications')
      : empty('You are all caught up: no unread notifications.'));
    if (!weatherShown && d.weather) {
      weatherShown = true;
      cards.weather.fill(weatherBody(d.weather));
    }
  };

  const failed = (keys, error, retry) => {
    if (error.signedOut) return;
    for (const key of keys) {
      cards[key].fill(h('div', { class: 'load-error', role: 'alert' },
        h('p', { class: 'form-error' }, error.message),
        h('button', { type: 'button', class: 'small', onclick: retry }, 'Try again')));
    }
  };

  const loadDashboard = () => get('/api/dashboard').then(fillDashboard,
    (error) => failed(['today', 'overdue', 'week', 'tasks', 'notifications'], error, loadDashboard));
  const loadWeather = () => get('/api/weather').then((view) => {
    weatherShown = true;
    cards.weather.fill(weatherBody(view));
  }, (error) => { if (!weatherShown) failed(['weather'], error, loadWeather); });
  loadDashboard();
  loadWeather();

  return h('div', { class: 'page dashboard-page' },
    h('div', { class: 'dash-greeting' }, h('h1', {}, `Hello, ${user.username}`), dateLine),
    h('div', { class: 'dash-grid' },
      cards.today.el, cards.overdue.el, cards.tasks.el, cards.weather.el, cards.week.el, cards.notifications.el));
}

// The invitation inbox (/calendar/invitations): calendars offered to the user (accept or
// decline) and invitations to events, by answer (pending, accepted, maybe, declined), each
// answerable here (RSVP). The calendar page shows how many wait (`pendingCount`).

import { h, mount } from '../../dom.js';
import { get, itemsOf, post } from '../../api.js';
import { load } from '../../load.js';
import { linkProps } from '../../nav.js';
import { toast } from '../../toast.js';
import { LEVELS, personName } from './share_dialog.js';
import { clockText, dayText, addDays, wallClock } from './time.js';

const STATUSES = [['pending', 'Waiting'], ['accepted', 'Accepted'], ['tentative', 'Maybe'], ['declined', 'Declined']];
const ANSWERS = [['accepted', 'Accept'], ['tentative', 'Maybe'], ['declined', 'Decline']];

export async function pendingCount() {
  const [shares, invitations] = await Promise.all([
    get('/api/shared-calendars?direction=incoming&limit=500').then(itemsOf).catch(() => []),
    get('/api/event-invitations?status=pending&limit=500').then(itemsOf).catch(() => []),
  ]);
  return shares.filter((s) => s.status === 'pending').length + invitations.length;
}

function whenOf(invitation, settings) {
  const ev = invitation.event || invitation;
  if (ev.all_day) {
    const last = ev.end_date ? addDays(ev.end_date, -1) : ev.start_date;
    return last && last !== ev.start_date ? `${dayText(ev.start_date)} – ${dayText(last)}` : dayText(ev.start_date);
  }
  if (!ev.start) return '';
  const from = wallClock(Date.parse(ev.start), settings.zone);
  return `${dayText(from.date)}, ${clockText(from.minutes, settings.hour12)}`;
}

function sharesCard(reloadCount) {
  const body = h('div');
  const reload = load(body, {
    fetch: async () => itemsOf(await get('/api/shared-calendars?direction=incoming&limit=500')).filter((s) => s.status === 'pending'),
    empty: h('p', { class: 'muted' }, 'No calendars are waiting for you. When a connection shares one, it shows here.'),
    render: (shares) => h('ul', { class: 'plain invite-list' }, shares.map((share) => {
      const name = (share.calendar && share.calendar.name) || share.calendar_name || 'A calendar';
      const from = personName(share.owner || share.shared_by || (share.calendar && share.calendar.owner));
      const level = (LEVELS.find(([v]) => v === share.level) || [null, share.level])[1];
      const answer = (verb) => async () => {
        try {
          await post(`/api/shared-calendars/${share.id}/${verb}`);
          toast(verb === 'accept' ? `“${name}” is now in your calendars.` : `Declined “${name}”.`);
          reload();
          reloadCount();
        } catch (e) { if (!e.signedOut) toast(e.message, { kind: 'error' }); }
      };
      return h('li', { class: 'invite-row share-offer', dataset: { name } },
        h('div', { class: 'invite-text' }, h('strong', {}, name), h('span', { class: 'muted' }, [from ? `from ${from}` : '', level ? ` · ${level}` : ''].join(''))),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary small', onclick: answer('accept') }, 'Accept'),
          h('button', { type: 'button', class: 'small', onclick: answer('decline') }, 'Decline')));
    })),
  });
  return h('section', { class: 'card', 'aria-labelledby': 'offers-title' }, h('h2', { id: 'offers-title' }, 'Calendars shared with you'), body);
}

function invitationsCard(settings, reloadCount) {
  let status = 'pending';
  const body = h('div');
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  let reload = () => {};
  const drawTabs = () => mount(tabs, STATUSES.map(([value, label]) => h('button', {
    type: 'button', role: 'tab', class: 'tab-button', 'aria-selected': String(value === status),
    onclick: () => { status = value; drawTabs(); fill(); },
  }, label)));
  const fill = () => {
    reload = load(body, {
      fetch: async () => itemsOf(await get(`/api/event-invitations?status=${status}&limit=500`)),
      empty: h('p', { class: 'muted' }, status === 'pending' ? 'No invitations are waiting for an answer.' : 'None here.'),
      render: (items) => h('ul', { class: 'plain invite-list' }, items.map((inv) => {
        const ev = inv.event || inv;
        const title = ev.title || 'An event';
        const respond = (answer) => async () => {
          try {
            await post(`/api/event-invitations/${inv.id}/respond`, { status: answer });
            toast(`Answered “${title}”.`);
            reload();
            reloadCount();
          } catch (e) { if (!e.signedOut) toast(e.message, { kind: 'error' }); }
        };
        return h('li', { class: 'invite-row event-invite', dataset: { title } },
          h('div', { class: 'invite-text' }, h('strong', {}, title),
            h('span', { class: 'muted' }, whenOf(inv, settings)),
            inv.organiser || inv.organizer ? h('span', { class: 'muted' }, `from ${personName(inv.organiser || inv.organizer)}`) : null),
          h('div', { class: 'actions rsvp', role: 'group', 'aria-label': `Answer ${title}` }, ANSWERS.map(([value, label]) => h('button', {
            type: 'button', class: `small${(inv.status || status) === value ? ' primary' : ''}`, 'aria-pressed': String((inv.status || status) === value),
            onclick: respond(value),
          }, label))));
      })),
    });
  };
  drawTabs();
  fill();
  return h('section', { class: 'card', 'aria-labelledby': 'invites-title' }, h('h2', { id: 'invites-title' }, 'Event invitations'), tabs, body);
}

export function invitationsPage(settingsPromise) {
  const area = h('div', { class: 'stack' }, h('p', { class: 'muted loading' }, 'Loading…'));
  settingsPromise.then((settings) => mount(area, sharesCard(() => {}), invitationsCard(settings, () => {})))
    .catch((error) => { if (!error.signedOut) mount(area, h('p', { class: 'form-error' }, error.message)); });
  return h('div', { class: 'page calendar-page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Invitations'), h('a', { ...linkProps('/calendar'), class: 'button' }, 'Back to the calendar')),
    area);
}

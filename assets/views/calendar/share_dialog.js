// The sharing dialog of one calendar: who has it and at which level (changed or removed
// here), and a form that offers it to one of the user's connections — only connections can
// be chosen, as the server only allows them.

import { h, mount } from '../../dom.js';
import { del, get, itemsOf, patch, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { linkProps } from '../../nav.js';
import { toast } from '../../toast.js';

export const LEVELS = [['read', 'See events'], ['write', 'Add and edit events'], ['manage', 'Edit events and share']];

// A person as a share, connection or invitation names them.
export function personName(p) {
  if (!p) return '';
  if (typeof p === 'string') return p;
  return p.display_name ? `${p.display_name} (${p.username})` : p.username || '';
}

const memberOf = (share) => share.member || share.user || share.invitee || { username: share.username || share.member_username };

function levelSelect(id, value, onchange) {
  const el = h('select', { id, 'aria-label': 'Level', onchange: onchange ? () => onchange(el.value) : null }, LEVELS.map(([v, l]) => h('option', { value: v }, l)));
  el.value = value || 'read';
  return el;
}

export function openShareDialog(calendar, onChanged) {
  const list = h('div', { class: 'share-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const formArea = h('div', { class: 'share-form' });
  const alert = h('p', { class: 'form-error', role: 'alert', hidden: true });

  const draw = async () => {
    let connections;
    let shares;
    try {
      [connections, shares] = await Promise.all([
        get('/api/connections?limit=500').then(itemsOf),
        get('/api/shared-calendars?direction=outgoing&limit=500').then(itemsOf),
      ]);
    } catch (error) {
      if (!error.signedOut) mount(list, h('p', { class: 'form-error' }, error.message));
      return;
    }
    shares = shares.filter((s) => s.calendar_id === calendar.id || (s.calendar && s.calendar.id === calendar.id));
    mount(list, shares.length
      ? h('ul', { class: 'plain shares' }, shares.map((share) => h('li', { class: 'share-row', dataset: { username: memberOf(share).username || '' } },
        h('span', { class: 'share-who' }, personName(memberOf(share)),
          share.status === 'pending' ? h('span', { class: 'badge' }, 'not accepted yet') : null),
        levelSelect(`share-level-${share.id}`, share.level, async (level) => {
          try { await patch(`/api/shared-calendars/${share.id}`, { level }); toast('Level changed.'); } catch (e) { if (!e.signedOut) toast(e.message, { kind: 'error' }); }
        }),
        h('button', { type: 'button', class: 'small danger-outline', onclick: async () => {
          const who = personName(memberOf(share));
          if (!await confirmDialog({ title: `Stop sharing with ${who}?`, message: `${who} will no longer see “${calendar.name}”.`, confirmLabel: 'Stop sharing', danger: true })) return;
          try { await del(`/api/shared-calendars/${share.id}`); toast(`Stopped sharing with ${who}.`); draw(); onChanged(); } catch (e) { if (!e.signedOut) toast(e.message, { kind: 'error' }); }
        } }, 'Remove'))))
      : h('p', { class: 'muted' }, 'Not shared with anyone yet.'));
    const taken = new Set(shares.map((s) => memberOf(s).username));
    const people = connections.map((c) => c.user || c).filter((u) => u && !taken.has(u.username));
    if (!connections.length) {
      mount(formArea, h('p', {}, 'Calendars can be shared with your connections. ', h('a', linkProps('/connections', { onclick: () => dialog.close() }), 'Connect with someone'), ' first.'));
      return;
    }
    if (!people.length) { mount(formArea, h('p', { class: 'muted' }, 'Everyone you are connected with has it already.')); return; }
    const who = h('select', { id: 'share-username', name: 'username' }, people.map((u) => h('option', { value: u.username }, personName(u))));
    const level = levelSelect('share-level', 'read');
    mount(formArea, h('form', { class: 'share-add', onsubmit: async (event) => {
      event.preventDefault();
      alert.hidden = true;
      try {
        await post('/api/shared-calendars', { calendar_id: calendar.id, username: who.value, level: level.value });
        toast(`Shared “${calendar.name}” with ${who.value}. It shows for them once they accept.`);
        draw();
        onChanged();
      } catch (error) {
        if (!error.signedOut) { alert.textContent = error.message; alert.hidden = false; }
      }
    } },
    h('div', { class: 'field' }, h('label', { for: 'share-username' }, 'Share with'), who),
    h('div', { class: 'field' }, h('label', { for: 'share-level' }, 'They may'), level),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'share-submit' }, 'Share'))));
  };

  const dialog = h('dialog', { class: 'dialog share-dialog', 'aria-labelledby': 'share-title' },
    h('h2', { id: 'share-title' }, `Share “${calendar.name}”`),
    list, formArea, alert,
    h('div', { class: 'actions end' }, h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close() }, 'Done')));
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => { dialog.remove(); if (opener && opener.isConnected) opener.focus(); });
  dialog.showModal();
  draw();
}

// Admin → Users → a user's app passwords: which devices sync with the account (name, created,
// last used), in a dialog opened from the user's row, each revocable after a confirmation.
// The secrets themselves are never shown, not even to an admin.

import { h } from '../../dom.js';
import { del, get } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { formatTime } from '../../format.js';
import { load } from '../../load.js';
import { toast } from '../../toast.js';

export function openAppPasswords(u) {
  const list = h('div', { class: 'admin-app-passwords' });
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'admin-app-passwords-title' },
    h('h2', { id: 'admin-app-passwords-title' }, `${u.username}’s app passwords`),
    h('p', { class: 'muted' }, 'The devices that sync calendars and contacts with this account. Revoking one stops it at its next request.'),
    list,
    h('div', { class: 'actions end' }, h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close() }, 'Close')));
  const reload = () => load(list, {
    fetch: () => get(`/api/admin/users/${u.id}/app-passwords?limit=500`),
    isEmpty: (page) => page.items.length === 0,
    empty: h('p', {}, `${u.username} has no app passwords: no device syncs with this account.`),
    render: (page) => h('ul', { class: 'passkeys' }, page.items.map((a) => h('li', {},
      h('div', { class: 'passkey-text' },
        h('strong', {}, a.name),
        h('span', { class: 'muted' }, `Created ${formatTime(a.created_at)}, last used ${a.last_used_at ? formatTime(a.last_used_at) : 'never'}`)),
      h('button', { type: 'button', class: 'danger-outline small', 'aria-label': `Revoke ${a.name}`, onclick: () => revoke(a) }, 'Revoke')))),
  });
  const revoke = async (a) => {
    const ok = await confirmDialog({
      title: `Revoke “${a.name}”?`,
      message: `${u.username}’s device “${a.name}” stops syncing at its next request.`,
      lose: 'They will have to make a new app password in Settings → Devices to sync it again.',
      confirmLabel: 'Revoke',
      danger: true,
    });
    if (!ok) return;
    try {
      await del(`/api/admin/users/${u.id}/app-passwords/${a.id}`);
      toast(`“${a.name}” can no longer sign in.`);
      reload();
    } catch (error) {
      if (!error.signedOut) toast(error.message, { kind: 'error' });
    }
  };
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => { dialog.remove(); if (opener && opener.isConnected) opener.focus(); });
  dialog.showModal();
  reload();
}

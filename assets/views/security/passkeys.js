// Settings → Security → Passkeys: add (after the password), rename and remove.

import { h, mount } from '../../dom.js';
import { del, get, itemsOf, patch, post } from '../../api.js';
import { formDialog } from '../../dialog.js';
import { form } from '../../forms.js';
import { formatTime } from '../../format.js';
import { icon } from '../../icons.js';
import { load } from '../../load.js';
import { menuButton } from '../../menu.js';
import { toast } from '../../toast.js';
import { IP_NOTE, addPasskey, openedByIp, passkeysSupported } from '../../passkeys.js';

export async function renderPasskeys(card, context) {
  const title = h('h2', { id: 'passkeys-title' }, 'Passkeys');
  const intro = h('p', { class: 'muted' }, 'A passkey signs you in with your device’s fingerprint, face or PIN — no password and no code needed.');
  if (!passkeysSupported()) {
    mount(card, title, intro, h('p', {}, 'This browser does not support passkeys.'));
    return;
  }
  if (openedByIp()) {
    mount(card, title, intro, h('p', { class: 'notice' }, IP_NOTE));
    return;
  }
  const list = h('div');
  const reload = () => load(list, {
    fetch: async () => itemsOf(await get('/api/auth/passkeys')),
    empty: h('p', { class: 'muted' }, 'No passkeys yet. Add one below to sign in without typing your password.'),
    render: (keys) => h('ul', { class: 'passkeys' }, keys.map((k) => passkeyRow(k, reload))),
  });
  const { el } = form({
    fields: [
      { name: 'name', label: 'Name for the new passkey', autocomplete: 'off', hint: 'For example “Phone” or “Laptop”.', maxLength: 64 },
      { name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' },
    ],
    submitLabel: 'Add a passkey',
    // A wrong password is a 401 for the password field, not a sign-out.
    statusFields: { 401: 'password' },
    async onSubmit(values, { reset, success }) {
      await post('/api/auth/reauth', { password: values.password });
      await addPasskey(values.name);
      reset();
      success(`Passkey “${values.name}” added.`);
      reload();
      await context.refresh();
    },
  });
  mount(card, title, intro, list, h('details', { class: 'sensitive', open: true }, h('summary', {}, 'Add a passkey'), el));
  reload();
}

function passkeyRow(k, reload) {
  const rename = async () => {
    const done = await formDialog({
      title: 'Rename passkey',
      fields: [{ name: 'name', label: 'Name', value: k.name, maxLength: 64 }],
      submitLabel: 'Rename',
      onSubmit: (values) => patch(`/api/auth/passkeys/${k.id}`, { name: values.name }),
    });
    if (done) reload();
  };
  const remove = async () => {
    const done = await formDialog({
      title: `Remove the passkey “${k.name}”?`,
      message: 'You can no longer sign in with it. Confirm with your password.',
      fields: [{ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' }],
      submitLabel: 'Remove passkey',
      danger: true,
      statusFields: { 401: 'password' },
      async onSubmit(values) {
        await post('/api/auth/reauth', { password: values.password });
        await del(`/api/auth/passkeys/${k.id}`);
      },
    });
    if (done) {
      toast(`Passkey “${k.name}” removed.`);
      reload();
    }
  };
  return h('li', {},
    h('div', { class: 'passkey-text' },
      h('strong', {}, k.name),
      h('span', { class: 'muted' }, `Added ${formatTime(k.created_at)}, last used ${formatTime(k.last_used_at)}`)),
    menuButton({
      label: `Actions for passkey ${k.name}`,
      className: 'icon-button',
      content: icon('more'),
      items: [
        { label: 'Rename', onSelect: rename },
        { label: 'Remove', danger: true, onSelect: remove },
      ],
    }));
}

// Settings → Profile: the name shown for this account (the username stays the sign-in name).

import { h, mount } from '../../dom.js';
import { get, patch } from '../../api.js';
import { form } from '../../forms.js';
import { load } from '../../load.js';

export function profilePanel({ user }) {
  const body = h('div');
  load(body, {
    fetch: () => get('/api/settings'),
    isEmpty: () => false,
    render: (current) => form({
      fields: [{
        name: 'display_name', label: 'Display name', optional: true, maxLength: 100, value: current.display_name,
        autocomplete: 'name', hint: `Shown instead of your username (${user.username}) where others see you.`,
      }],
      submitLabel: 'Save profile',
      async onSubmit(values, { success }) {
        const saved = await patch('/api/settings', { display_name: values.display_name.trim() });
        success(saved.display_name ? `Saved. You appear as ${saved.display_name}.` : 'Saved. You appear by your username.');
      },
    }).el,
  });
  const card = h('section', { class: 'card narrow', 'aria-labelledby': 'profile-title' });
  mount(card, h('h2', { id: 'profile-title' }, 'Profile'), body);
  return card;
}

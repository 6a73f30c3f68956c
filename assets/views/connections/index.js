// Connections: send a request by exact username (the answer never says whether the name
// exists), the requests waiting for you and those you sent, the people you are connected
// with, and the names you block.

import { h } from '../../dom.js';
import { post } from '../../api.js';
import { form } from '../../forms.js';
import { act, confirmBlock, lists } from './lists.js';

const USERNAME_HINT = 'Their exact username. There is no search, and UMBRA does not say whether a name exists.';

function usernameField(name) {
  return { name, label: 'Username', maxLength: 32, hint: USERNAME_HINT, autocomplete: 'off', autocapitalize: 'none' };
}

export function connections() {
  const reloadAll = () => Object.values(parts).forEach((part) => part.reload());
  const parts = lists(reloadAll);

  const send = form({
    fields: [usernameField('username')],
    submitLabel: 'Send request',
    async onSubmit(values, { success, reset }) {
      const answer = await post('/api/connections', { username: values.username.trim() });
      success(answer.message);
      reset();
      parts.outgoing.reload();
    },
  });
  const block = form({
    fields: [{ ...usernameField('username'), label: 'Username to block' }],
    submitLabel: 'Block',
    danger: true,
    async onSubmit(values, { reset }) {
      const username = values.username.trim();
      if (!await confirmBlock(username)) return;
      await act(post('/api/connections/blocks', { username }), `Blocked ${username.toLowerCase()}.`, reloadAll);
      reset();
    },
  });

  return h('div', { class: 'page connections-page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Connections')),
    h('section', { class: 'card send-request' },
      h('h2', {}, 'Connect with someone'),
      h('p', { class: 'muted' }, 'Connected people can share with each other. They accept your request before anything is shared.'),
      send.el),
    parts.incoming.el,
    parts.outgoing.el,
    parts.connected.el,
    h('div', { class: 'blocks' },
      parts.blocked.el,
      h('details', { class: 'card block-form' },
        h('summary', {}, 'Block a username'),
        block.el)));
}

// Settings → Security → Single sign-on: the identities (issuer and subject at an OpenID
// provider) that sign in to this account, unlinking one, and linking another (the password
// first, as for the authenticator app; then the browser goes to the provider and comes back
// with `?oidc=linked` or `?oidc_error=<code>`). The card stays hidden on a server that does
// not answer the identities list.

import { h, mount } from '../../dom.js';
import { ApiError, del, get, itemsOf, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { form } from '../../forms.js';
import { formatTime } from '../../format.js';
import { load } from '../../load.js';
import { dataTable } from '../../table.js';
import { toast } from '../../toast.js';
import { leaveFor, oidcErrorMessage, takeQuery } from '../../oidc.js';

const LIST = '/api/auth/oidc/identities';

export async function renderSso(card) {
  // Read (and removed from the address bar) at once, before anything is awaited.
  const query = takeQuery(['oidc', 'oidc_error']);
  if (query.oidc === 'linked') toast('The identity is linked: you can now sign in with it.');
  let first;
  try {
    first = itemsOf(await get(LIST));
  } catch (error) {
    if (query.oidc_error) toast(oidcErrorMessage(query.oidc_error), { kind: 'error' });
    // Not a server with single sign-on (or not now): no card, rather than an error box.
    if (!error.signedOut && !(error instanceof ApiError && error.status === 404)) {
      mount(card, title(), h('p', { class: 'form-error', role: 'alert' }, error.message));
      card.hidden = false;
    }
    return;
  }
  const list = h('div');
  const reload = load(list, {
    fetch: async () => {
      if (first) { const items = first; first = null; return items; }
      return itemsOf(await get(LIST));
    },
    empty: h('p', { class: 'muted' }, 'No identity is linked yet. Link one below to sign in with your identity provider.'),
    render: (items) => dataTable({
      caption: 'Linked identities',
      columns: [
        { label: 'Provider', cell: (i) => i.issuer, className: 'primary-cell' },
        { label: 'Identity', cell: (i) => h('code', { class: 'secret' }, i.subject) },
        { label: 'Linked', cell: (i) => formatTime(i.created_at) },
        { label: 'Last used', cell: (i) => (i.last_login_at ? formatTime(i.last_login_at) : 'Never') },
        { label: '', className: 'actions-cell', cell: (i) => h('button', { type: 'button', class: 'danger-outline small', onclick: () => unlink(i, reload) }, 'Unlink') },
      ],
      rows: items,
    }),
  });
  mount(card, title(),
    h('p', { class: 'muted' }, 'Sign in with your household’s identity provider instead of a password. Each identity below signs in to this account.'),
    query.oidc_error ? h('p', { class: 'form-error', role: 'alert' }, oidcErrorMessage(query.oidc_error)) : null,
    list,
    linkForm());
  card.hidden = false;
}

function title() {
  return h('h2', { id: 'sso-title' }, 'Single sign-on');
}

async function unlink(identity, reload) {
  const ok = await confirmDialog({
    title: 'Unlink this identity?',
    message: `${identity.issuer} — ${identity.subject}`,
    lose: 'You will no longer be able to sign in to UMBRA with it, until it is linked again.',
    confirmLabel: 'Unlink',
    danger: true,
  });
  if (!ok) return;
  try {
    await del(`${LIST}/${identity.id}`);
    toast('The identity was unlinked.');
    reload();
  } catch (error) {
    // 409: it is this account's last way in; the server says so in plain words.
    if (!error.signedOut) toast(error.message, { kind: 'error' });
  }
}

// The password re-authenticates the session (the server wants it within ten minutes), then
// the browser leaves for the provider's sign-in page.
function linkForm() {
  const { el } = form({
    fields: [{ name: 'password', label: 'Your password', type: 'password', autocomplete: 'current-password' }],
    submitLabel: 'Continue to the identity provider',
    statusFields: { 401: 'password' },
    async onSubmit(values) {
      await post('/api/auth/reauth', { password: values.password });
      let answer;
      try {
        answer = await post('/api/auth/oidc/link', {});
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) {
          throw new Error('Single sign-on is not switched on on this server, so no identity can be linked. Ask an admin.');
        }
        throw error;
      }
      if (!answer || !leaveFor(answer.redirect)) throw new Error('The server did not give a usable address for the identity provider.');
    },
  });
  return h('details', { class: 'sensitive' }, h('summary', {}, 'Link an identity'),
    h('p', { class: 'muted' }, 'Confirm your password, then sign in at your identity provider: the identity it confirms is linked to this account.'),
    el);
}

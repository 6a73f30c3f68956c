// Admin → System settings → Single sign-on (OpenID Connect): the provider (issuer, client),
// who gets in and with which role (account creation, groups), whether passwords stay, and
// the exact redirect URI to register at the provider. "Test" fetches the provider's
// discovery document through the server's outbound rules and shows what it found.

import { h, mount } from '../../dom.js';
import { get, post, put } from '../../api.js';
import { copyField } from '../../copy.js';
import { form } from '../../forms.js';
import { load } from '../../load.js';

const PASSWORD_LOGIN = [
  ['allowed', 'Everyone may also use a password'],
  ['admins_only', 'Only administrators may use a password'],
  ['disabled', 'Nobody may use a password'],
];

export function oidcCard() {
  const card = h('section', { class: 'card narrow', 'aria-labelledby': 'oidc-title' });
  const body = h('div');
  mount(card, h('h2', { id: 'oidc-title' }, 'Single sign-on (OpenID Connect)'),
    h('p', { class: 'muted' }, 'Let people sign in with your household’s identity provider (Authelia, Authentik, Kanidm, Keycloak, Pocket ID…).'),
    body);
  load(body, { fetch: () => get('/api/admin/oidc'), isEmpty: () => false, render: (current) => oidcForm(current) });
  return card;
}

function oidcForm(current) {
  const uri = h('div', { class: 'oidc-redirect' }, redirectUri(current.redirect_uri));
  const { el, inputs } = form({
    fields: [
      { name: 'enabled', label: 'Turn on single sign-on', kind: 'checkbox', value: current.enabled },
      { name: 'issuer', label: 'Issuer URL', type: 'url', optional: true, value: current.issuer, hint: issuerHint() },
      { name: 'allow_http_issuer', label: 'Allow a plain-http issuer', kind: 'checkbox', value: current.allow_http_issuer },
      { name: 'client_id', label: 'Client ID', optional: true, value: current.client_id },
      {
        name: 'client_secret', label: 'Client secret', type: 'password', autocomplete: 'new-password', optional: true,
        placeholder: current.client_secret_set ? 'stored — leave empty to keep' : null,
      },
      { name: 'scopes', label: 'Scopes', value: current.scopes, hint: 'Separated by spaces; must include openid.' },
      { name: 'button_label', label: 'Button on the sign-in page', value: current.button_label, maxLength: 60 },
      { name: 'auto_create', label: 'Auto-create an account at a first sign-in', kind: 'checkbox', value: current.auto_create,
        hint: 'Off: only identities an admin or the user linked can sign in. An e-mail address alone never links an account.' },
      { name: 'default_role', label: 'Role of new accounts', kind: 'select', options: [['standard', 'Member'], ['admin', 'Administrator']], value: current.default_role,
        hint: 'For accounts that auto-create makes while no administrators’ group is set. Existing accounts keep their role unless an administrators’ group decides it.' },
      { name: 'groups_claim', label: 'Claim with the groups', value: current.groups_claim, hint: 'The ID token claim listing the user’s groups; usually “groups”.' },
      { name: 'admin_group', label: 'Administrators’ group', optional: true, value: current.admin_group,
        hint: 'Members become administrators, everyone else members; the role follows the groups at every sign-in. Empty: the provider does not decide roles; accounts keep the role given in UMBRA.' },
      { name: 'user_group', label: 'Members’ group', optional: true, value: current.user_group,
        hint: 'Someone in neither group is refused. Empty: everyone the provider signs in may use UMBRA.' },
      { name: 'password_login', label: 'Password sign-in', kind: 'select', options: PASSWORD_LOGIN, value: current.password_login,
        hint: ['An administrator with no other way in (no linked identity, no passkey) always keeps their password. If the provider is down, ',
          h('code', {}, 'umbra admin oidc password-login allowed'), ' on the server lets passwords back in.'] },
      { name: 'require_local_mfa', label: 'Require local MFA: UMBRA’s authenticator code after the provider’s sign-in', kind: 'checkbox', value: current.require_local_mfa,
        hint: 'Off: the identity provider’s own second factor is trusted.' },
      { name: 'rp_logout', label: 'Sign out at the provider too (when it offers it)', kind: 'checkbox', value: current.rp_logout },
    ],
    submitLabel: 'Save single sign-on',
    async onSubmit(values, { success }) {
      const { client_secret: secret, ...rest } = values;
      const saved = await put('/api/admin/oidc', {
        ...rest,
        issuer: rest.issuer.trim(),
        client_id: rest.client_id.trim(),
        ...(secret ? { client_secret: secret } : {}),
      });
      inputs.client_secret.value = '';
      inputs.client_secret.placeholder = saved.client_secret_set ? 'stored — leave empty to keep' : '';
      mount(uri, redirectUri(saved.redirect_uri));
      success(saved.enabled ? 'Saved: the sign-in page shows the provider’s button.' : 'Saved: single sign-on is off.');
    },
  });
  // Issuer and client ID may be empty only while single sign-on is off: the server says so.
  for (const name of ['issuer', 'client_id']) el.querySelector(`label[for="${inputs[name].id}"] .optional`)?.remove();
  afterField(inputs.issuer, testButton(inputs));
  afterField(inputs.allow_http_issuer, httpWarning(inputs.allow_http_issuer));
  return [uri, el];
}

// The redirect URI to register at the provider, read-only with a Copy button.
function redirectUri(value) {
  return [copyField('oidc-redirect-uri', 'Redirect URI', value || ''),
    h('p', { class: 'hint' }, 'Register exactly this address at your identity provider for this client.')];
}

function issuerHint() {
  return ['E.g. https://auth.example.net/realms/home. A provider on your own network (a LAN or loopback address) must be added to the outbound allow-list first. ',
    h('a', {
      href: '/admin/settings#outbound-title',
      onclick: (event) => {
        // The allow-list is a card further down this page: scroll to it, not a new page.
        const heading = document.getElementById('outbound-title');
        if (!heading) return;
        event.preventDefault();
        heading.setAttribute('tabindex', '-1');
        heading.scrollIntoView({ block: 'start' });
        heading.focus({ preventScroll: true });
      },
    }, 'Go to the outbound allow-list')];
}

// Puts `node` at the end of the field that holds `input`.
function afterField(input, node) {
  input.closest('.field').append(node);
}

function httpWarning(box) {
  const warning = h('p', { class: 'notice warning', role: 'alert', hidden: !box.checked },
    'Tokens and codes would travel unencrypted between UMBRA and the provider: anyone on the network in between could read them and sign in as your users. Use this only on a network you trust completely.');
  box.addEventListener('change', () => { warning.hidden = !box.checked; });
  return warning;
}

// "Test": the issuer as typed now (saved or not), through the server's outbound rules.
function testButton(inputs) {
  const result = h('div', { class: 'oidc-test', 'aria-live': 'polite' });
  const button = h('button', {
    type: 'button',
    class: 'small',
    async onclick() {
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      mount(result, h('p', { class: 'muted' }, 'Asking the provider…'));
      try {
        const found = await post('/api/admin/oidc/test', { issuer: inputs.issuer.value.trim(), allow_http_issuer: inputs.allow_http_issuer.checked });
        mount(result, found.ok ? discovered(found) : h('p', { class: 'form-error' }, found.error));
      } catch (error) {
        // A 422 names the issuer field: its message says what is wrong with the URL.
        const why = error.fields && error.fields.issuer ? `The issuer ${error.fields.issuer}.` : error.message;
        mount(result, error.signedOut ? null : h('p', { class: 'form-error' }, why));
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    },
  }, 'Test');
  return h('div', { class: 'oidc-test-row' }, button, result);
}

function discovered(found) {
  const algs = found.signing_algs || [];
  const row = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
  return [
    h('p', {}, h('strong', {}, 'The provider answered.')),
    h('dl', { class: 'facts oidc-facts' },
      row('Issuer', found.issuer),
      row('Sign-in page', found.authorization_endpoint),
      row('Token endpoint', found.token_endpoint || 'none listed'),
      row('Keys (JWKS)', `${found.jwks_uri} — ${found.keys} ${found.keys === 1 ? 'key' : 'keys'}`),
      row('Signing algorithms', algs.length ? algs.join(', ') : 'none listed'),
      row('Sign-out at the provider', found.end_session_endpoint || 'not offered: signing out ends the UMBRA session only')),
  ];
}

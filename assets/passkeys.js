// Passkeys in the browser: the WebAuthn JSON helpers of the platform turn the server's
// options into what navigator.credentials wants, and the answer back into JSON.

import { post } from './api.js';

// WebAuthn needs a domain name; an IP address in the location bar cannot work.
export function openedByIp() {
  const host = location.hostname;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':') || host.startsWith('[');
}

export function passkeysSupported() {
  return Boolean(window.PublicKeyCredential && PublicKeyCredential.parseRequestOptionsFromJSON);
}

export const IP_NOTE = 'Passkeys need a domain name: open UMBRA by its name (for example https://localhost:8443), not by its IP address.';

async function createCredential(options) {
  const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.publicKey);
  const credential = await navigator.credentials.create({ publicKey });
  return credential.toJSON();
}

async function getCredential(options) {
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options.publicKey);
  const credential = await navigator.credentials.get({ publicKey });
  return credential.toJSON();
}

// Registers a new passkey (the session must have re-authenticated just before).
export async function addPasskey(name) {
  const start = await post('/api/auth/passkeys/register/begin', { name });
  const credential = await createCredential(start.options);
  return post('/api/auth/passkeys/register/finish', { ceremony_id: start.ceremony_id, credential });
}

// Signs in with a passkey; `username` may be empty (the authenticator offers its accounts).
export async function signInWithPasskey(username) {
  const start = await post('/api/auth/passkeys/login/begin', { username: username || null }, { quiet: true });
  const credential = await getCredential(start.options);
  return post('/api/auth/passkeys/login/finish', { ceremony_id: start.ceremony_id, credential }, { quiet: true });
}

// Proves presence with one's own passkey: re-authenticates, and unlocks a locked session.
export async function confirmWithPasskey() {
  const start = await post('/api/auth/passkeys/confirm/begin', undefined, { quiet: true });
  const credential = await getCredential(start.options);
  return post('/api/auth/passkeys/confirm/finish', { ceremony_id: start.ceremony_id, credential }, { quiet: true });
}

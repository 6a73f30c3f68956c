// The Connections page's lists: requests for you (accept, decline, block), requests you sent
// (withdraw), the people you are connected with (remove) and the names you block (unblock).
// Each row names the person by display name and username (a sent request by the name as typed,
// which is all the server tells); every destructive action asks first.

import { h } from '../../dom.js';
import { del, get, itemsOf, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { formatTime } from '../../format.js';
import { load } from '../../load.js';
import { pager } from '../../pager.js';
import { toast } from '../../toast.js';
import { refreshBell } from '../notifications/bell.js';

const PAGE_SIZE = 50;

// "Alice A. @alice", or "alice" alone.
export function personName(user) {
  return user.display_name
    ? [h('span', { class: 'person-name' }, user.display_name), ' ', h('span', { class: 'muted handle' }, `@${user.username}`)]
    : [h('span', { class: 'person-name' }, user.username)];
}

function shownName(user) {
  return user.display_name ? `${user.display_name} (@${user.username})` : user.username;
}

// Runs an action, says so, and redraws every list (an accept moves a row to another list).
export async function act(promise, message, reloadAll) {
  try {
    const result = await promise;
    if (result === null) return;
    toast(message);
  } catch (error) {
    if (!error.signedOut) toast(error.message, { kind: 'error' });
  }
  refreshBell();
  reloadAll();
}

// Asks before blocking a name: whatever joins you to them goes.
export async function confirmBlock(username) {
  return confirmDialog({
    title: `Block ${username}?`,
    message: 'Requests from this username will no longer reach you. You can unblock it later.',
    lose: 'Any connection or pending request between you is removed.',
    confirmLabel: 'Block', danger: true,
  });
}

function row(kind, text, meta, actions) {
  return h('li', { class: `connection-row ${kind}` },
    h('div', { class: 'connection-text' }, h('strong', {}, text), meta ? h('span', { class: 'muted small-text' }, meta) : null),
    h('div', { class: 'connection-actions' }, actions));
}

function incomingRow(request, reloadAll) {
  const who = shownName(request.user);
  const block = async () => {
    if (await confirmBlock(request.user.username)) {
      act(post('/api/connections/blocks', { username: request.user.username }), `Blocked ${request.user.username}.`, reloadAll);
    }
  };
  return row('incoming', personName(request.user), `Asked ${formatTime(request.created_at)}`, [
    h('button', { type: 'button', class: 'small primary', 'aria-label': `Accept the request from ${who}`,
      onclick: () => act(post(`/api/connections/requests/${request.id}/accept`), `You are now connected with ${who}.`, reloadAll) }, 'Accept'),
    h('button', { type: 'button', class: 'small', 'aria-label': `Decline the request from ${who}`,
      onclick: () => act(post(`/api/connections/requests/${request.id}/decline`).then(() => true), 'Request declined.', reloadAll) }, 'Decline'),
    h('button', { type: 'button', class: 'small danger-outline', 'aria-label': `Block ${who}`, onclick: block }, 'Block'),
  ]);
}

// An outgoing request shows the name as typed and nothing else: whether it reached anyone
// is not told (the server does not know it for the list either), so the row reads the same for
// every name.
function outgoingRow(request, reloadAll) {
  const who = request.username;
  const cancel = async () => {
    const sure = await confirmDialog({
      title: 'Withdraw this request?',
      message: `Your request to ${who} will be withdrawn.`,
      lose: 'If it reached them, they will no longer see it. You can ask again later.',
      confirmLabel: 'Withdraw', danger: true,
    });
    if (sure) act(del(`/api/connections/requests/${request.id}`).then(() => true), 'Request withdrawn.', reloadAll);
  };
  return row('outgoing', h('span', { class: 'person-name' }, who), `Sent ${formatTime(request.created_at)}`, [
    h('button', { type: 'button', class: 'small', 'aria-label': `Withdraw the request to ${who}`, onclick: cancel }, 'Withdraw'),
  ]);
}

function connectionRow(connection, reloadAll) {
  const who = shownName(connection.user);
  const remove = async () => {
    const sure = await confirmDialog({
      title: `Remove ${who}?`,
      message: 'You will no longer be connected.',
      lose: 'Anything your connection allowed (sharing, invitations) ends for both of you.',
      confirmLabel: 'Remove', danger: true,
    });
    if (sure) act(del(`/api/connections/${connection.id}`).then(() => true), `Removed ${who}.`, reloadAll);
  };
  return row('connected', personName(connection.user), `Connected since ${formatTime(connection.since)}`, [
    h('button', { type: 'button', class: 'small danger-outline', 'aria-label': `Remove ${who}`, onclick: remove }, 'Remove'),
  ]);
}

function blockRow(block, reloadAll) {
  const unblock = async () => {
    const sure = await confirmDialog({
      title: `Unblock ${block.username}?`,
      message: 'Requests from this username can reach you again. Nothing removed by the block comes back.',
      confirmLabel: 'Unblock',
    });
    if (sure) act(del(`/api/connections/blocks/${block.id}`).then(() => true), `Unblocked ${block.username}.`, reloadAll);
  };
  return row('blocked', block.username, `Blocked ${formatTime(block.created_at)}`, [
    h('button', { type: 'button', class: 'small', 'aria-label': `Unblock ${block.username}`, onclick: unblock }, 'Unblock'),
  ]);
}

// One list section: its heading, a loading/empty/error state, the rows and paging.
// Returns { el, reload }.
function section({ title, className, url, empty, rowOf, reloadAll }) {
  const body = h('div', { class: 'connection-list-wrap' });
  let offset = 0;
  const headingId = `h-${className}`;
  const reload = load(body, {
    fetch: () => get(`${url}${url.includes('?') ? '&' : '?'}limit=${PAGE_SIZE}&offset=${offset}`),
    isEmpty: (page) => itemsOf(page).length === 0 && page.offset === 0,
    empty: h('p', { class: 'muted' }, empty),
    render: (page) => [
      h('ul', { class: 'connection-list', 'aria-labelledby': headingId }, itemsOf(page).map((item) => rowOf(item, reloadAll))),
      pager(page, (next) => { offset = next; reload(); }),
    ],
  });
  return { el: h('section', { class: `card ${className}` }, h('h2', { id: headingId }, title), body), reload };
}

export function lists(reloadAll) {
  return {
    incoming: section({ title: 'Requests for you', className: 'incoming-requests', url: '/api/connections/requests?direction=incoming',
      empty: 'No one is waiting for an answer.', rowOf: incomingRow, reloadAll }),
    outgoing: section({ title: 'Requests you sent', className: 'outgoing-requests', url: '/api/connections/requests?direction=outgoing',
      empty: 'No requests waiting. Send one above by username.', rowOf: outgoingRow, reloadAll }),
    connected: section({ title: 'Connected people', className: 'connected-people', url: '/api/connections',
      empty: 'You are not connected with anyone yet. Connected people can share calendars and invite each other.', rowOf: connectionRow, reloadAll }),
    blocked: section({ title: 'Blocked', className: 'blocked-names', url: '/api/connections/blocks',
      empty: 'You have not blocked anyone.', rowOf: blockRow, reloadAll }),
  };
}

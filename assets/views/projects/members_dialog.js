// The members dialog. Everyone sees the members with their roles and may leave; owners also
// add one of their connections with a role, change roles, remove a member (confirmed, saying
// what they lose) and hand the ownership over. The last owner is told why they cannot leave
// or step down instead of being refused without a reason.

import { h, mount } from '../../dom.js';
import { del, get, itemsOf, patch, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { linkProps, navigate } from '../../nav.js';
import { toast } from '../../toast.js';
import { ROLES, avatar, canManage, personName, projectPath, roleLabel, showError } from './shared.js';

const LAST_OWNER = 'You are the only owner of this project. Make another member an owner first (or hand the ownership over with “Make owner”), or delete the project instead.';

export function openMembersDialog(ctx) {
  const base = `${projectPath(ctx.projectId)}/members`;
  const listEl = h('ul', { class: 'member-list', 'aria-label': 'Members' });
  const addEl = h('div', { class: 'member-add' });
  const notice = h('p', { class: 'notice member-notice', role: 'alert', hidden: true });
  let members = ctx.members;
  let connections = null;

  const me = () => members.find((m) => m.user.id === ctx.user.id);
  const owners = () => members.filter((m) => m.role === 'owner');
  const iManage = () => canManage(me()?.role);
  const tell = (message) => showError(notice, message);

  // After a change: the list here, and the page behind (header, role, board controls).
  async function reload() {
    try {
      members = itemsOf(await get(`${base}?limit=200`));
    } catch (error) {
      if (error.signedOut) return;
      if (error.status === 404) { dialog.close(); ctx.gone(); return; }
      tell(error.message);
      return;
    }
    draw();
    await ctx.refresh({ members: true });
  }

  async function act(promise, message) {
    tell('');
    try {
      await promise;
    } catch (error) {
      if (error.signedOut) return false;
      tell(error.message);
      await reload();
      return false;
    }
    if (message) toast(message);
    await reload();
    return true;
  }

  function row(member) {
    const self = member.user.id === ctx.user.id;
    const name = personName(member.user);
    let roleControl;
    if (iManage()) {
      const select = h('select', {
        'aria-label': `Role of ${name}`, class: 'member-role', dataset: { username: member.user.username },
        onchange: async () => {
          const to = select.value;
          if (member.role === 'owner' && to !== 'owner' && owners().length === 1) {
            select.value = member.role;
            tell(self ? LAST_OWNER : 'A project always has an owner.');
            return;
          }
          await act(patch(`${base}/${member.id}`, { role: to }), `${name} is now ${roleLabel(to).toLowerCase()}.`);
        },
      }, ROLES.map(([v, l]) => h('option', { value: v, selected: v === member.role }, l)));
      roleControl = select;
    } else {
      roleControl = h('span', { class: 'badge member-role-text' }, roleLabel(member.role));
    }
    return h('li', { class: 'member-row', dataset: { username: member.user.username } },
      avatar(member.user, { labelled: false }),
      h('span', { class: 'member-name' }, h('strong', {}, name, self ? ' (you)' : ''), h('span', { class: 'muted' }, `@${member.user.username}`)),
      roleControl,
      iManage() && !self ? h('div', { class: 'member-actions' },
        member.role !== 'owner' ? h('button', { type: 'button', class: 'small', onclick: () => transfer(member) }, 'Make owner') : null,
        h('button', { type: 'button', class: 'small danger-outline', onclick: () => removeMember(member) }, 'Remove')) : null);
  }

  async function transfer(member) {
    const name = personName(member.user);
    const ok = await confirmDialog({
      title: `Make ${name} the owner?`,
      message: `${name} becomes an owner of “${ctx.project.name}”, and you become an editor.`,
      lose: 'You can no longer manage members, edit or delete the project unless an owner makes you one again.',
      confirmLabel: 'Hand over',
    });
    if (!ok) return;
    await act(post(`${projectPath(ctx.projectId)}/transfer`, { member_id: member.id }), `${name} is now the owner.`);
  }

  async function removeMember(member) {
    const name = personName(member.user);
    const ok = await confirmDialog({
      title: `Remove ${name}?`,
      message: `${name} will no longer see “${ctx.project.name}”.`,
      lose: 'Their task assignments in this project are removed; their comments stay.',
      confirmLabel: 'Remove', danger: true,
    });
    if (!ok) return;
    await act(del(`${base}/${member.id}`), `Removed ${name}.`);
  }

  async function leave() {
    const mine = me();
    if (!mine) return;
    if (mine.role === 'owner' && owners().length === 1) { tell(LAST_OWNER); return; }
    const ok = await confirmDialog({
      title: 'Leave this project?',
      message: `You will no longer see “${ctx.project.name}”. An owner can add you again.`,
      lose: 'Your task assignments in it are removed.',
      confirmLabel: 'Leave', danger: true,
    });
    if (!ok) return;
    try {
      await del(`${base}/${mine.id}`);
    } catch (error) {
      if (!error.signedOut) tell(error.message);
      return;
    }
    dialog.close();
    toast(`You left “${ctx.project.name}”.`);
    navigate('/projects');
  }

  async function drawAdd() {
    if (!iManage()) { mount(addEl); return; }
    if (connections === null) {
      try {
        connections = itemsOf(await get('/api/connections?limit=500')).map((c) => c.user);
      } catch (error) {
        if (!error.signedOut) mount(addEl, h('p', { class: 'form-error' }, error.message));
        return;
      }
    }
    const taken = new Set(members.map((m) => m.user.id));
    const free = connections.filter((u) => !taken.has(u.id));
    if (!connections.length) {
      mount(addEl, h('h3', {}, 'Add a member'),
        h('p', { class: 'muted' }, 'Members come from your connections, and you have none yet. ',
          h('a', { ...linkProps('/connections', { onclick: () => dialog.close() }) }, 'Connect with someone'), ' first.'));
      return;
    }
    if (!free.length) {
      mount(addEl, h('h3', {}, 'Add a member'), h('p', { class: 'muted' }, 'All your connections are members already.'));
      return;
    }
    const who = h('select', { id: 'member-add-user', name: 'username' },
      free.map((u) => h('option', { value: u.username }, u.display_name ? `${u.display_name} (@${u.username})` : u.username)));
    const role = h('select', { id: 'member-add-role', name: 'role' },
      ROLES.map(([v, l]) => h('option', { value: v, selected: v === 'editor' }, l)));
    const error = h('p', { class: 'field-error', hidden: true });
    mount(addEl, h('form', {
      class: 'member-add-form',
      async onsubmit(event) {
        event.preventDefault();
        showError(error, '');
        try {
          const added = await post(base, { username: who.value, role: role.value });
          toast(`Added ${personName(added.user)} as ${roleLabel(added.role).toLowerCase()}.`);
        } catch (err) {
          if (!err.signedOut) showError(error, Object.values(err.fields || {})[0] || err.message);
          return;
        }
        await reload();
        dialog.querySelector('#member-add-user, #member-leave')?.focus();
      },
    },
    h('h3', {}, 'Add a member'),
    h('p', { class: 'hint' }, 'Choose one of your connections. Editors change tasks; viewers only read; owners also manage members.'),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'member-add-user' }, 'Connection'), who),
      h('div', { class: 'field' }, h('label', { for: 'member-add-role' }, 'Role'), role)),
    error,
    h('button', { type: 'submit', class: 'primary', id: 'member-add' }, 'Add member')));
  }

  function draw() {
    mount(listEl, members.map(row));
    drawAdd();
  }

  const dialog = h('dialog', { class: 'dialog members-dialog', 'aria-labelledby': 'members-title' },
    h('div', { class: 'drawer-head' },
      h('h2', { id: 'members-title' }, 'Members'),
      h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close() }, 'Close')),
    notice,
    listEl,
    addEl,
    h('div', { class: 'actions member-leave' },
      h('button', { type: 'button', class: 'danger-outline', id: 'member-leave', onclick: leave }, 'Leave project')));
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
    else document.getElementById('project-members')?.focus();
  });
  dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close(); });
  draw();
  dialog.showModal();
  dialog.querySelector('button.cancel').focus();
}

// Settings → Security → Sessions: where the user is signed in, and signing other devices out.

import { h, mount } from '../../dom.js';
import { del, get, itemsOf, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { formatTime } from '../../format.js';
import { load } from '../../load.js';
import { dataTable } from '../../table.js';
import { toast } from '../../toast.js';

export function renderSessions(card) {
  const list = h('div');
  mount(card, h('h2', { id: 'sessions-title' }, 'Where you are signed in'), list);
  const reload = load(list, {
    fetch: async () => itemsOf(await get('/api/auth/sessions')),
    empty: h('p', { class: 'muted' }, 'No sessions are open: sign in again to start one.'),
    render: (sessions) => {
      const others = sessions.filter((s) => !s.current).length;
      const signOutOne = async (s) => {
        const ok = await confirmDialog({
          title: 'Sign out this session?',
          message: `${describeAgent(s.user_agent)}, last active ${formatTime(s.last_seen_at)}.`,
          lose: 'That device will need your password to sign in again.',
          confirmLabel: 'Sign out',
          danger: true,
        });
        if (!ok) return;
        try {
          await del(`/api/auth/sessions/${s.id}`);
          toast('The session was signed out.');
          reload();
        } catch (error) {
          if (!error.signedOut) toast(error.message, { kind: 'error' });
        }
      };
      return [
        dataTable({
          caption: 'Your sessions',
          columns: [
            { label: 'Device', cell: (s) => [describeAgent(s.user_agent), s.current ? h('span', { class: 'badge' }, 'this device') : null], className: 'primary-cell' },
            { label: 'IP address', cell: (s) => s.ip || '—' },
            { label: 'Last active', cell: (s) => formatTime(s.last_seen_at) },
            { label: 'Signed in', cell: (s) => formatTime(s.created_at) },
            {
              label: '', className: 'actions-cell',
              cell: (s) => (s.current ? null : h('button', { type: 'button', class: 'danger-outline small', onclick: () => signOutOne(s) }, 'Sign out')),
            },
          ],
          rows: sessions,
        }),
        others > 0
          ? h('button', {
            type: 'button',
            class: 'danger-outline',
            async onclick() {
              const ok = await confirmDialog({
                title: 'Sign out everywhere else?',
                message: `Your ${others} other ${others === 1 ? 'session' : 'sessions'} will end; this one stays.`,
                lose: 'Those devices will need your password again.',
                confirmLabel: 'Sign out others',
                danger: true,
              });
              if (!ok) return;
              try {
                await post('/api/auth/sessions/revoke-others');
                toast('Your other sessions were signed out.');
                reload();
              } catch (error) {
                if (!error.signedOut) toast(error.message, { kind: 'error' });
              }
            },
          }, 'Sign out everywhere else')
          : h('p', { class: 'muted' }, 'No other sessions: only this device is signed in.'),
      ];
    },
  });
}

function describeAgent(agent) {
  if (!agent) return 'Unknown device';
  const browser = /Firefox\//.test(agent) ? 'Firefox' : /Edg\//.test(agent) ? 'Edge' : /Chrome\//.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari' : 'Browser';
  const system = /Android/.test(agent) ? 'Android' : /iPhone|iPad/.test(agent) ? 'iOS' : /Windows/.test(agent) ? 'Windows' : /Mac OS/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

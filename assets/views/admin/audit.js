// Admin → Audit log: security-relevant actions, newest first, filterable, with readable details.

import { h, mount } from '../../dom.js';
import { get } from '../../api.js';
import { formatTime } from '../../format.js';
import { load } from '../../load.js';
import { dataTable } from '../../table.js';
import { pager } from '../../pager.js';
import { describeDetail } from './audit_detail.js';

export function auditPanel() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'audit-title' });
  const filters = { actor: '', action: '', since: '', until: '' };
  let offset = 0;
  const field = (name, label, type = 'text') => {
    const input = h('input', { id: `a-${name}`, type, name, autocomplete: 'off' });
    input.addEventListener('change', () => {
      filters[name] = type === 'date' && input.value ? new Date(`${input.value}T00:00:00`).toISOString() : input.value.trim();
      offset = 0;
      reload();
    });
    return h('div', { class: 'field' }, h('label', { for: `a-${name}` }, label), input);
  };
  const list = h('div');
  mount(card, h('h2', { id: 'audit-title' }, 'Audit log'),
    h('div', { class: 'filters' }, field('actor', 'Who'), field('action', 'What'), field('since', 'From', 'date'), field('until', 'Until', 'date')),
    list);
  const reload = load(list, {
    fetch: () => {
      const query = new URLSearchParams({ limit: '50', offset: String(offset) });
      for (const [k, v] of Object.entries(filters)) if (v) query.set(k, v);
      return get(`/api/admin/audit-logs?${query}`);
    },
    isEmpty: (page) => page.items.length === 0,
    empty: h('p', { class: 'muted' }, 'Nothing recorded matches these filters. Widen the dates or clear a filter.'),
    render: (page) => [
      dataTable({
        caption: 'Audit log',
        columns: [
          { label: 'When', cell: (e) => formatTime(e.at) },
          { label: 'Who', cell: (e) => e.actor },
          { label: 'What', className: 'primary-cell', cell: (e) => e.action.replaceAll('_', ' ') },
          { label: 'Concerning', cell: (e) => e.target || '—' },
          { label: 'From', cell: (e) => h('span', { title: e.user_agent || '' }, e.ip || '—') },
          { label: 'Details', className: 'detail-cell', cell: (e) => describeDetail(e.detail) },
        ],
        rows: page.items,
      }),
      pager(page, (next) => { offset = next; reload(); }),
    ],
  });
  return card;
}

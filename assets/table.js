// Tables that fit a phone: on a narrow screen each row becomes a card and each cell shows
// its column's name beside it (CSS reads the `data-label`), so nothing overflows sideways.

import { h } from './dom.js';

// columns: [{ label, cell: (row) => node, className }]; the last column may be the actions.
export function dataTable({ columns, rows, caption, rowClass }) {
  return h('table', { class: 'responsive' },
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.label ? c.label : h('span', { class: 'visually-hidden' }, 'Actions'))))),
    h('tbody', {}, rows.map((row) => h('tr', { class: rowClass ? rowClass(row) : null },
      columns.map((c) => h('td', { 'data-label': c.label || null, class: c.className || null }, c.cell(row)))))));
}

// People: the list (search, favourites, tags, a star per person), upcoming birthdays, vCard
// import and export, and a page per person (`/people/<id>`) with the edit form.

import { h, mount } from '../../dom.js';
import { ApiError, del, get, patch } from '../../api.js';
import { load } from '../../load.js';
import { linkProps, navigate } from '../../nav.js';
import { confirmDialog } from '../../dialog.js';
import { toast } from '../../toast.js';
import { icon } from '../../icons.js';
import { personForm } from './form.js';
import { formatBirthday, userZone, whenText } from './format.js';

export function people(context) {
  const rest = context.path.replace(/^\/people\/?/, '');
  if (rest === 'new') return newPage();
  if (/^\d+$/.test(rest)) return detailPage(rest);
  return listPage();
}

function star(person, onChange) {
  const button = h('button', {
    type: 'button', class: `icon-button star${person.favourite ? ' on' : ''}`, 'aria-pressed': String(person.favourite),
    'aria-label': `Favourite: ${person.name}`,
    async onclick() {
      try {
        const saved = await patch(`/api/people/${person.id}`, { favourite: !person.favourite });
        onChange(saved);
      } catch (error) {
        if (!error.signedOut) toast(error.message, { kind: 'error' });
      }
    },
  }, starIcon());
  return button;
}

function starIcon() {
  const svg = icon('info');
  svg.replaceChildren();
  const shape = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  shape.setAttribute('d', 'M12 3l2.8 5.7 6.2.9-4.5 4.4 1 6.2L12 17.3 6.5 20.2l1-6.2L3 9.6l6.2-.9z');
  svg.append(shape);
  return svg;
}

// The upcoming birthdays; `refresh()` on the card loads them again (after an import).
function birthdaysCard() {
  const body = h('div', {});
  const fill = () => load(body, {
    fetch: () => get(`/api/people/birthdays?days=30&tz=${encodeURIComponent(userZone())}`),
    isEmpty: (page) => page.items.length === 0,
    empty: h('p', { class: 'muted' }, 'No birthdays in the next 30 days. Add birthdays to people to see them here.'),
    render: (page) => h('ul', { class: 'birthday-list' }, page.items.map((item) => h('li', {},
      h('a', linkProps(`/people/${item.person_id}`), item.name),
      h('span', { class: 'muted' }, ` — ${whenText(item)}${item.turns !== null && item.turns !== undefined ? `, turns ${item.turns}` : ''}`)))),
  });
  fill();
  const card = h('section', { class: 'card birthdays', 'aria-labelledby': 'bd-title' }, h('h2', { id: 'bd-title' }, 'Upcoming birthdays'), body);
  card.refresh = fill;
  return card;
}

async function importFile(file, reload) {
  let text;
  try {
    text = await file.text();
  } catch {
    toast('The file could not be read.', { kind: 'error' });
    return;
  }
  document.documentElement.dataset.pending = String(Number(document.documentElement.dataset.pending || 0) + 1);
  try {
    const response = await fetch('/api/people/import', {
      method: 'POST', credentials: 'same-origin', body: text,
      headers: { 'Content-Type': 'text/vcard', 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' },
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    const unknown = [...new Set(data.unknown_properties.map((u) => u.property))];
    const parts = [`Imported ${data.created} new and updated ${data.updated} ${data.created + data.updated === 1 ? 'person' : 'people'}.`];
    if (unknown.length) parts.push(`Not kept: ${unknown.join(', ')}.`);
    toast(parts.join(' '));
    reload();
  } catch (error) {
    toast(error.status === 413 ? 'The file is larger than 5 MB. Split it and import the parts.' : error.message, { kind: 'error' });
  } finally {
    document.documentElement.dataset.pending = String(Number(document.documentElement.dataset.pending || 1) - 1);
  }
}

function listPage() {
  const results = h('div', { class: 'people-results' });
  const search = h('input', { type: 'search', id: 'people-search', placeholder: 'Name, nickname or e-mail', autocomplete: 'off' });
  const favourites = h('input', { type: 'checkbox', id: 'people-favourites' });
  const tagSelect = h('select', { id: 'people-tag' }, h('option', { value: '' }, 'All tags'));
  const fileInput = h('input', { type: 'file', id: 'vcard-file', accept: '.vcf,.vcard,text/vcard', class: 'visually-hidden' });
  let reload = () => {};

  const fillTags = async () => {
    try {
      const all = await get('/api/people?limit=500');
      const tags = [...new Set(all.items.flatMap((p) => p.tags))].sort((a, b) => a.localeCompare(b));
      const chosen = tagSelect.value;
      mount(tagSelect, h('option', { value: '' }, 'All tags'), tags.map((t) => h('option', { value: t }, t)));
      tagSelect.value = tags.includes(chosen) ? chosen : '';
    } catch { /* the list shows the error */ }
  };
  const run = () => {
    const params = new URLSearchParams({ limit: '500' });
    if (search.value.trim()) params.set('q', search.value.trim());
    if (favourites.checked) params.set('favourite', 'true');
    if (tagSelect.value) params.set('tag', tagSelect.value);
    const filtered = params.size > 1;
    reload = load(results, {
      fetch: () => get(`/api/people?${params}`),
      isEmpty: (page) => page.items.length === 0,
      empty: filtered
        ? h('p', {}, 'Nobody matches these filters. Clear the search or choose another tag.')
        : h('div', { class: 'empty-state' }, icon('people'),
          h('p', {}, 'No people yet. Add someone, or import a vCard file from your phone or address book.')),
      render: (page) => h('ul', { class: 'people-list' }, page.items.map((person) => h('li', { class: 'person-row' },
        star(person, () => { run(); }),
        h('div', { class: 'person-text' },
          h('a', linkProps(`/people/${person.id}`), person.name),
          person.nickname ? h('span', { class: 'muted' }, ` “${person.nickname}”`) : null,
          h('div', { class: 'person-meta muted' },
            person.emails[0] ? h('span', {}, person.emails[0].value) : null,
            person.birthday ? h('span', {}, `Birthday ${formatBirthday(person.birthday)}`) : null),
          person.tags.length ? h('div', { class: 'tag-chips' }, person.tags.map((t) => h('button', {
            type: 'button', class: 'chip', onclick: () => { tagSelect.value = t; run(); }, 'aria-label': `Show people tagged ${t}`,
          }, t))) : null)))),
    });
  };
  const birthdays = birthdaysCard();
  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  favourites.addEventListener('change', run);
  tagSelect.addEventListener('change', run);
  fileInput.addEventListener('change', () => {
    const [file] = fileInput.files;
    fileInput.value = '';
    if (file) importFile(file, () => { run(); fillTags(); birthdays.refresh(); });
  });

  const page = h('div', { class: 'page people-page' },
    h('div', { class: 'page-head' },
      h('h1', {}, 'People'),
      h('a', { ...linkProps('/people/new'), class: 'button primary' }, 'Add person')),
    birthdays,
    h('section', { class: 'card', 'aria-label': 'People list' },
      h('div', { class: 'people-filters' },
        h('div', { class: 'field' }, h('label', { for: 'people-search' }, 'Search people'), search),
        h('div', { class: 'field' }, h('label', { for: 'people-tag' }, 'Tag'), tagSelect),
        h('div', { class: 'field field-checkbox' }, favourites, h('label', { for: 'people-favourites' }, 'Favourites only'))),
      results),
    h('section', { class: 'card', 'aria-labelledby': 'vcard-title' },
      h('h2', { id: 'vcard-title' }, 'vCard import and export'),
      h('p', { class: 'muted' }, 'Import contacts from a .vcf file (up to 5 MB); people with the same UID are updated, not doubled. Export saves everyone as vCard 4.0.'),
      h('div', { class: 'actions' },
        h('label', { for: 'vcard-file', class: 'button file-button', tabindex: '0',
          onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); } } }, 'Import vCard file'),
        fileInput,
        h('a', { href: '/api/people/export.vcf', class: 'button', download: 'people.vcf' }, 'Export all as vCard'))));
  run();
  fillTags();
  return page;
}

function newPage() {
  const slot = h('div', {}, h('p', { class: 'muted loading' }, 'Loading…'));
  personForm(null, {
    onSaved: (saved) => { toast(`Added ${saved.name}.`); navigate(`/people/${saved.id}`); },
  }).then((el) => mount(slot, el));
  return h('div', { class: 'page' },
    h('p', {}, h('a', linkProps('/people'), '← All people')),
    h('h1', {}, 'Add a person'),
    h('section', { class: 'card narrow-form' }, slot));
}

// A mailto: link that opens a message to exactly this address: the address is
// percent-encoded, so an imported `x?subject=…@example.org` cannot pre-fill a message.
const mailto = (address) => `mailto:${encodeURIComponent(address).replace(/%40/g, '@')}`;

function facts(person) {
  const rows = [];
  const add = (label, value) => { if (value) rows.push(h('dt', {}, label), h('dd', {}, value)); };
  add('Nickname', person.nickname);
  add('Birthday', person.birthday ? formatBirthday(person.birthday) : '');
  add('E-mail', person.emails.length ? h('ul', { class: 'plain' }, person.emails.map((e) => h('li', {},
    h('a', { href: mailto(e.value) }, e.value), e.label ? h('span', { class: 'muted' }, ` (${e.label})`) : null))) : null);
  add('Phone', person.phones.length ? h('ul', { class: 'plain' }, person.phones.map((p) => h('li', {},
    h('a', { href: `tel:${p.value.replace(/[^\d+]/g, '')}` }, p.value), p.label ? h('span', { class: 'muted' }, ` (${p.label})`) : null))) : null);
  add('Address', person.address ? h('span', { class: 'address' }, person.address) : null);
  add('Location', person.location_name ? h('a', linkProps('/locations'), person.location_name) : null);
  add('Tags', person.tags.join(', '));
  add('Notes', person.notes ? h('span', { class: 'notes' }, person.notes) : null);
  return rows.length ? h('dl', { class: 'facts' }, rows) : h('p', { class: 'muted' }, 'Nothing else recorded yet. Use the form below to add details.');
}

function detailPage(id) {
  const container = h('div', {});
  const reload = load(container, {
    fetch: () => get(`/api/people/${id}`),
    isEmpty: () => false,
    render: (person) => {
      const formSlot = h('div', {}, h('p', { class: 'muted loading' }, 'Loading…'));
      personForm(person, { onSaved: (saved) => { toast(`Saved ${saved.name}.`); reload(); } }).then((el) => mount(formSlot, el));
      const remove = async () => {
        const ok = await confirmDialog({
          title: `Delete ${person.name}?`,
          message: 'This person will be removed from UMBRA.',
          lose: 'Their e-mail addresses, phone numbers, birthday, address, notes and tags will be lost.',
          confirmLabel: 'Delete person', danger: true,
        });
        if (!ok) return;
        try {
          await del(`/api/people/${person.id}`);
          toast(`Deleted ${person.name}.`);
          navigate('/people');
        } catch (error) {
          if (!error.signedOut) toast(error.message, { kind: 'error' });
        }
      };
      return h('div', { class: 'stack' },
        h('div', { class: 'page-head' },
          h('h1', {}, person.name),
          star(person, () => reload())),
        h('section', { class: 'card' }, facts(person),
          h('div', { class: 'actions' },
            h('a', { href: `/api/people/export.vcf?ids=${person.id}`, class: 'button', download: 'person.vcf' }, 'Export vCard'),
            h('button', { type: 'button', class: 'danger-outline', onclick: remove }, 'Delete person'))),
        h('section', { class: 'card narrow-form', 'aria-labelledby': 'edit-title' }, h('h2', { id: 'edit-title' }, 'Edit'), formSlot));
    },
  });
  return h('div', { class: 'page' }, h('p', {}, h('a', linkProps('/people'), '← All people')), container);
}

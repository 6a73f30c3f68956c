// Locations: the places a user goes to, with search, a form for adding and changing one
// (coordinates optional, both or neither), and a delete that says how many people it unlinks.

import { h } from '../dom.js';
import { get, post, patch, del } from '../api.js';
import { load } from '../load.js';
import { confirmDialog, formDialog } from '../dialog.js';
import { toast } from '../toast.js';
import { icon } from '../icons.js';

function locationFields(location = {}) {
  return [
    { name: 'name', label: 'Name', value: location.name || '', maxLength: 200 },
    { name: 'address', label: 'Address', kind: 'textarea', rows: 3, value: location.address || '', optional: true, maxLength: 1000 },
    { name: 'category', label: 'Category', value: location.category || '', optional: true, maxLength: 60, hint: 'For example home, work or restaurant.' },
    { name: 'latitude', label: 'Latitude', kind: 'number', min: -90, max: 90, step: 0.000001, value: location.latitude ?? '', optional: true, hint: 'Give both coordinates or neither.' },
    { name: 'longitude', label: 'Longitude', kind: 'number', min: -180, max: 180, step: 0.000001, value: location.longitude ?? '', optional: true },
    { name: 'notes', label: 'Notes', kind: 'textarea', value: location.notes || '', optional: true, maxLength: 10000 },
  ];
}

// The form's values in the API's shape: blank text as '', blank coordinates as null.
function body(values) {
  return {
    name: values.name,
    address: values.address || '',
    category: values.category || '',
    latitude: values.latitude ?? null,
    longitude: values.longitude ?? null,
    notes: values.notes || '',
  };
}

export async function editLocation(location, onDone) {
  const saved = await formDialog({
    title: location ? 'Edit location' : 'Add a location',
    fields: locationFields(location || {}),
    submitLabel: location ? 'Save' : 'Add location',
    onSubmit: (values) => (location ? patch(`/api/locations/${location.id}`, body(values)) : post('/api/locations', body(values))),
  });
  if (saved) {
    toast(location ? `Saved ${saved.name}.` : `Added ${saved.name}.`);
    onDone(saved);
  }
}

async function deleteLocation(location, reload) {
  const linked = location.people_count;
  const ok = await confirmDialog({
    title: `Delete ${location.name}?`,
    message: 'The location and its notes will be gone.',
    lose: linked > 0
      ? `${linked} ${linked === 1 ? 'person is' : 'people are'} linked to it and will be unlinked.`
      : 'No people are linked to it.',
    confirmLabel: 'Delete location',
    danger: true,
  });
  if (!ok) return;
  try {
    await del(`/api/locations/${location.id}`);
    toast(`Deleted ${location.name}.`);
  } catch (error) {
    if (!error.signedOut) toast(error.message, { kind: 'error' });
  }
  reload();
}

function coordinates(location) {
  if (location.latitude === null || location.latitude === undefined) return null;
  const fmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 5 });
  return `${fmt.format(location.latitude)}, ${fmt.format(location.longitude)}`;
}

function locationCard(location, reload) {
  const people = location.people_count;
  return h('li', { class: 'card location-card' },
    h('div', { class: 'location-head' },
      icon('locations'),
      h('h2', {}, location.name),
      location.category ? h('span', { class: 'badge' }, location.category) : null),
    location.address ? h('p', { class: 'address' }, location.address) : null,
    coordinates(location) ? h('p', { class: 'muted small-text' }, coordinates(location)) : null,
    location.notes ? h('p', { class: 'notes' }, location.notes) : null,
    h('p', { class: 'muted small-text' }, people === 0 ? 'No people linked' : `${people} ${people === 1 ? 'person' : 'people'} linked`),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'small', onclick: () => editLocation(location, reload) }, 'Edit'),
      h('button', { type: 'button', class: 'small danger-outline', onclick: () => deleteLocation(location, reload) }, 'Delete')));
}

export function locations() {
  const results = h('div', { class: 'location-results' });
  const search = h('input', { type: 'search', id: 'location-search', placeholder: 'Name or address', autocomplete: 'off' });
  let timer = null;
  let reload = () => {};
  const run = () => {
    const q = search.value.trim();
    reload = load(results, {
      fetch: () => get(`/api/locations?limit=500${q ? `&q=${encodeURIComponent(q)}` : ''}`),
      isEmpty: (page) => page.items.length === 0,
      empty: q
        ? h('p', {}, `No location matches “${q}”. Try another word, or add it.`)
        : h('div', { class: 'empty-state' }, icon('locations'),
          h('p', {}, 'No locations yet. Add the places you go — home, work, a favourite café — and link people to them.')),
      render: (page) => h('ul', { class: 'location-list' }, page.items.map((l) => locationCard(l, () => reload()))),
    });
  };
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  const page = h('div', { class: 'page locations-page' },
    h('div', { class: 'page-head' },
      h('h1', {}, 'Locations'),
      h('button', { type: 'button', class: 'primary', onclick: () => editLocation(null, () => reload()) }, 'Add location')),
    h('label', { for: 'location-search' }, 'Search locations'),
    search,
    results);
  run();
  return page;
}


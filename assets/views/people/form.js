// The person form (new and edit): every field of a person, with the location picker.

import { h } from '../../dom.js';
import { get, patch, post } from '../../api.js';
import { form } from '../../forms.js';
import './kinds.js';

// The server names list entries (`emails[2].value`); the form shows them at the list.
function atFields(error) {
  if (error.fields) {
    const grouped = {};
    for (const [name, message] of Object.entries(error.fields)) {
      const base = name.split(/[[.]/)[0];
      // `emails[0].value` → "Entry 1: …": the entry's number, never the raw path.
      const entry = name.slice(base.length).match(/^\[(\d+)\]/);
      if (!grouped[base]) grouped[base] = entry ? `Entry ${Number(entry[1]) + 1}: ${message}` : message;
    }
    error.fields = grouped;
  }
  return error;
}

export async function personForm(person, { onSaved }) {
  let places = [];
  try {
    places = (await get('/api/locations?limit=500')).items;
  } catch {
    places = [];
  }
  const p = person || {};
  const { el } = form({
    fields: [
      { name: 'name', label: 'Name', value: p.name || '', maxLength: 200, autocomplete: 'off' },
      { name: 'nickname', label: 'Nickname', value: p.nickname || '', optional: true, maxLength: 200 },
      { name: 'emails', label: 'E-mail addresses', kind: 'contacts', type: 'email', itemLabel: 'e-mail address', value: p.emails || [], optional: true },
      { name: 'phones', label: 'Phone numbers', kind: 'contacts', type: 'tel', itemLabel: 'phone number', value: p.phones || [], optional: true },
      { name: 'birthday', label: 'Birthday', kind: 'birthday', value: p.birthday || '', optional: true },
      { name: 'address', label: 'Address', kind: 'textarea', rows: 3, value: p.address || '', optional: true, maxLength: 1000 },
      {
        name: 'location_id', label: 'Location', kind: 'select', optional: true,
        options: [['', places.length ? 'No location' : 'No locations yet (add them under Locations)'], ...places.map((l) => [String(l.id), l.name])],
        value: p.location_id ? String(p.location_id) : '',
      },
      { name: 'tags', label: 'Tags', kind: 'list', itemLabel: 'tag', value: p.tags || [], optional: true, max: 30 },
      { name: 'notes', label: 'Notes', kind: 'textarea', value: p.notes || '', optional: true, maxLength: 10000 },
      { name: 'favourite', label: 'Favourite', kind: 'checkbox', value: Boolean(p.favourite) },
    ],
    submitLabel: person ? 'Save changes' : 'Add person',
    async onSubmit(values) {
      const body = { ...values, location_id: values.location_id ? Number(values.location_id) : null };
      try {
        const saved = person ? await patch(`/api/people/${person.id}`, body) : await post('/api/people', body);
        onSaved(saved);
      } catch (error) {
        throw atFields(error);
      }
    },
  });
  return el;
}

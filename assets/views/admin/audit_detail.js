// An audit entry's detail for a person: a settings change as one line per changed setting
// ("lockout_threshold 10 → 5"), never raw JSON; plain text as it is.

import { h } from '../../dom.js';

const show = (value) => (value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value));

// The changes between two objects, as [key, before, after] for each key that differs.
export function changes(before, after) {
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
  return keys
    .filter((k) => JSON.stringify((before || {})[k]) !== JSON.stringify((after || {})[k]))
    .map((k) => [k, (before || {})[k], (after || {})[k]]);
}

function parse(detail) {
  if (typeof detail !== 'string' || !/^[[{]/.test(detail.trim())) return null;
  try {
    return JSON.parse(detail);
  } catch {
    return null;
  }
}

// Recognises `[before, after]` and `{before, after}` pairs of objects.
function pair(value) {
  const isObject = (v) => v && typeof v === 'object' && !Array.isArray(v);
  if (Array.isArray(value) && value.length === 2 && isObject(value[0]) && isObject(value[1])) return value;
  if (isObject(value) && isObject(value.before) && isObject(value.after)) return [value.before, value.after];
  return null;
}

export function describeDetail(detail) {
  if (!detail) return '';
  const value = parse(detail);
  const both = value && pair(value);
  if (both) {
    const changed = changes(both[0], both[1]);
    if (changed.length === 0) return h('span', { class: 'muted' }, 'No setting changed');
    return h('ul', { class: 'changes' }, changed.map(([key, was, now]) => h('li', {},
      h('code', {}, key), ` ${show(was)} → ${show(now)}`)));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return h('ul', { class: 'changes' }, Object.entries(value).map(([key, v]) => h('li', {}, h('code', {}, key), ` ${show(v)}`)));
  }
  return detail;
}

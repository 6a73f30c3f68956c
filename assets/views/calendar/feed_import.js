// A calendar's iCalendar doors: the secret feed URL for other calendar apps (shown once when
// made; copied, regenerated or turned off here) and the import of an .ics file, with a report
// of what came in and what could not.

import { h, mount } from '../../dom.js';
import { del, get, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { toast } from '../../toast.js';
import { importIcs } from './data.js';

function openDialog(titleText, ...body) {
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'ics-title' },
    h('h2', { id: 'ics-title' }, titleText), ...body,
    h('div', { class: 'actions end' }, h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close() }, 'Done')));
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => { dialog.remove(); if (opener && opener.isConnected) opener.focus(); });
  dialog.showModal();
  return dialog;
}

async function copy(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    toast('Feed URL copied.');
  } catch {
    // No clipboard permission (plain http, an old browser): select it for Ctrl+C.
    input.select();
    toast('Press Ctrl+C (or ⌘C) to copy the selected URL.');
  }
}

export function openFeedDialog(calendar) {
  const body = h('div', { class: 'feed-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const draw = async (url = null) => {
    let state = { exists: false };
    try {
      state = await get(`/api/calendars/${calendar.id}/feed`);
    } catch (error) {
      if (error.signedOut) return;
      if (error.status !== 404) { mount(body, h('p', { class: 'form-error' }, error.message)); return; }
    }
    const make = async () => {
      if (state.exists && !await confirmDialog({
        title: 'Make a new feed URL?', message: 'The old URL stops working at once.',
        lose: 'Apps subscribed with the old URL stop receiving updates until given the new one.', confirmLabel: 'Make a new URL', danger: true,
      })) return;
      try { draw((await post(`/api/calendars/${calendar.id}/feed`)).url); } catch (e) { if (!e.signedOut) toast(e.message, { kind: 'error' }); }
    };
    const stop = async () => {
      if (!await confirmDialog({ title: 'Turn the feed off?', message: 'The feed URL stops working at once.', confirmLabel: 'Turn off', danger: true })) return;
      try { await del(`/api/calendars/${calendar.id}/feed`); toast('Feed turned off.'); draw(); } catch (e) { if (!e.signedOut) toast(e.message, { kind: 'error' }); }
    };
    const input = url ? h('input', { id: 'feed-url', type: 'text', readonly: true, value: url, 'aria-label': 'Feed URL' }) : null;
    mount(body,
      h('p', {}, 'A secret address other calendar apps (phone, desktop) can subscribe to. Anyone who has it can read this calendar.'),
      url ? [h('div', { class: 'field' }, input, h('p', { class: 'hint' }, 'Shown only now: copy it into your calendar app.')),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'primary', id: 'feed-copy', onclick: () => copy(input) }, 'Copy URL'))]
        : h('p', { class: 'muted' }, state.exists ? 'A feed URL exists. It is not shown again; make a new one if you lost it.' : 'No feed yet.'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'feed-make', onclick: make }, state.exists || url ? 'Make a new URL' : 'Make a feed URL'),
        state.exists || url ? h('button', { type: 'button', class: 'danger-outline', onclick: stop }, 'Turn off') : null));
  };
  openDialog(`Feed for “${calendar.name}”`, body);
  draw();
}

function report(calendar, result) {
  const n = (x) => Number(x || 0);
  const unsupported = result.unsupported || [];
  openDialog(`Imported into “${calendar.name}”`,
    h('p', { class: 'import-summary' }, `${n(result.imported)} new, ${n(result.updated)} updated${result.unchanged !== undefined ? `, ${n(result.unchanged)} unchanged` : ''}.`),
    unsupported.length
      ? [h('p', {}, 'Not imported (UMBRA does not support these):'),
        h('ul', { class: 'import-unsupported' }, unsupported.map((u) => h('li', {},
          u.line ? `Line ${u.line}: ` : '', u.what || '', u.detail ? ` — ${u.detail}` : '')))]
      : h('p', { class: 'muted' }, 'Everything in the file was imported.'));
}

// Picks an .ics file and imports it into `calendar`; `onDone()` reloads the views.
export function importInto(calendar, onDone) {
  const input = h('input', { type: 'file', accept: '.ics,text/calendar', class: 'visually-hidden', 'aria-label': 'iCalendar file' });
  input.addEventListener('change', async () => {
    const file = input.files[0];
    input.remove();
    if (!file) return;
    if (file.size > 5 * 1024 * 1024) { toast('The file is larger than 5 MB. Split it and import the parts.', { kind: 'error' }); return; }
    try {
      report(calendar, await importIcs(calendar.id, await file.text()));
      onDone();
    } catch (error) {
      if (error.signedOut) return;
      const where = Object.entries(error.fields || {}).map(([f, m]) => `${f}: ${m}`).join('; ');
      toast(`Nothing was imported. ${error.message}${where ? ` (${where})` : ''}`, { kind: 'error' });
    }
  });
  document.body.append(input);
  input.click();
}

// A value to copy (an app password, a server URL, a redirect URI) with its label and a Copy
// button, for Settings → Devices and Admin → System settings alike.

import { h } from './dom.js';
import { toast } from './toast.js';

// Copies the element's text, or selects it for the keyboard when the clipboard is not
// allowed (plain http, an old browser).
async function copyText(el, what) {
  try {
    await navigator.clipboard.writeText(el.textContent);
    toast(`${what} copied.`);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(el);
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    toast('Press Ctrl+C (or ⌘C) to copy the selected text.');
  }
}

// A value to copy, with its label and a copy button. Shown as text that wraps (not an input,
// which would cut a 44-character password off on a phone), so it can also be read and typed.
export function copyField(id, label, value) {
  const text = h('code', { id, class: 'secret', 'aria-labelledby': `${id}-label` }, value);
  return h('div', { class: 'copy-field' },
    h('p', { id: `${id}-label`, class: 'copy-label' }, label),
    h('div', { class: 'copy-row' }, text,
      h('button', { type: 'button', id: `${id}-copy`, 'aria-label': `Copy ${label.toLowerCase()}`, onclick: () => copyText(text, label) }, 'Copy')));
}

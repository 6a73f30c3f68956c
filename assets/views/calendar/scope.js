// The scope prompt of a change to a repeating event: this event, this and following, or all
// of them. Resolves with 'this' | 'following' | 'all', or null when cancelled.

import { h } from '../../dom.js';

// verb: 'Change' or 'Delete'; `allowThis`: false when the change cannot apply to one
// occurrence alone (a new repeat rule).
export function askScope({ verb = 'Change', title, allowThis = true } = {}) {
  return new Promise((resolve) => {
    let chosen = null;
    const choose = (scope) => () => { chosen = scope; dialog.close('ok'); };
    const choices = [
      allowThis ? ['this', 'This event', 'Only this occurrence.'] : null,
      ['following', 'This and following events', 'This one and every later one; earlier ones stay.'],
      ['all', 'All events', 'Every occurrence of the series.'],
    ].filter(Boolean);
    const buttons = choices.map(([scope, label, hint]) => h('button', {
      type: 'button', class: 'scope-choice', dataset: { scope }, onclick: choose(scope),
    }, h('strong', {}, label), h('span', { class: 'muted' }, hint)));
    const cancel = h('button', { type: 'button', class: 'cancel', onclick: () => dialog.close('cancel') }, 'Cancel');
    const dialog = h('dialog', { class: 'dialog scope-dialog', 'aria-labelledby': 'scope-title' },
      h('h2', { id: 'scope-title' }, `${verb} a repeating event`),
      title ? h('p', {}, `“${title}” repeats. Which occurrences?`) : h('p', {}, 'This event repeats. Which occurrences?'),
      verb === 'Delete' ? h('p', { class: 'loses' }, 'Deleted occurrences cannot be brought back.') : null,
      h('div', { class: 'scope-choices' }, buttons),
      h('div', { class: 'actions end' }, cancel));
    const opener = document.activeElement;
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(chosen);
    });
    dialog.addEventListener('click', (event) => { if (event.target === dialog) dialog.close('cancel'); });
    dialog.showModal();
    buttons[0].focus();
  });
}

// The one way a view loads a list: a loading line, then the list, or an empty state that
// says what to do next, or the error with "Try again".

import { h, mount } from './dom.js';

// fetch(): a promise of the data; isEmpty(data); render(data) → nodes.
// empty: the text (or nodes) that says what to do next. Returns a function that reloads.
export function load(container, { fetch, render, isEmpty = (data) => Array.isArray(data) && data.length === 0, empty }) {
  let ticket = 0;
  const run = async () => {
    const mine = ++ticket;
    container.setAttribute('aria-busy', 'true');
    if (!container.firstChild) mount(container, h('p', { class: 'muted loading' }, 'Loading…'));
    try {
      const data = await fetch();
      if (mine !== ticket) return;
      mount(container, isEmpty(data) ? h('div', { class: 'empty' }, empty) : render(data));
    } catch (error) {
      if (mine !== ticket || error.signedOut) return;
      mount(container, h('div', { class: 'load-error', role: 'alert' },
        h('p', { class: 'form-error' }, error.message),
        h('button', { type: 'button', onclick: () => { mount(container); run(); } }, 'Try again')));
    } finally {
      if (mine === ticket) container.removeAttribute('aria-busy');
    }
  };
  run();
  return run;
}

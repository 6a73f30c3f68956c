// Resizing an event in the time grid by dragging its bottom edge: the start stays, the end
// follows the pointer on the same grid as a move, never closer to the start than one step,
// and the block shows the end it would get. The edge is a child of the event's button, so a
// press on it must not also start the block's own move (see `isEdge`). From the keyboard,
// Shift+↓/↑ on the focused block lengthens/shortens it by one step.

import { h } from '../../dom.js';
import { onDrag } from './drag.js';

// Whether a pointer press landed on a resize edge (the move drag refuses those).
export const isEdge = (event) => Boolean(event.target.closest && event.target.closest('.resize-edge'));

// el: the event's block; top/bottom: its span on this day in minutes; hour: pixels per hour;
// snap(minutes): the grid; step: its size; label(minutes): the end in words;
// onResize(minutes, byKey): the drop (or key) with a changed end, in minutes after this day's
// midnight (≤ 1440); `byKey` so the caller can give focus back to the redrawn block.
export function resizable(el, { top, bottom, hour, snap, step, label, onResize }) {
  const edge = h('span', { class: 'resize-edge', 'aria-hidden': 'true' });
  const shown = h('span', { class: 'resize-end', 'aria-hidden': 'true' });
  const original = el.style.height;
  const endAt = (dy) => Math.max(top + step, snap(bottom + (dy / hour) * 60));
  const reset = () => { el.style.height = original; el.classList.remove('resizing'); shown.remove(); };
  el.append(edge);
  el.setAttribute('aria-keyshortcuts', 'Shift+ArrowDown Shift+ArrowUp');
  el.addEventListener('keydown', (event) => {
    if (!event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    const by = { ArrowDown: step, ArrowUp: -step }[event.key];
    if (!by) return;
    event.preventDefault();
    const end = Math.min(1440, Math.max(top + step, bottom + by));
    if (end !== bottom) onResize(end, true);
  });
  onDrag(edge, {
    move: (event, dx, dy) => {
      const end = endAt(dy);
      el.classList.add('resizing');
      el.style.height = `${Math.max(((end - top) / 60) * hour - 2, 18)}px`;
      shown.textContent = `until ${label(end)}`;
      if (!shown.isConnected) el.append(shown);
    },
    // The block keeps its new size until the view redraws (after a scope prompt, too).
    drop: (event, dx, dy) => {
      const end = endAt(dy);
      if (end === bottom) reset(); else onResize(end);
    },
    cancel: reset,
  });
}

// Pointer dragging shared by the views: a press that moves more than a few pixels is a drag
// (the view follows it and gets the drop), one that does not is a click. Pointer events work
// for mouse, pen and touch alike; the pointer is captured so a drag may leave the element.

const THRESHOLD = 5;

// handlers: { move(event, dx, dy), drop(event, dx, dy), cancel() }; `start(event)` may return
// false to refuse (e.g. a read-only item). Returns nothing: listeners live on `el`.
export function onDrag(el, { start = () => true, move = () => {}, drop = () => {}, cancel = () => {} }) {
  let origin = null;
  let dragging = false;
  // The click that follows a drag is not a click.
  let swallowUntil = 0;
  el.addEventListener('click', (e) => {
    if (Date.now() < swallowUntil) { e.stopImmediatePropagation(); e.preventDefault(); }
  }, { capture: true });
  el.addEventListener('pointerdown', (event) => {
    if (event.button !== 0 || !start(event)) return;
    origin = { x: event.clientX, y: event.clientY, id: event.pointerId };
    dragging = false;
    try { el.setPointerCapture(event.pointerId); } catch { /* synthetic events have no capture */ }
  });
  el.addEventListener('pointermove', (event) => {
    if (!origin || event.pointerId !== origin.id) return;
    const dx = event.clientX - origin.x;
    const dy = event.clientY - origin.y;
    if (!dragging && Math.hypot(dx, dy) < THRESHOLD) return;
    dragging = true;
    el.classList.add('dragging');
    move(event, dx, dy);
  });
  el.addEventListener('pointerup', (event) => {
    if (!origin || event.pointerId !== origin.id) return;
    const dx = event.clientX - origin.x;
    const dy = event.clientY - origin.y;
    origin = null;
    el.classList.remove('dragging');
    if (dragging) {
      swallowUntil = Date.now() + 500;
      drop(event, dx, dy);
    }
    dragging = false;
  });
  el.addEventListener('pointercancel', () => {
    if (!origin) return;
    origin = null;
    dragging = false;
    el.classList.remove('dragging');
    cancel();
  });
}

// The element under a point carrying `data-<name>` (a day cell, a day column), or null.
export function under(x, y, selector) {
  const hit = document.elementsFromPoint(x, y).find((e) => e.matches(selector));
  return hit || null;
}

// The keyboard's move for a focused item: Alt+←/→ and Alt+↑/↓ call `onKey(key)` with the
// arrow's name ('ArrowLeft', …) when the view gives that arrow a meaning (`keys`), so every
// move a pointer can make has a key (WCAG 2.5.7).
export function keyMovable(el, keys, onKey) {
  el.setAttribute('aria-keyshortcuts', [el.getAttribute('aria-keyshortcuts'), ...keys.map((k) => `Alt+${k}`)].filter(Boolean).join(' '));
  el.addEventListener('keydown', (event) => {
    if (!event.altKey || event.shiftKey || event.ctrlKey || event.metaKey || !keys.includes(event.key)) return;
    event.preventDefault();
    onKey(event.key);
  });
}

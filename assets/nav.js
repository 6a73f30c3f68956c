// Navigation without importing the app: views call `navigate`, the app registers the one
// function that draws a path. This keeps views free of an import of app.js (no cycle).

let draw = () => {};

export function onNavigate(fn) {
  draw = fn;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  draw({ moved: true });
}

// Draws the current path again (after a change that alters what it shows).
export function redraw() {
  draw({ moved: false });
}

// A link that navigates inside the app, so a click does not reload the page.
export function linkProps(path, extra = {}) {
  return {
    href: path,
    ...extra,
    onclick: (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      if (extra.onclick) extra.onclick(event);
      navigate(path);
    },
  };
}

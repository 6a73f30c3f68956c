// Inline SVG icons (24×24, stroked in the current text colour), drawn here: Unicode glyphs
// render as empty boxes where the font lacks them. Built with createElementNS, never markup.

const SVG = 'http://www.w3.org/2000/svg';

// Each icon: a list of [element, attributes].
const SHAPES = {
  menu: [['path', { d: 'M4 6h16M4 12h16M4 18h16' }]],
  close: [['path', { d: 'M6 6l12 12M18 6L6 18' }]],
  dashboard: [['rect', { x: 3, y: 3, width: 7, height: 9, rx: 1 }], ['rect', { x: 14, y: 3, width: 7, height: 5, rx: 1 }],
    ['rect', { x: 14, y: 12, width: 7, height: 9, rx: 1 }], ['rect', { x: 3, y: 16, width: 7, height: 5, rx: 1 }]],
  calendar: [['rect', { x: 3, y: 5, width: 18, height: 16, rx: 2 }], ['path', { d: 'M3 10h18M8 3v4M16 3v4' }]],
  todos: [['rect', { x: 3, y: 3, width: 18, height: 18, rx: 3 }], ['path', { d: 'M8 12l3 3 5-6' }]],
  reminders: [['path', { d: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4z' }], ['path', { d: 'M10 20a2 2 0 0 0 4 0' }]],
  projects: [['path', { d: 'M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z' }]],
  people: [['circle', { cx: 9, cy: 8, r: 3.5 }], ['path', { d: 'M2.5 20a6.5 6.5 0 0 1 13 0' }],
    ['path', { d: 'M16 4.5a3.5 3.5 0 0 1 0 7M18 14a6 6 0 0 1 3.5 6' }]],
  locations: [['path', { d: 'M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z' }], ['circle', { cx: 12, cy: 10, r: 2.5 }]],
  settings: [['circle', { cx: 12, cy: 12, r: 3 }],
    ['path', { d: 'M12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1' }]],
  admin: [['path', { d: 'M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z' }], ['path', { d: 'M9 12l2 2 4-4' }]],
  more: [['circle', { cx: 12, cy: 5, r: 1.5 }], ['circle', { cx: 12, cy: 12, r: 1.5 }], ['circle', { cx: 12, cy: 19, r: 1.5 }]],
  chevron: [['path', { d: 'M6 9l6 6 6-6' }]],
  sun: [['circle', { cx: 12, cy: 12, r: 4 }],
    ['path', { d: 'M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4' }]],
  moon: [['path', { d: 'M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z' }]],
  lock: [['rect', { x: 5, y: 11, width: 14, height: 10, rx: 2 }], ['path', { d: 'M8 11V7a4 4 0 0 1 8 0v4' }]],
  signout: [['path', { d: 'M10 4H5a1 1 0 0 0-1 1v14a1 1 0 0 0 1 1h5M15 8l4 4-4 4M19 12H9' }]],
  key: [['circle', { cx: 8, cy: 15, r: 4 }], ['path', { d: 'M11 12l9-9M17 6l3 3' }]],
  info: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M12 11v6M12 7.5v.5' }]],
  check: [['path', { d: 'M5 12l5 5 9-10' }]],
  bell: [['path', { d: 'M6 9a6 6 0 0 1 12 0c0 5 2 7 2 7H4s2-2 2-7z' }], ['path', { d: 'M10 20a2 2 0 0 0 4 0' }]],
  connections: [['circle', { cx: 6, cy: 12, r: 3 }], ['circle', { cx: 18, cy: 6, r: 3 }], ['circle', { cx: 18, cy: 18, r: 3 }],
    ['path', { d: 'M8.7 10.7l6.6-3.4M8.7 13.3l6.6 3.4' }]],
  alert: [['path', { d: 'M12 3l10 18H2z' }], ['path', { d: 'M12 10v5M12 18v.5' }]],
};

export function icon(name, { label } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  const attrs = {
    viewBox: '0 0 24 24', width: 20, height: 20, fill: 'none', stroke: 'currentColor',
    'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', class: 'icon',
  };
  for (const [key, value] of Object.entries(attrs)) svg.setAttribute(key, String(value));
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
  }
  for (const [tag, shapeAttrs] of SHAPES[name] || SHAPES.info) {
    const shape = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(shapeAttrs)) shape.setAttribute(key, String(value));
    svg.append(shape);
  }
  return svg;
}

// Weather icons as inline SVG (24×24, stroked in the text colour), one per `icon` name the
// weather API gives: no external images, no glyphs a font may lack. Built with
// createElementNS, never markup.

const SVG = 'http://www.w3.org/2000/svg';

const SUN = [['circle', { cx: 12, cy: 12, r: 4 }],
  ['path', { d: 'M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4' }]];
const CLOUD = [['path', { d: 'M6.5 19a4.5 4.5 0 0 1-.4-8.98A6 6 0 0 1 17.7 9.5 4.75 4.75 0 0 1 17.5 19z' }]];
// A cloud lifted to leave room for what falls from it.
const HIGH_CLOUD = [['path', { d: 'M6.5 15a4.5 4.5 0 0 1-.4-8.98A6 6 0 0 1 17.7 5.5 4.75 4.75 0 0 1 17.5 15z' }]];
const SMALL_SUN = [['circle', { cx: 8, cy: 8, r: 3 }], ['path', { d: 'M8 2v1.5M2 8h1.5M3.8 3.8l1 1M12.2 3.8l-1 1' }]];
const SUN_CLOUD = [['path', { d: 'M9 20a3.5 3.5 0 0 1-.3-7A5 5 0 0 1 18.3 12 3.75 3.75 0 0 1 18.5 20z' }]];

const SHAPES = {
  clear: SUN,
  partly_cloudy: [...SMALL_SUN, ...SUN_CLOUD],
  cloudy: CLOUD,
  fog: [['path', { d: 'M4 8h16M6 12h12M4 16h16M8 20h8' }]],
  drizzle: [...HIGH_CLOUD, ['path', { d: 'M8 19v.5M12 19v.5M16 19v.5M10 22v.5M14 22v.5' }]],
  rain: [...HIGH_CLOUD, ['path', { d: 'M8 18l-1 3M12 18l-1 3M16 18l-1 3' }]],
  snow: [...HIGH_CLOUD, ['path', { d: 'M8 18v4M6 20h4M15 18v4M13 20h4' }]],
  showers: [...SMALL_SUN, ['path', { d: 'M9 17a3.5 3.5 0 0 1-.3-7A5 5 0 0 1 18.3 9 3.75 3.75 0 0 1 18.5 17z' }],
    ['path', { d: 'M11 19l-1 3M15 19l-1 3' }]],
  thunderstorm: [...HIGH_CLOUD, ['path', { d: 'M13 15l-3 4h4l-3 4' }]],
  unknown: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6M12 17v.5' }]],
};

// `label` names the picture for screen readers (the condition in words).
export function weatherIcon(name, { label, size = 24 } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  const attrs = {
    viewBox: '0 0 24 24', width: size, height: size, fill: 'none', stroke: 'currentColor',
    'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', class: `weather-icon icon-${SHAPES[name] ? name : 'unknown'}`,
  };
  for (const [key, value] of Object.entries(attrs)) svg.setAttribute(key, String(value));
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  svg.setAttribute('focusable', 'false');
  for (const [tag, shapeAttrs] of SHAPES[name] || SHAPES.unknown) {
    const shape = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(shapeAttrs)) shape.setAttribute(key, String(value));
    svg.append(shape);
  }
  return svg;
}

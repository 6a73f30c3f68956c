// Dark by default (UMBRA means shadow), light on request: the system preference is followed
// until the user picks one in the user menu.

const KEY = 'umbra-theme';

export function currentTheme() {
  const chosen = localStorage.getItem(KEY);
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function applyTheme() {
  document.documentElement.dataset.theme = currentTheme();
}

export function toggleTheme() {
  localStorage.setItem(KEY, currentTheme() === 'light' ? 'dark' : 'light');
  applyTheme();
}

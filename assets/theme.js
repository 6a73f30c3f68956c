// Dark by default (UMBRA means shadow), light on request. The choice is one of 'system'
// (follow the device), 'light' or 'dark'; it lives in the user's settings on the server and,
// so that the first paint is already right, in this browser's localStorage too.

import { patch } from './api.js';

const KEY = 'umbra-theme';

// The stored choice: 'system', 'light' or 'dark'.
export function themeChoice() {
  const chosen = localStorage.getItem(KEY);
  return chosen === 'light' || chosen === 'dark' ? chosen : 'system';
}

export function currentTheme() {
  const chosen = themeChoice();
  if (chosen !== 'system') return chosen;
  return window.matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function applyTheme() {
  document.documentElement.dataset.theme = currentTheme();
}

// Remembers a choice (from the server's settings or the Settings page) and shows it at once.
export function setThemeChoice(choice) {
  if (choice === 'light' || choice === 'dark') localStorage.setItem(KEY, choice);
  else localStorage.removeItem(KEY);
  applyTheme();
}

// The user menu's quick switch: the opposite of what shows now, saved to the settings too.
export function toggleTheme() {
  const next = currentTheme() === 'light' ? 'dark' : 'light';
  setThemeChoice(next);
  patch('/api/settings', { theme: next }).catch(() => {});
}

// A device switching between light and dark follows along while the choice is 'system'.
window.matchMedia('(prefers-color-scheme: light)').addEventListener('change', applyTheme);

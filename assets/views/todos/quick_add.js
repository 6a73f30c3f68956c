// Quick-add: one line on top of the list. `!high`/`!medium`/`!low` set the priority,
// `#name` a category (an existing one by name, any case; a new name creates it), and a date
// word (today, tomorrow, a weekday, YYYY-MM-DD) the due date; the rest is the title.

import { h } from '../../dom.js';
import { ApiError, post } from '../../api.js';
import { userZone } from '../../fields.js';
import { toast } from '../../toast.js';
import { dateWord } from './dates.js';

// Colours a category created from quick-add gets in turn, so new ones can be told apart.
const PALETTE = ['#8ab4ff', '#f28b82', '#81c995', '#fdd663', '#c58af9', '#78d9ec', '#fcad70', '#ff8bcb'];
const paletteColour = (n) => PALETTE[n % PALETTE.length];

const PRIORITIES = { '!high': 'high', '!medium': 'medium', '!low': 'low', '!h': 'high', '!m': 'medium', '!l': 'low' };

// The words of `text` as a todo: { title, priority, category, due_date }.
export function parseQuickAdd(text, now = new Date()) {
  const rest = [];
  const found = { priority: null, category: null, due_date: null };
  for (const word of text.trim().split(/\s+/).filter(Boolean)) {
    const lower = word.toLowerCase();
    if (!found.priority && PRIORITIES[lower]) {
      found.priority = PRIORITIES[lower];
    } else if (!found.category && word.length > 1 && word.startsWith('#')) {
      found.category = word.slice(1);
    } else if (!found.due_date && dateWord(word, now)) {
      found.due_date = dateWord(word, now);
    } else {
      rest.push(word);
    }
  }
  return { title: rest.join(' '), ...found };
}

// state: { categories } (kept current); onAdded(todo) after a todo was created.
export function quickAdd({ state, onAdded, onCategoriesChanged }) {
  const error = h('p', { class: 'field-error', id: 'quick-add-error', hidden: true });
  const input = h('input', {
    id: 'todo-quick-add', name: 'quick_add', type: 'text', autocomplete: 'off', maxlength: 600,
    placeholder: 'Add a todo… e.g. Buy milk !high #errands tomorrow', 'aria-describedby': 'quick-add-hint quick-add-error',
  });
  const showError = (message) => {
    error.textContent = message;
    error.hidden = !message;
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
  };
  const submit = async (event) => {
    event.preventDefault();
    const parsed = parseQuickAdd(input.value);
    if (!parsed.title) {
      showError('Type a title: the words that are not !priority, #category or a date.');
      return;
    }
    showError('');
    const body = { title: parsed.title, timezone: userZone() };
    if (parsed.priority) body.priority = parsed.priority;
    if (parsed.due_date) body.due_date = parsed.due_date;
    try {
      if (parsed.category) {
        let category = state.categories.find((c) => c.name.toLowerCase() === parsed.category.toLowerCase());
        if (!category) {
          category = await post('/api/todos/categories', { name: parsed.category, colour: paletteColour(state.categories.length) });
          toast(`New category “${category.name}” created.`);
          await onCategoriesChanged();
        }
        body.category_id = category.id;
      }
      const todo = await post('/api/todos', body);
      input.value = '';
      toast(`Added “${todo.title}”.`);
      await onAdded(todo);
      input.focus();
    } catch (err) {
      showError(err instanceof ApiError ? Object.values(err.fields)[0] || err.message : String(err));
    }
  };
  return h('form', { class: 'card quick-add', onsubmit: submit },
    h('label', { for: 'todo-quick-add' }, 'New todo'),
    h('div', { class: 'quick-add-row' }, input, h('button', { type: 'submit', class: 'primary' }, 'Add')),
    h('p', { class: 'hint', id: 'quick-add-hint' }, 'Press Enter to add. !high, !medium or !low set the priority, #name a category, and today, tomorrow, a weekday or YYYY-MM-DD the due date.'),
    error);
}

// The Todos section: quick-add on top, filters (status, category, priority) and sort, the
// list (check to complete; manual order by keyboard or drag), categories, and the drawer.

import { h, mount } from '../../dom.js';
import { get, itemsOf, patch, post } from '../../api.js';
import { toast } from '../../toast.js';
import { categoryManager } from './categories.js';
import { dueText } from './dates.js';
import { openDrawer } from './drawer.js';
import { todoList } from './list.js';
import { quickAdd } from './quick_add.js';

function select(id, label, options, value, onchange) {
  const el = h('select', { id, name: id, onchange: () => onchange(el.value) },
    options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  return h('div', { class: 'field' }, h('label', { for: id }, label), el);
}

export function todos() {
  const state = { categories: [], todos: [], filters: { status: 'open', category_id: '', priority: '', sort: 'position' } };
  const filtersEl = h('div', { class: 'filters todo-filters' });
  const listEl = h('div', { class: 'todo-list-wrap' });
  const categoriesEl = h('div');

  const loadCategories = async () => {
    state.categories = itemsOf(await get('/api/todos/categories?limit=500'));
    drawFilters();
    mount(categoriesEl, categoryManager({ categories: state.categories, onChanged: async () => { await loadCategories(); await loadTodos(); } }));
  };

  const query = () => {
    const params = new URLSearchParams({ status: state.filters.status, sort: state.filters.sort, limit: '500' });
    if (state.filters.category_id) params.set('category_id', state.filters.category_id);
    if (state.filters.priority) params.set('priority', state.filters.priority);
    return `/api/todos?${params}`;
  };

  const loadTodos = async (focusId) => {
    try {
      state.todos = itemsOf(await get(query()));
    } catch (err) {
      if (err.signedOut) return;
      mount(listEl, h('div', { class: 'load-error', role: 'alert' }, h('p', { class: 'form-error' }, err.message),
        h('button', { type: 'button', onclick: () => loadTodos() }, 'Try again')));
      return;
    }
    drawList();
    if (focusId) listEl.querySelector(`.todo-row[data-id="${focusId}"]`)?.focus();
  };

  const onToggle = async (todo, done) => {
    try {
      const updated = await patch(`/api/todos/${todo.id}`, { completed: done });
      if (done && !updated.completed) toast(`Done. “${updated.title}” is next due ${dueText(updated)}.`);
      else if (done) toast(`Completed “${updated.title}”.`);
      else toast(`Reopened “${updated.title}”.`);
    } catch (err) {
      toast(err.message, { kind: 'error' });
    }
    await loadTodos();
  };

  const onMove = async (ids, movedId) => {
    const byId = new Map(state.todos.map((t) => [t.id, t]));
    state.todos = ids.map((id) => byId.get(id));
    drawList();
    listEl.querySelector(`.todo-row[data-id="${movedId}"]`)?.focus();
    try {
      await post('/api/todos/reorder', { ids });
    } catch (err) {
      toast(err.message, { kind: 'error' });
      await loadTodos(movedId);
    }
  };

  const drawList = () => {
    if (!state.todos.length) {
      const filtered = state.filters.status !== 'open' || state.filters.category_id || state.filters.priority;
      mount(listEl, h('div', { class: 'empty' }, filtered
        ? 'No todos match these filters. Change the filters above to see more.'
        : 'Nothing to do. Type a todo in the line above and press Enter — try “Buy milk !high tomorrow”.'));
      return;
    }
    const canReorder = state.filters.sort === 'position';
    mount(listEl,
      canReorder ? h('p', { class: 'hint' }, 'Drag a row by its handle, or focus it and press Alt+↑ or Alt+↓, to change the order.') : null,
      todoList({
        todos: state.todos, categories: state.categories, canReorder, onToggle, onMove,
        // After a change the edited row takes the focus back (the list is redrawn under it).
        onOpen: (todo) => openDrawer(todo, { categories: state.categories, onChanged: () => loadTodos(todo.id) }),
      }));
  };

  const setFilter = (name) => (value) => { state.filters[name] = value; loadTodos(); };
  const drawFilters = () => {
    mount(filtersEl,
      select('todo-status', 'Show', [['open', 'Open'], ['completed', 'Completed'], ['all', 'All']], state.filters.status, setFilter('status')),
      select('todo-filter-category', 'Category', [['', 'All categories'], ...state.categories.map((c) => [String(c.id), c.name])], state.filters.category_id, setFilter('category_id')),
      select('todo-filter-priority', 'Priority', [['', 'Any priority'], ['high', 'High'], ['medium', 'Medium'], ['low', 'Low'], ['none', 'None']], state.filters.priority, setFilter('priority')),
      select('todo-sort', 'Sort', [['position', 'My order'], ['due', 'Due date'], ['priority', 'Priority'], ['created', 'Newest']], state.filters.sort, setFilter('sort')));
  };

  mount(listEl, h('p', { class: 'muted loading' }, 'Loading…'));
  (async () => {
    try {
      await loadCategories();
    } catch {
      // The list still loads; the category filter stays empty.
    }
    await loadTodos();
  })();

  return h('div', { class: 'page todos-page' },
    h('h1', {}, 'Todos'),
    quickAdd({ state, onAdded: () => loadTodos(), onCategoriesChanged: loadCategories }),
    filtersEl,
    listEl,
    categoriesEl);
}

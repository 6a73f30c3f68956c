// Managing categories: add one (name and colour), rename or recolour, delete after a
// confirmation (its todos stay, uncategorised).

import { h } from '../../dom.js';
import { ApiError, del, patch, post } from '../../api.js';
import { confirmDialog } from '../../dialog.js';
import { toast } from '../../toast.js';

function errorText(err) {
  return err instanceof ApiError ? Object.values(err.fields).join(' ') || err.message : String(err);
}

// categories: the current list; onChanged(): reload after a change.
export function categoryManager({ categories, onChanged }) {
  const rows = categories.map((category) => {
    const name = h('input', { type: 'text', value: category.name, maxlength: 60, 'aria-label': `Name of ${category.name}` });
    const colour = h('input', { type: 'color', value: category.colour, 'aria-label': `Colour of ${category.name}` });
    const error = h('p', { class: 'field-error', hidden: true });
    const save = async () => {
      try {
        await patch(`/api/todos/categories/${category.id}`, { name: name.value, colour: colour.value });
        toast(`Category “${name.value}” saved.`);
        onChanged();
      } catch (err) {
        error.textContent = errorText(err);
        error.hidden = false;
      }
    };
    const remove = async () => {
      const ok = await confirmDialog({
        title: `Delete the category “${category.name}”?`, message: 'Its todos are kept, without a category.',
        lose: 'The category’s name and colour are lost.', confirmLabel: 'Delete category', danger: true,
      });
      if (!ok) return;
      await del(`/api/todos/categories/${category.id}`);
      toast(`Category “${category.name}” deleted.`);
      onChanged();
    };
    return h('li', { class: 'category-row' }, colour, name,
      h('button', { type: 'button', class: 'small', onclick: save }, 'Save'),
      h('button', { type: 'button', class: 'small danger-outline', onclick: remove }, 'Delete'), error);
  });
  const newName = h('input', { id: 'category-new-name', type: 'text', maxlength: 60, placeholder: 'e.g. Work' });
  const newColour = h('input', { id: 'category-new-colour', type: 'color', value: '#8ab4ff' });
  const addError = h('p', { class: 'field-error', hidden: true });
  const add = async (event) => {
    event.preventDefault();
    try {
      await post('/api/todos/categories', { name: newName.value, colour: newColour.value });
      toast(`Category “${newName.value}” added.`);
      onChanged();
    } catch (err) {
      addError.textContent = errorText(err);
      addError.hidden = false;
    }
  };
  return h('details', { class: 'card categories' },
    h('summary', {}, `Categories (${categories.length})`),
    categories.length ? h('ul', { class: 'category-list' }, rows) : h('p', { class: 'muted' }, 'No categories yet. Add one below, or type #name in the quick-add line.'),
    h('form', { class: 'category-add', onsubmit: add },
      h('label', { for: 'category-new-name' }, 'New category'), newName,
      h('label', { for: 'category-new-colour', class: 'visually-hidden' }, 'Colour'), newColour,
      h('button', { type: 'submit' }, 'Add category'), addError));
}

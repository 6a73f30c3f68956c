-- Todos: per-user categories, the todos themselves (with optional RRULE recurrence) and the
-- history of completions of recurring todos. Priorities are stored as 0–3 (none, low, medium,
-- high) so they sort; flags are 0/1; instants are unix milliseconds; dates are YYYY-MM-DD text.
CREATE TABLE todo_categories (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    -- Lower-cased name: names are unique per user regardless of case.
    name_key        TEXT    NOT NULL,
    colour          TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (user_id, name_key)
);

CREATE TABLE todos (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    notes           TEXT    NOT NULL DEFAULT '',
    category_id     INTEGER REFERENCES todo_categories (id) ON DELETE SET NULL,
    priority        BIGINT  NOT NULL DEFAULT 0,
    due_date        TEXT,
    due_at          BIGINT,
    -- Derived on write: the instant the todo sorts and filters by (due_at, or due_date at
    -- 00:00 UTC) and the one from which it is overdue (due_at, or the end of that day in its zone).
    due_sort        BIGINT,
    overdue_at      BIGINT,
    -- IANA zone a due_at series recurs in (its local time stays put across DST).
    timezone        TEXT    NOT NULL DEFAULT 'UTC',
    completed       BIGINT  NOT NULL DEFAULT 0,
    completed_at    BIGINT,
    recurrence      TEXT,
    recur_from      TEXT    NOT NULL DEFAULT 'due',
    checklist       TEXT    NOT NULL DEFAULT '[]',
    position        BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX todos_user_order ON todos (user_id, completed, position, id);
CREATE INDEX todos_category ON todos (category_id);

CREATE TABLE todo_completions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    todo_id         INTEGER NOT NULL REFERENCES todos (id) ON DELETE CASCADE,
    completed_at    BIGINT  NOT NULL,
    -- The due date or instant the completion fulfilled, if the todo had one.
    due_date        TEXT,
    due_at          BIGINT
);
CREATE INDEX todo_completions_todo ON todo_completions (todo_id, completed_at);

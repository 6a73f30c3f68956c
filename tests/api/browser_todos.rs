//! The Todos section in a real browser: quick-add with priority, category and date words,
//! completing, keyboard reordering that survives a reload, and no sideways scrolling on a
//! phone.

use serde_json::json;

use crate::browser::{browser, overflow, picture, run, set_up_admin};
use crate::live::serve_https;

/// The titles of the rows as shown, in order.
async fn shown_titles(b: &crate::webdriver::Browser) -> Result<Vec<String>, String> {
    let titles = b
        .execute("return [...document.querySelectorAll('.todo-row .todo-title')].map((e) => e.textContent)", json!([]))
        .await?;
    Ok(titles.as_array().cloned().unwrap_or_default().iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
}

async fn quick_add(b: &crate::webdriver::Browser, text: &str) -> Result<(), String> {
    b.type_into("#todo-quick-add", text).await?;
    b.press("\u{e007}").await?;
    b.wait_idle().await
}

#[tokio::test]
async fn quick_add_complete_and_reorder_todos() {
    let Some(browser) = browser().await else { return };
    let server = serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    run("todos", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        b.goto(&format!("{base}/todos")).await?;
        b.wait_for_text("h1", "Todos").await?;
        b.wait_idle().await?;
        b.wait_for_text(".todo-list-wrap", "Nothing to do").await?;

        quick_add(b, "Buy milk !high #work tomorrow").await?;
        b.wait_for_text(".todo-list", "Buy milk").await?;
        let row = b
            .execute(
                "const row = document.querySelector('.todo-row');
                 const d = new Date(); d.setDate(d.getDate() + 1);
                 const tomorrow = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
                 return [row.querySelector('.todo-title').textContent, row.querySelector('.todo-priority')?.textContent,
                         row.querySelector('.todo-category')?.textContent, row.querySelector('.todo-due')?.dataset.date === tomorrow,
                         row.querySelector('.todo-due')?.textContent];",
                json!([]),
            )
            .await?;
        if row != json!(["Buy milk", "High", "work", true, "Tomorrow"]) {
            return Err(format!("the quick-added row shows {row}"));
        }
        picture(b, "todos-added").await;

        // Completing it takes it off the open list.
        b.click(&b.find(".todo-row .todo-check").await?).await?;
        b.wait_idle().await?;
        b.wait_for_text(".todo-list-wrap", "Nothing to do").await?;

        // Two more, then the second moves up with Alt+ArrowUp; the order survives a reload.
        quick_add(b, "First").await?;
        b.wait_for_text(".todo-list", "First").await?;
        quick_add(b, "Second").await?;
        b.wait_for_text(".todo-list", "Second").await?;
        if shown_titles(b).await? != ["First", "Second"] {
            return Err(format!("new todos should go to the end: {:?}", shown_titles(b).await?));
        }
        b.execute(
            "const row = document.querySelector('.todo-row[aria-label=\"Second\"]');
             row.focus();
             row.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', altKey: true, bubbles: true }));",
            json!([]),
        )
        .await?;
        b.wait_idle().await?;
        let focused = b.execute("return document.activeElement.getAttribute('aria-label')", json!([])).await?;
        if focused != json!("Second") {
            return Err(format!("the moved row should keep the focus, not {focused}"));
        }
        b.goto(&format!("{base}/todos")).await?;
        b.wait_for_text(".todo-list", "Second").await?;
        b.wait_idle().await?;
        if shown_titles(b).await? != ["Second", "First"] {
            return Err(format!("the order after a reload is {:?}", shown_titles(b).await?));
        }

        // The drawer's repeat builder writes the rule; saving makes the todo repeat.
        b.click(&b.find(".todo-row[aria-label='First'] .todo-open").await?).await?;
        b.find("#todo-title").await?;
        b.execute(
            "const set = (id, value) => { const el = document.getElementById(id); el.value = value;
                 el.dispatchEvent(new Event('change', { bubbles: true })); el.dispatchEvent(new Event('input', { bubbles: true })); };
             set('todo-due-kind', 'date'); set('todo-due-date', '2030-01-07'); set('todo-repeat', 'WEEKLY');",
            json!([]),
        )
        .await?;
        b.click(&b.find(".day-toggle input[value=MO]").await?).await?;
        let rule = b.execute("return document.getElementById('todo-rrule').value", json!([])).await?;
        if rule != json!("FREQ=WEEKLY;BYDAY=MO") {
            return Err(format!("the builder wrote {rule}"));
        }
        picture(b, "todos-drawer-repeat").await;
        b.click(&b.find("#todo-save").await?).await?;
        b.wait_idle().await?;
        b.wait_for_text(".todo-row[aria-label='First']", "repeats").await?;

        // A phone: nothing scrolls sideways, with the drawer open too.
        b.set_window_size(390, 844).await?;
        b.goto(&format!("{base}/todos")).await?;
        b.wait_for_text(".todo-list", "Second").await?;
        b.wait_idle().await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("/todos at 390 px: {wide}"));
        }
        picture(b, "todos-390").await;
        b.click(&b.find(".todo-row .todo-open").await?).await?;
        b.find("#todo-title").await?;
        b.wait_idle().await?;
        picture(b, "todos-390-drawer").await;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("/todos drawer at 390 px: {wide}"));
        }
        Ok(())
    })
    .await;
}

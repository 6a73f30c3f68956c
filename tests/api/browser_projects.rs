//! The Projects section in headless Chromium: a project created from its empty list, a
//! connection added as a member, tasks added on the board and moved across it by pointer
//! drag and by keyboard (with the announced result), a comment whose @-mention is typed with
//! the completion list and reaches the member as a notification, the list view's search, the
//! activity feed; a viewer who sees no write controls and the last owner who is told why they
//! cannot leave; and no sideways scrolling on a phone.

use serde_json::{Value, json};

use crate::browser::{browser, overflow, picture, run, set_up_admin, sign_in, sign_out};
use crate::harness::PASSWORD;
use crate::live::{LiveServer, call, signed_in};
use crate::webdriver::Browser;

const ALT: &str = "\u{e00a}";
const ENTER: &str = "\u{e007}";
const LEFT: &str = "\u{e012}";
const UP: &str = "\u{e013}";
const RIGHT: &str = "\u{e014}";

async fn create_user(db: &umbra::db::Db, username: &str) -> Result<(), String> {
    use umbra::auth::password::PasswordHasher;
    let hasher = PasswordHasher::new(crate::harness::cheap_argon2()).map_err(|e| e.to_string())?;
    let password = umbra::domain::password_policy::check(PASSWORD, username).map_err(|e| format!("{e:?}"))?;
    let hash = hasher.hash(&password).await.map_err(|e| e.to_string())?;
    let name = umbra::domain::username::Username::parse(username)?;
    let now = umbra::domain::time::UtcMillis::now();
    umbra::db::users::create(db.pool(), &name, &hash, umbra::domain::role::Role::Standard, now)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// admin and `other` become connections (the Connections page has its own browser test).
async fn connect(server: &LiveServer, admin: &reqwest::Client, other: &str) -> Result<(), String> {
    let theirs = signed_in(server, other).await?;
    call(server, admin, "POST", "/api/connections", json!({"username": other})).await?;
    let requests = call(server, &theirs, "GET", "/api/connections/requests?direction=incoming", Value::Null).await?;
    let id = requests["items"][0]["id"].as_i64().ok_or_else(|| format!("no request arrived: {requests}"))?;
    call(server, &theirs, "POST", &format!("/api/connections/requests/{id}/accept"), Value::Null).await.map(drop)
}

/// Sets a form control's value as a person would leave it (input and change events).
async fn set_value(b: &Browser, css: &str, value: &str) -> Result<(), String> {
    b.find(css).await?;
    b.execute(
        "const el = document.querySelector(arguments[0]); el.value = arguments[1];
         el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([css, value]),
    )
    .await
    .map(drop)
}

/// Drags the element `from` with synthetic pointer events (what the board listens to) and
/// drops it near the bottom of the element `to` (near its top with `on_top`).
async fn drag(b: &Browser, from: &str, to: &str, on_top: bool) -> Result<(), String> {
    b.find(from).await?;
    b.find(to).await?;
    let done = b
        .execute(
            "const [from, to, onTop] = arguments;
             const card = document.querySelector(from), target = document.querySelector(to);
             if (!card || !target) return 'missing';
             const a = card.getBoundingClientRect(), t = target.getBoundingClientRect();
             const at = (x, y) => ({ clientX: x, clientY: y, pointerId: 7, button: 0, isPrimary: true, bubbles: true });
             const [sx, sy, tx, ty] = [a.left + a.width / 2, a.top + 12, t.left + t.width / 2, onTop ? t.top + 4 : t.bottom - 4];
             card.dispatchEvent(new PointerEvent('pointerdown', at(sx, sy)));
             card.dispatchEvent(new PointerEvent('pointermove', at((sx + tx) / 2, (sy + ty) / 2)));
             card.dispatchEvent(new PointerEvent('pointermove', at(tx, ty)));
             card.dispatchEvent(new PointerEvent('pointerup', at(tx, ty)));
             return 'ok';",
            json!([from, to, on_top]),
        )
        .await?;
    if done != json!("ok") {
        return Err(format!("{from} → {to}: nothing to drag"));
    }
    Ok(())
}

/// The titles of a board column's cards, in order.
async fn column(b: &Browser, status: &str) -> Result<Vec<String>, String> {
    let titles = b
        .execute(
            "return [...document.querySelectorAll(`.board-column[data-status='${arguments[0]}'] .task-title`)].map((e) => e.textContent)",
            json!([status]),
        )
        .await?;
    Ok(titles.as_array().cloned().unwrap_or_default().iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
}

/// The card of the task called `title`.
fn card(title: &str) -> String {
    format!(".task-card[aria-label^='{title}']")
}

/// Waits (up to 20 s) until the address's path is no longer `before`.
async fn path_changed(b: &Browser, before: &str) -> Result<String, String> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let path = b.path().await?;
        if path != before || std::time::Instant::now() > deadline {
            return Ok(path);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The server's tasks of the project, column by column in board order: `[(title, status)]`.
async fn tasks(server: &LiveServer, client: &reqwest::Client, project: i64) -> Result<Vec<(String, String)>, String> {
    let page = call(server, client, "GET", &format!("/api/projects/{project}/tasks"), Value::Null).await?;
    Ok(page["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|t| {
            (t["title"].as_str().unwrap_or_default().to_string(), t["status"].as_str().unwrap_or_default().to_string())
        })
        .collect())
}

async fn focus(b: &Browser, css: &str) -> Result<(), String> {
    b.find(css).await?;
    b.execute("document.querySelector(arguments[0]).focus()", json!([css])).await.map(drop)
}

/// From the empty list, "New project" makes one and opens it; gives its id.
async fn create_from_the_list(b: &Browser, base: &str) -> Result<i64, String> {
    // The empty list says what to do; "New project" makes one and opens it.
    b.goto(&format!("{base}/projects")).await?;
    b.wait_for_text("h1", "Projects").await?;
    b.wait_for_text(".projects-wrap", "No active projects").await?;
    picture(b, "projects-empty").await;
    b.click(&b.find("#new-project").await?).await?;
    b.type_into("dialog input[name=name]", "House").await?;
    b.type_into("dialog textarea[name=description]", "Before spring").await?;
    b.click(&b.find("dialog button[type=submit]").await?).await?;
    let path = path_changed(b, "/projects").await?;
    let project: i64 = path
        .strip_prefix("/projects/")
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| format!("after creating, the page is {path}"))?;
    b.wait_for_text(".project-title h1", "House").await?;
    b.wait_for_text(".project-facts", "1 member").await?;
    Ok(project)
}

/// bob, a connection, joins as an editor through the members dialog.
async fn add_member(b: &Browser) -> Result<(), String> {
    // bob, a connection, joins as an editor.
    b.click(&b.find("#project-members").await?).await?;
    b.wait_for_text("#member-add-user", "bob").await?;
    set_value(b, "#member-add-role", "editor").await?;
    b.click(&b.find("#member-add").await?).await?;
    b.wait_for_text(".member-list", "@bob").await?;
    picture(b, "projects-members").await;
    b.click(&b.find_text("dialog//button", "Close").await?).await?;
    b.wait_for_text(".project-facts", "2 members").await?;
    Ok(())
}

/// A task added in To do is dragged to Done; then "Sand" goes across by keyboard.
async fn move_tasks(b: &Browser, server: &LiveServer, admin: &reqwest::Client, project: i64) -> Result<(), String> {
    // A task added in To do, dragged to Done: the server has it there, and it is announced.
    b.type_into("#quick-add-todo", "Paint").await?;
    b.press(ENTER).await?;
    b.wait_for_text(".board-column[data-status='todo'] .board-cards", "Paint").await?;
    b.wait_idle().await?;
    drag(b, &card("Paint"), ".board-column[data-status='done'] .board-cards", false).await?;
    b.wait_for_text("#project-live", "Moved “Paint” to Done, position 1 of 1.").await?;
    b.wait_idle().await?;
    if column(b, "done").await? != ["Paint"] || !column(b, "todo").await?.is_empty() {
        return Err(format!(
            "after the drag the board shows {:?} / {:?}",
            column(b, "todo").await?,
            column(b, "done").await?
        ));
    }
    let on_server = tasks(server, admin, project).await?;
    if on_server != [("Paint".to_string(), "done".to_string())] {
        return Err(format!("after the drag the server has {on_server:?}"));
    }

    // The keyboard: Alt+→ three times takes "Sand" to Done, Alt+↑ puts it first there;
    // the card keeps the focus after each move.
    b.type_into("#quick-add-todo", "Sand").await?;
    b.press(ENTER).await?;
    b.wait_for_text(".board-column[data-status='todo'] .board-cards", "Sand").await?;
    b.wait_idle().await?;
    focus(b, &card("Sand")).await?;
    b.press_with(ALT, RIGHT).await?;
    b.wait_for_text("#project-live", "Moved “Sand” to In progress, position 1 of 1.").await?;
    b.wait_idle().await?;
    for (to, position) in [("Blocked", "1 of 1"), ("Done", "2 of 2")] {
        b.press_with(ALT, RIGHT).await?;
        b.wait_for_text("#project-live", &format!("Moved “Sand” to {to}, position {position}.")).await?;
        b.wait_idle().await?;
    }
    b.press_with(ALT, UP).await?;
    b.wait_for_text("#project-live", "Moved “Sand” to Done, position 1 of 2.").await?;
    b.wait_idle().await?;
    let focused = b.execute("return document.activeElement.getAttribute('aria-label')", json!([])).await?;
    if !focused.as_str().unwrap_or_default().starts_with("Sand") {
        return Err(format!("the moved card should keep the focus, not {focused}"));
    }
    let expected = [("Sand".to_string(), "done".to_string()), ("Paint".to_string(), "done".to_string())];
    if tasks(server, admin, project).await? != expected || column(b, "done").await? != ["Sand", "Paint"] {
        return Err(format!("after the keys the server has {:?}", tasks(server, admin, project).await?));
    }
    // Within a column: Paint dropped on the top half of Sand goes before it.
    drag(b, &card("Paint"), &card("Sand"), true).await?;
    b.wait_for_text("#project-live", "Moved “Paint” to Done, position 1 of 2.").await?;
    b.wait_idle().await?;
    let expected = [("Paint".to_string(), "done".to_string()), ("Sand".to_string(), "done".to_string())];
    if tasks(server, admin, project).await? != expected || column(b, "done").await? != ["Paint", "Sand"] {
        return Err(format!("after the drag within Done the server has {:?}", tasks(server, admin, project).await?));
    }
    // Back one column with Alt+←, for the activity below.
    focus(b, &card("Sand")).await?;
    b.press_with(ALT, LEFT).await?;
    b.wait_for_text("#project-live", "Moved “Sand” to Blocked, position 1 of 1.").await?;
    b.wait_idle().await?;
    picture(b, "projects-board").await;
    Ok(())
}

/// In the open drawer: priority, due date, bob as assignee, a checklist with one item ticked
/// and one removed — saved together, as the server then has them.
async fn edit_in_the_drawer(b: &Browser, server: &LiveServer, project: i64) -> Result<(), String> {
    set_value(b, "#task-priority", "high").await?;
    set_value(b, "#task-due", "2030-05-01").await?;
    let ticked = b
        .execute(
            "const label = [...document.querySelectorAll('.assignees label')].find((l) => l.textContent.includes('@bob'));
             if (!label) return false;
             document.getElementById(label.htmlFor).click();
             return true;",
            json!([]),
        )
        .await?;
    if ticked != json!(true) {
        return Err("bob is not offered as an assignee".into());
    }
    for item in ["Buy paint", "Tape edges"] {
        b.type_into("#task-checklist-add", item).await?;
        b.press(ENTER).await?;
    }
    b.click(&b.find(".checklist li:first-child input[type=checkbox]").await?).await?;
    b.click(&b.find(".checklist button[aria-label='Remove Tape edges']").await?).await?;
    b.click(&b.find("#task-save").await?).await?;
    b.wait_for_text(".toasts", "Saved “Paint”.").await?;
    let admin = signed_in(server, "admin").await?;
    let page = call(server, &admin, "GET", &format!("/api/projects/{project}/tasks"), Value::Null).await?;
    let task =
        page["items"].as_array().and_then(|t| t.iter().find(|t| t["title"] == "Paint").cloned()).unwrap_or_default();
    let saved = json!([task["priority"], task["due_date"], task["assignees"][0]["username"], task["checklist"]]);
    if saved != json!(["high", "2030-05-01", "bob", [{"text": "Buy paint", "done": true}]]) {
        return Err(format!("the drawer saved {saved}"));
    }
    Ok(())
}

/// The drawer and a comment whose mention is chosen from the completion list; bob is told.
async fn comment_with_a_mention(b: &Browser, server: &LiveServer, project: i64) -> Result<(), String> {
    // The drawer (its address names the task); a comment mentions bob, chosen from the
    // completion list that typing "@bo" opens.
    b.click(&b.find(&card("Paint")).await?).await?;
    b.find("#comment-body").await?;
    b.wait_idle().await?;
    let search = b.execute("return location.search", json!([])).await?;
    if !search.as_str().unwrap_or_default().contains("task=") {
        return Err(format!("the drawer's address is {search}"));
    }
    edit_in_the_drawer(b, server, project).await?;
    b.type_into("#comment-body", "Looks good @bo").await?;
    b.wait_for_text(".mention-list:not([hidden])", "@bob").await?;
    picture(b, "projects-mention").await;
    b.press(ENTER).await?;
    b.type_into("#comment-body", "check the colour").await?;
    let typed = b.execute("return document.getElementById('comment-body').value", json!([])).await?;
    if typed != json!("Looks good @bob check the colour") {
        return Err(format!("the completion left {typed}"));
    }
    b.click(&b.find("#comment-send").await?).await?;
    b.wait_for_text(".comment-list", "check the colour").await?;
    b.wait_for_text(".comment-list .mention", "@bob").await?;
    picture(b, "projects-drawer").await;

    // bob is told.
    let bob = signed_in(server, "bob").await?;
    let inbox = call(server, &bob, "GET", "/api/notifications", Value::Null).await?;
    let mentioned = inbox["items"].as_array().cloned().unwrap_or_default();
    let mention =
        mentioned.iter().find(|n| n["type"] == "mentioned").ok_or_else(|| format!("bob's notifications: {inbox}"))?;
    if !mention["link"].as_str().unwrap_or_default().starts_with(&format!("/projects/{project}")) {
        return Err(format!("the mention links to {}", mention["link"]));
    }
    Ok(())
}

/// Escape closes the drawer; the list view searches; the activity lists the moves.
async fn list_and_activity(b: &Browser) -> Result<(), String> {
    // Escape closes the drawer; the address forgets the task.
    b.press("\u{e00c}").await?;
    b.wait_idle().await?;
    let search = b.execute("return location.search", json!([])).await?;
    if search != json!("") {
        return Err(format!("after closing, the address keeps {search}"));
    }

    // The list view: both tasks, then only what the search finds.
    b.click(&b.find(".view-switch button[data-view='list']").await?).await?;
    b.wait_for_text(".task-table-wrap", "Sand").await?;
    b.wait_for_text(".task-table-wrap", "Paint").await?;
    b.type_into("#task-search", "Pai").await?;
    b.wait_idle().await?;
    b.wait_for_text(".task-table-wrap", "1 task").await?;
    if b.text(".task-table-wrap").await?.contains("Sand") {
        return Err("the search still lists Sand".into());
    }
    picture(b, "projects-list").await;

    // The activity, newest first.
    b.click(&b.find(".view-switch button[data-view='activity']").await?).await?;
    b.wait_for_text(".activity-list", "Sand").await?;
    picture(b, "projects-activity").await;
    Ok(())
}

/// A phone: nothing scrolls sideways — the list, the board, the list view, the drawer.
async fn on_a_phone(b: &Browser, base: &str, project: i64) -> Result<(), String> {
    // A phone: nothing scrolls sideways — the list, the board, the list view, the drawer.
    b.set_window_size(390, 844).await?;
    for path in ["/projects".to_string(), format!("/projects/{project}"), format!("/projects/{project}?view=list")] {
        b.goto(&format!("{base}{path}")).await?;
        b.wait_for_text("h1", if path == "/projects" { "Projects" } else { "House" }).await?;
        b.wait_idle().await?;
        if let Some(wide) = overflow(b).await? {
            return Err(format!("{path} at 390 px: {wide}"));
        }
    }
    picture(b, "projects-390-list").await;
    b.goto(&format!("{base}/projects/{project}")).await?;
    b.wait_for_text(".board", "Paint").await?;
    picture(b, "projects-390-board").await;
    // Opened from the keyboard: focusing the card scrolls it clear of the tab bar.
    focus(b, &card("Paint")).await?;
    b.press(ENTER).await?;
    b.find("#comment-body").await?;
    b.wait_idle().await?;
    picture(b, "projects-390-drawer").await;
    if let Some(wide) = overflow(b).await? {
        return Err(format!("the task drawer at 390 px: {wide}"));
    }
    Ok(())
}

#[tokio::test]
async fn a_project_with_a_member_tasks_moved_across_the_board_and_a_mention_that_notifies() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server = &server;
    run("projects", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        create_user(&server.db, "bob").await?;
        let admin = signed_in(server, "admin").await?;
        connect(server, &admin, "bob").await?;
        let project = create_from_the_list(b, &base).await?;
        add_member(b).await?;
        move_tasks(b, server, &admin, project).await?;
        comment_with_a_mention(b, server, project).await?;
        list_and_activity(b).await?;
        on_a_phone(b, &base, project).await
    })
    .await;
}

#[tokio::test]
async fn a_viewer_sees_no_write_controls_and_the_last_owner_is_told_why_they_cannot_leave() {
    let Some(browser) = browser().await else { return };
    let server = crate::live::serve_https(|_| {}).await;
    let code = umbra::auth::setup_code::current(server.db.pool()).await.unwrap().unwrap();
    let base = server.base.clone();
    let server = &server;
    run("projects-viewer", browser, async |b| {
        set_up_admin(b, &base, &code).await?;
        create_user(&server.db, "vera").await?;
        let admin = signed_in(server, "admin").await?;
        connect(server, &admin, "vera").await?;
        let project = call(server, &admin, "POST", "/api/projects", json!({"name": "Garden"})).await?;
        let id = project["id"].as_i64().ok_or_else(|| format!("no project id in {project}"))?;
        call(
            server,
            &admin,
            "POST",
            &format!("/api/projects/{id}/tasks"),
            json!({"title": "Dig", "status": "in_progress"}),
        )
        .await?;
        call(
            server,
            &admin,
            "POST",
            &format!("/api/projects/{id}/members"),
            json!({"username": "vera", "role": "viewer"}),
        )
        .await?;

        // The only owner cannot leave, and is told why.
        b.goto(&format!("{base}/projects/{id}")).await?;
        b.wait_for_text(".board", "Dig").await?;
        b.click(&b.find("#project-members").await?).await?;
        b.click(&b.find("#member-leave").await?).await?;
        b.wait_for_text(".member-notice", "only owner").await?;
        b.click(&b.find_text("dialog//button", "Close").await?).await?;

        // vera reads: no quick add, no moves, no edit or delete, a read-only drawer.
        sign_out(b).await?;
        sign_in(b, "vera", PASSWORD).await?;
        b.find(".user-button").await?;
        b.goto(&format!("{base}/projects/{id}")).await?;
        b.wait_for_text(".board", "Dig").await?;
        b.wait_idle().await?;
        b.wait_for_text(".board-wrap", "your role in this project is viewer").await?;
        let controls = b
            .execute(
                "return ['.quick-add-task', '#project-edit', '#project-delete', '.drag-handle']
                    .filter((css) => document.querySelector(css) !== null)",
                json!([]),
            )
            .await?;
        if controls != json!([]) {
            return Err(format!("a viewer is offered {controls}"));
        }
        focus(b, &card("Dig")).await?;
        b.press_with(ALT, RIGHT).await?;
        b.wait_idle().await?;
        let on_server = tasks(server, &admin, id).await?;
        if on_server != [("Dig".to_string(), "in_progress".to_string())] {
            return Err(format!("a viewer's Alt+→ moved the task: {on_server:?}"));
        }
        b.press(ENTER).await?;
        b.wait_for_text("#task-drawer-title", "read only").await?;
        let writable = b
            .execute(
                "return [document.getElementById('task-title').disabled, document.getElementById('task-save') === null,
                         document.getElementById('comment-body') === null]",
                json!([]),
            )
            .await?;
        if writable != json!([true, true, true]) {
            return Err(format!("the viewer's drawer is writable: {writable}"));
        }
        picture(b, "projects-viewer-drawer").await;
        b.press("\u{e00c}").await?;

        // Leaving: confirmed, then the project is gone from vera's list.
        b.click(&b.find("#project-members").await?).await?;
        b.wait_for_text(".member-list", "Viewer").await?;
        b.click(&b.find("#member-leave").await?).await?;
        b.click(&b.find("dialog button.confirm").await?).await?;
        b.wait_for_text(".toasts", "You left “Garden”").await?;
        b.wait_for_text("h1", "Projects").await?;
        b.wait_for_text(".projects-wrap", "No active projects").await?;
        Ok(())
    })
    .await;
}

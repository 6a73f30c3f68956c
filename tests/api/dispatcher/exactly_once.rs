//! Exactly once: two dispatchers (each with its own connection pool, like two `umbra serve`
//! processes on one database) racing over many due reminders deliver each once, in-app and by
//! push; a deliverer that claimed and crashed leaves its lease to expire, and another
//! finishes the work once.

use std::collections::HashSet;
use std::sync::Arc;

use umbra::clock::Clock;
use umbra::db::Db;
use umbra::db::{dispatch, push_deliveries};
use umbra::service::dispatch::{ITEM_LEASE_MS, PUSH_LEASE_MS};

use super::{HOUR, MINUTE, RecordingPusher, count, dispatcher, nothing, notifications, pushed_user, reminder, run};
use crate::harness::app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_dispatchers_racing_deliver_every_reminder_exactly_once() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    let (bob, bob_id) = pushed_user(&app, "bob").await;
    let other_process = Db::open(&app.config.database_url).await.unwrap();
    let (first_pusher, second_pusher) = (Arc::new(RecordingPusher::default()), Arc::new(RecordingPusher::default()));
    let first = Arc::new(dispatcher(first_pusher.clone()));
    let second = Arc::new(dispatcher(second_pusher.clone()));
    let mut expected = 0;
    for round in 0..3 {
        let due = app.clock.now_millis() + MINUTE;
        for i in 0..40 {
            reminder(&ann, &format!("ann {round}.{i}"), due).await;
            reminder(&bob, &format!("bob {round}.{i}"), due).await;
        }
        expected += 80;
        app.clock.advance_minutes(1);
        let now = app.clock.now();
        let (db_a, db_b) = (app.db.clone(), other_process.clone());
        let (a, b) = (first.clone(), second.clone());
        let one = tokio::spawn(async move { a.run_once(&db_a, now).await.unwrap() });
        let two = tokio::spawn(async move { b.run_once(&db_b, now).await.unwrap() });
        let (one, two) = (one.await.unwrap(), two.await.unwrap());
        assert_eq!(one.delivered + two.delivered, 80, "round {round}: every reminder once between them");
        assert_eq!(one.pushes.sent + two.pushes.sent, 80, "round {round}: every push once between them");
    }
    let all: Vec<_> = [notifications(&app, ann_id).await, notifications(&app, bob_id).await].concat();
    assert_eq!(all.len(), expected);
    let keys: HashSet<_> = all.iter().map(|n| n.3.clone()).collect();
    assert_eq!(keys.len(), expected, "no notification twice");
    let titles: HashSet<String> =
        first_pusher.messages().into_iter().chain(second_pusher.messages()).map(|m| m.title).collect();
    assert_eq!(first_pusher.calls() + second_pusher.calls(), expected, "no push sent twice");
    assert_eq!(titles.len(), expected);
    // Another pass by either finds nothing left.
    assert_eq!(run(&app, &first).await.delivered, 0);
    assert_eq!(second.run_once(&other_process, app.clock.now()).await.unwrap().delivered, 0);
    let undelivered =
        count(&app, "SELECT COUNT(*) FROM reminders WHERE delivered_for IS NULL OR claimed_at IS NOT NULL").await;
    assert_eq!(undelivered, 0);
}

#[tokio::test]
async fn a_crashed_deliverers_lease_expires_and_another_delivers_once() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    reminder(&ann, "water the plants", app.clock.now_millis() - MINUTE).await;
    let now = app.clock.now_millis();
    // The crashed process: it claimed the reminder and never finished.
    let claimed = dispatch::claim_reminders(app.db.pool(), now, now - ITEM_LEASE_MS, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);

    let pusher = Arc::new(RecordingPusher::default());
    let survivor = dispatcher(pusher.clone());
    assert_eq!(run(&app, &survivor).await.delivered, 0, "the lease holds");
    app.clock.advance_minutes(1);
    assert_eq!(run(&app, &survivor).await.delivered, 0, "a lease of exactly one minute has not lapsed");
    app.clock.advance_minutes(1);
    let report = run(&app, &survivor).await;
    assert_eq!((report.delivered, report.pushes.sent), (1, 1), "the lapsed lease is taken over");

    // The crashed process comes back and tries to finish: its claim is no longer the row's.
    let mut tx = app.db.write().await.unwrap();
    let after = dispatch::ReminderAfter { remind_at: claimed[0].remind_at, snoozed_until: None };
    let finish = dispatch::ReminderFinish { id: claimed[0].id, claimed_fire_at: claimed[0].fire_at, after };
    assert!(dispatch::finish_reminders(&mut tx, &[finish], now, now).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    app.clock.advance_minutes(10);
    assert_eq!(run(&app, &survivor).await, nothing());
    assert_eq!(notifications(&app, ann_id).await.len(), 1);
    assert_eq!(pusher.calls(), 1);
}

#[tokio::test]
async fn a_crashed_senders_push_lease_expires_and_the_push_is_sent_once_by_another() {
    let app = app().await;
    let (ann, ann_id) = pushed_user(&app, "ann").await;
    reminder(&ann, "call the plumber", app.clock.now_millis() - MINUTE).await;
    let pusher = Arc::new(RecordingPusher::default());
    let survivor = dispatcher(pusher.clone());
    // In-app first, then a sender claims the push and crashes before sending.
    assert_eq!(survivor.deliver_due(&app.db, app.clock.now()).await.unwrap(), 1);
    let now = app.clock.now_millis();
    let claimed = push_deliveries::claim(app.db.pool(), now, now - PUSH_LEASE_MS, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(survivor.send_pushes(&app.db, now).await.unwrap().sent, 0, "the push is leased");
    app.clock.advance_minutes(3);
    let report = run(&app, &survivor).await;
    assert_eq!((report.delivered, report.pushes.sent), (0, 1));
    assert_eq!(notifications(&app, ann_id).await.len(), 1, "a push retry never writes the notification again");
    assert_eq!(pusher.calls(), 1);
}

/// How many reminders match `condition` (binds: `$1` the due time, `$2` a day later).
async fn reminders_where(app: &crate::harness::TestApp, condition: &str, due: i64) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM reminders WHERE {condition}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(due)
        .bind(due + super::DAY)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// A burst larger than a claim batch (500) and a delivery transaction (100 items), one-offs,
/// series and snoozed one-offs mixed: each is delivered once in-app and by push, and each row
/// moves on as its own (a series to tomorrow, a one-off stays, a snooze keeps its times) —
/// the deliveries are written per chunk in a few multi-row statements, and this would see a
/// row finished with another row's values or a chunk's notification left out.
#[tokio::test]
async fn a_burst_across_chunks_is_delivered_once_each_and_every_row_moves_on_as_its_own() {
    let app = app().await;
    let (_ann, ann_id) = pushed_user(&app, "ann").await;
    let (_bob, bob_id) = pushed_user(&app, "bob").await;
    let due = app.clock.now_millis() + MINUTE;
    let mut tx = app.db.write().await.unwrap();
    for i in 0..620 {
        let series = i % 10 == 0;
        let snoozed = !series && i % 7 == 3;
        sqlx::query(
            "INSERT INTO reminders (user_id, title, remind_at, recurrence, series_start, snoozed_until, fire_at, \
                                    created_at, updated_at) VALUES ($1, $2, $3, $4, $3, $5, $6, 0, 0)",
        )
        .bind(if i % 2 == 0 { ann_id } else { bob_id })
        .bind(format!("burst {i}"))
        .bind(if snoozed { due - HOUR } else { due })
        .bind(series.then_some("FREQ=DAILY"))
        .bind(snoozed.then_some(due))
        .bind(due)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let pusher = Arc::new(RecordingPusher::default());
    let dispatcher = dispatcher(pusher.clone());
    app.clock.advance_minutes(1);
    let report = run(&app, &dispatcher).await;
    assert_eq!((report.delivered, report.pushes.sent), (620, 620));
    let all: Vec<_> = [notifications(&app, ann_id).await, notifications(&app, bob_id).await].concat();
    let keys: HashSet<_> = all.iter().map(|n| n.3.clone()).collect();
    assert_eq!((all.len(), keys.len()), (620, 620), "each notification once");
    let titles: HashSet<String> = pusher.messages().into_iter().map(|m| m.title).collect();
    assert_eq!((pusher.calls(), titles.len()), (620, 620), "each push once");
    let open = "claimed_at IS NULL AND delivered_for = $1";
    // Rules run at whole seconds: tomorrow's occurrence is the due time's second a day on.
    let series = format!(
        "{open} AND recurrence IS NOT NULL AND remind_at > $2 - 1000 AND remind_at <= $2 AND fire_at = remind_at \
         AND snoozed_until IS NULL"
    );
    assert_eq!(reminders_where(&app, &series, due).await, 62, "every series moved to tomorrow");
    let one_offs =
        format!("{open} AND recurrence IS NULL AND remind_at = $1 AND fire_at = $1 AND snoozed_until IS NULL");
    let snoozed_sql =
        format!("{open} AND recurrence IS NULL AND remind_at < $1 AND fire_at = $1 AND snoozed_until = $1");
    let (one_offs, snoozes) =
        (reminders_where(&app, &one_offs, due).await, reminders_where(&app, &snoozed_sql, due).await);
    let expected_snoozes = (0..620).filter(|i| i % 10 != 0 && i % 7 == 3).count();
    assert_eq!(snoozes, i64::try_from(expected_snoozes).unwrap(), "the snoozed ones kept their snooze");
    assert_eq!(one_offs + snoozes, 558, "every one-off stays where it was");
    assert_eq!(run(&app, &dispatcher).await, nothing(), "nothing twice");
    app.clock.advance_minutes(24 * 60);
    assert_eq!(run(&app, &dispatcher).await.delivered, 62, "tomorrow: the series only");
}

//! What the fuzz targets (fuzz/fuzz_targets, issue 14 §4) found, each kept as a regular test
//! through the way a real client or admin reaches it: the request gate, the config file, the
//! RRULE of a todo and the outbound allow-list. Each test fails on the code before its fix.

use std::path::Path;

use serde_json::json;
use umbra::cli::{ServeArgs, StorageArgs};
use umbra::config::{Config, ConfigError};

use crate::harness::app;

/// A sign is no hex digit: `%+f` passed the canonical-path check (Rust's `from_str_radix`
/// takes a leading `+`), so a malformed escape reached routing (request_path target).
#[tokio::test]
async fn a_percent_escape_needs_two_hex_digits() {
    let app = app().await;
    for path in ["/api/auth/status%+0", "/api/%+f", "/%+fapp.js"] {
        let problem = app.anonymous().get(path).await.problem(400);
        assert!(problem["detail"].as_str().unwrap().contains("malformed percent escape"), "{path}: {problem}");
    }
    assert_eq!(app.anonymous().get("/api/auth/status").await.status, 200);
}

fn load(dir: &Path, text: &str) -> Result<Config, ConfigError> {
    let file = dir.join("umbra.toml");
    std::fs::write(&file, text).unwrap();
    let storage = StorageArgs { config: Some(file), data_dir: Some(dir.to_path_buf()), ..StorageArgs::default() };
    Config::load(&ServeArgs { storage, ..ServeArgs::default() })
}

fn refusal(dir: &Path, text: &str) -> String {
    match load(dir, text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(error) => error.to_string(),
    }
}

/// `main` prints a refusal as one line; a value from the file carried its line breaks and
/// escape sequences into it (config target).
#[test]
fn a_configuration_refusal_is_one_plain_line_whatever_the_file_holds() {
    let dir = tempfile::tempdir().unwrap();
    for text in [
        "listen = \"a\\nERROR forged line\"\n",
        "listen = \"\\u001b[2Jgone\"\n",
        "trusted_proxies = [\"10.0.0.0/8\\r\\nx\"]\n",
        "public_names = [\"a\\u0007b\"]\n",
    ] {
        let message = refusal(dir.path(), text);
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
    let message = refusal(dir.path(), "listen = \"a\\nERROR forged line\"\n");
    assert!(message.contains("listen") && message.contains("ERROR forged line"), "{message}");
}

/// `8 × parallelism` overflowed a u32 in the validation itself: a panic in a debug build, and
/// in a release build a cost the hasher then refused at start (config target).
#[test]
fn an_argon2_cost_the_hasher_refuses_is_refused_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for parallelism in [536_870_912_u64, 16_777_216] {
        let message = refusal(dir.path(), &format!("[argon2]\nparallelism = {parallelism}\n"));
        assert!(message.contains("argon2"), "{message}");
    }
    load(dir.path(), "[argon2]\nmemory_kib = 19456\niterations = 2\nparallelism = 1\n").unwrap();
}

/// The hasher takes up to ~4 TiB per hash: a typo such as `memory_kib = 4294967295` started,
/// then aborted the process at the first sign-in, failing to allocate it (config target).
#[test]
fn an_argon2_memory_cost_past_4_gib_is_refused_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let most = umbra::config::MAX_ARGON2_MEMORY_KIB;
    for memory in [u64::from(u32::MAX), u64::from(most) + 1] {
        let message = refusal(dir.path(), &format!("[argon2]\nmemory_kib = {memory}\n"));
        assert!(message.contains("argon2: memory_kib must be at most"), "{message}");
    }
    let config = load(dir.path(), &format!("[argon2]\nmemory_kib = {most}\n")).unwrap();
    assert_eq!(config.argon2.memory_kib, most);
}

/// The listener adds each timeout to a connection's start; past an instant's range that sum
/// panics on every connection (config target).
#[test]
fn connection_timeouts_are_at_most_a_day() {
    let dir = tempfile::tempdir().unwrap();
    for key in ["handshake_timeout_secs", "header_timeout_secs", "idle_timeout_secs"] {
        for bad in [9_223_372_036_854_775_807_u64, umbra::config::MAX_TIMEOUT_SECS + 1, 0] {
            let message = refusal(dir.path(), &format!("[connections]\n{key} = {bad}\n"));
            assert!(message.contains("connections"), "{key} = {bad}: {message}");
        }
        load(dir.path(), &format!("[connections]\n{key} = {}\n", umbra::config::MAX_TIMEOUT_SECS)).unwrap();
    }
}

/// The session and lockout policy are the system settings' defaults; the file took values the
/// settings API refuses (an idle timeout of a minute, an absolute lifetime shorter than the
/// idle one, a lockout after one failure), so the settings page could not be saved as shown
/// (config target).
#[test]
fn session_and_lockout_defaults_are_held_to_the_settings_ranges() {
    let dir = tempfile::tempdir().unwrap();
    for (text, key) in [
        ("[sessions]\nidle_minutes = 1\n", "sessions.idle_minutes"),
        ("[sessions]\nidle_minutes = 60\nabsolute_minutes = 30\n", "sessions.absolute_minutes"),
        ("[sessions]\nmax_per_user = 1000\n", "sessions.max_per_user"),
        ("[lockout]\nthreshold = 1\n", "lockout.threshold"),
        ("[lockout]\nminutes = 100000\n", "lockout.minutes"),
    ] {
        let message = refusal(dir.path(), text);
        assert!(message.contains(key), "{text}: {message}");
    }
    let config = load(dir.path(), "[sessions]\nidle_minutes = 60\nabsolute_minutes = 600\n").unwrap();
    assert!(umbra::server::default_system_settings(&config).problems().is_empty());
}

/// A nameless part of an RRULE (`;;`, `=2`) was named as the part at fault by its empty
/// name: the form had nothing to point at (rrule target).
#[tokio::test]
async fn a_nameless_rrule_part_is_named_as_the_rule() {
    let app = app().await;
    let ada = app.user("ada").await;
    for rule in ["FREQ=DAILY;;COUNT=2", "FREQ=YEARLY;=2;BYMONTHDAY=29", "FREQ=DAILY;"] {
        let problem = ada.post("/api/todos", json!({"title": "x", "recurrence": rule})).await.problem(422);
        let errors = problem["errors"].as_array().unwrap();
        let error = errors.iter().find(|e| e["field"] == "recurrence").expect("the rule is named");
        assert!(error["message"].as_str().unwrap().starts_with("RRULE: "), "{rule}: {problem}");
    }
}

/// A multi-byte character in a BYDAY value made the `rrule` crate panic while parsing (it
/// slices by bytes): a 500 for a todo, an event or a reminder, and for a calendar file or a
/// DAV PUT holding such a rule. Now a 422 naming the rule (json_body target).
#[tokio::test]
async fn a_non_ascii_rrule_is_refused_not_a_panic() {
    let app = app().await;
    let ada = app.user("ada").await;
    for rule in ["RRULE:FREQ=MONTHLY;BYDAY=-0\u{479}R;COUNT=12", "FREQ=WEEKLY;BYDAY=M\u{d6}"] {
        let todo = ada.post("/api/todos", json!({"title": "x", "due_date": "2027-03-01", "recurrence": rule})).await;
        let problem = todo.problem(422);
        let error = problem["errors"].as_array().unwrap().iter().find(|e| e["field"] == "recurrence").cloned();
        assert!(error.is_some_and(|e| e["message"].as_str().unwrap().starts_with("RRULE: ")), "{problem}");
        let event =
            json!({"title": "x", "start": "2027-03-01T09:00:00Z", "end": "2027-03-01T10:00:00Z", "recurrence": rule});
        ada.post("/api/events", event).await.problem(422);
    }
}

/// The rrule crate read an unreadable BYDAY ordinal as none: `1STFR` or `-<junk>1FR` was
/// stored as written and meant every Friday (the export then wrote another rule). Refused
/// now (ical_import target).
#[tokio::test]
async fn a_byday_ordinal_must_be_one_rfc_5545_allows() {
    let app = app().await;
    let ada = app.user("ada").await;
    for rule in ["FREQ=MONTHLY;BYDAY=1STFR", "FREQ=MONTHLY;BYDAY=-\u{1c}1FR", "FREQ=MONTHLY;BYDAY=0FR"] {
        let event =
            json!({"title": "x", "start": "2027-03-05T09:00:00Z", "end": "2027-03-05T10:00:00Z", "recurrence": rule});
        let problem = ada.post("/api/events", event).await.problem(422);
        assert!(problem.to_string().contains("BYDAY"), "{rule}: {problem}");
    }
    let good = json!({"title": "x", "start": "2027-03-05T09:00:00Z", "end": "2027-03-05T10:00:00Z", "recurrence": "FREQ=MONTHLY;BYDAY=-1FR,+2MO"});
    assert_eq!(ada.post("/api/events", good).await.status, 201);
}

/// A line named END with parameters inside a card was kept as a property and served back by
/// CardDAV, where it ended the card early for every reader (vcard_import target).
#[tokio::test]
async fn a_card_cannot_hold_an_end_line_with_parameters() {
    let app = app().await;
    let ada = app.user("ada").await;
    let card = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:u\r\nFN:Ann\r\nADR;TYPE=work:;x\r\nEND;;3 Mill Lan;;LS1;UK\r\n\
                NOTE:x\r\nEND:VCARD\r\n";
    let response = ada
        .request(
            rocket::http::Method::Post,
            "/api/people/import",
            Some(card),
            &[("X-Requested-With", "XMLHttpRequest"), ("Content-Type", "text/vcard")],
        )
        .await;
    let problem = response.problem(422);
    assert!(problem["detail"].as_str().unwrap().contains("line 6"), "{problem}");
}

/// An allow-list "host name" that the URL parser reads as an address (`0x7f.1` is 127.0.0.1)
/// or refuses could never match a URL's host: the entry was stored and silently never
/// applied (outbound_url target).
#[tokio::test]
async fn an_allow_list_name_must_be_a_name_to_the_url_parser() {
    let app = app().await;
    let admin = app.admin().await;
    let entries = json!({"entries": ["ntfy.lan", "0x7f.1", "1.2.3.0x", "lan.08"]});
    let problem = admin.put("/api/admin/outbound-allow", entries).await.problem(422);
    let fields: Vec<_> = problem["errors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
    assert_eq!(fields, [json!("entries[1]"), json!("entries[2]"), json!("entries[3]")]);
    let saved = admin.put("/api/admin/outbound-allow", json!({"entries": ["0x7f.lan"]})).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
}

/// A bare CR inside a vCard value (here NICKNAME, then a control character) was stored as
/// given; the export wrote it raw, and another program — or UMBRA reading its own export —
/// read a line break there and lost the rest of the value. Control characters in a UID made
/// the export name another card. Text is stored as `domain::text::plain` makes it now, so
/// the export reads back as the same person (vcard_import target).
#[tokio::test]
async fn a_control_character_in_a_card_is_not_stored_and_the_export_reads_back_the_same() {
    let app = app().await;
    let ada = app.user("ada").await;
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:uid-\u{7}1\r\nFN:Jane\u{0} Doe\r\n\
                NICKNAME:JD\r\u{e}EMAIL;TYPE=home:jane@example.org\r\nNOTE:bell\u{7} and tab\tkept\r\nEND:VCARD\r\n";
    let imported = crate::people::import(&ada, card).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let people = ada.get("/api/people").await.json();
    let person = &people["items"][0];
    assert_eq!(person["uid"], "uid-1");
    assert_eq!(person["name"], "Jane Doe");
    // A nickname is words on one line (calcard reads a list value back with runs of spaces
    // collapsed): the stray line break is a space.
    assert_eq!(person["nickname"], "JD EMAIL;TYPE=home:jane@example.org");
    assert_eq!(person["notes"], "bell and tab\tkept");

    // The export holds no control character but CRLF and the tab, and reads back as her.
    let export = ada.get("/api/people/export.vcf").await;
    assert_eq!(export.status, 200);
    let stray = export.body.replace("\r\n", "").replace('\t', "");
    assert!(!stray.chars().any(char::is_control), "{:?}", export.body);
    let bob = app.user("bob").await;
    assert_eq!(crate::people::import(&bob, &export.body).await.status, 200);
    let again = bob.get("/api/people").await.json();
    for field in ["uid", "name", "nickname", "notes"] {
        assert_eq!(again["items"][0][field], person[field], "{field}");
    }

    // Through the API as well: a note keeps its line breaks (CRLF becomes one) and loses the rest.
    let made = ada.post("/api/people", json!({"name": "Bo\u{1b}[2J", "notes": "a\r\nb\u{7}c"})).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!((made.json()["name"].clone(), made.json()["notes"].clone()), (json!("Bo[2J"), json!("a\nbc")));

    // An address of a control character and a space was stored as a space, which the export
    // wrote as a blank ADR part and the import read back as no address.
    let blank = ada.post("/api/people", json!({"name": "Cy", "address": "\u{11} \n"})).await;
    assert_eq!(blank.json()["address"], "", "{}", blank.body);
}

/// Two events whose UIDs differed only in a control character were two events on import and
/// one after an export (the writer drops control characters, so the second read as the
/// first's duplicate and was lost). A UID is read as the writer writes it now: the file's
/// second event is reported as a repeated UID at import, and the export reads back whole
/// (ical_import target).
#[tokio::test]
async fn uids_that_differ_only_in_a_control_character_are_one_uid() {
    let app = app().await;
    let ada = app.user("ada").await;
    let calendar = crate::ical::default_calendar(&app, "ada").await;
    let event = |uid: &str, title: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270301T080000Z\r\nDTSTART:20270401T070000Z\r\n\
             DTEND:20270401T080000Z\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n"
        )
    };
    let file = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n{}{}END:VCALENDAR\r\n",
        event("run-\u{7}1", "Morning run"),
        event("run-1", "Morning run (park)")
    );
    let imported = crate::ical::import(&ada, calendar, &file).await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    let report = imported.json();
    assert_eq!(report["imported"], 1, "{report}");
    assert!(report.to_string().contains("appears twice"), "{report}");
    let uid: String = sqlx::query_scalar("SELECT uid FROM events WHERE calendar_id = $1")
        .bind(calendar)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(uid, "run-1");

    // The export, imported into another calendar, is the same one event.
    let export = crate::ical::export(&ada, calendar).await;
    let bob = app.user("bob").await;
    let theirs = crate::ical::default_calendar(&app, "bob").await;
    let again = crate::ical::import(&bob, theirs, &export.body).await.json();
    assert_eq!((again["imported"].clone(), crate::ical::events_in(&app, theirs).await), (json!(1), 1), "{again}");
}

/// A DURATION of millions of days was added to the start unchecked: the event was stored
/// ending hundreds of millennia later, and every export wrote that end as 1970, before the
/// start (ical_import target). Refused now, naming the line, like any date outside 1900–2200.
#[tokio::test]
async fn a_duration_that_ends_past_the_year_2200_is_refused() {
    let app = app().await;
    let ada = app.user("ada").await;
    let calendar = crate::ical::default_calendar(&app, "ada").await;
    for start in ["DTSTART:20270101T090000", "DTSTART;VALUE=DATE:20270101"] {
        let file = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\nBEGIN:VEVENT\r\nUID:long@fuzz\r\n{start}\r\n\
             DURATION:P99999999D\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let problem = crate::ical::import(&ada, calendar, &file).await.problem(422);
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains("Line 7") && detail.contains("outside the years 1900 to 2200"), "{start}: {problem}");
    }
    assert_eq!(crate::ical::events_in(&app, calendar).await, 0);
}

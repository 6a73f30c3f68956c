use chrono::TimeZone;

use super::*;
use crate::domain::recurrence::Recurrence;

fn ms(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
}

fn state() -> TodoState {
    TodoState {
        title: "Pay rent; then, relax\\".into(),
        notes: "line one\nline two".into(),
        category_id: None,
        priority: Priority::Medium,
        due_date: None,
        due_at: Some(ms("2027-03-01T08:00:00Z")),
        timezone: chrono_tz::Europe::Berlin,
        completed: false,
        completed_at: None,
        recurrence: Some(Recurrence::parse("FREQ=MONTHLY;BYMONTHDAY=1").unwrap()),
        recur_from: RecurFrom::Completion,
        checklist: vec![
            ChecklistItem { text: "a, b; c".into(), done: true },
            ChecklistItem { text: "\"quoted\" \\ back".into(), done: false },
        ],
    }
}

fn object<'a>(state: &'a TodoState, extra: &'a str) -> TodoObject<'a> {
    TodoObject {
        uid: "abc@umbra",
        state,
        category: Some("Home, garden"),
        created_at: ms("2027-01-01T00:00:00Z"),
        updated_at: ms("2027-01-02T00:00:00Z"),
        extra,
    }
}

fn vcal(todo: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\n{todo}END:VTODO\r\nEND:VCALENDAR\r\n"
    )
}

fn refused(text: &str) -> MapError {
    read(text, Tz::UTC).unwrap_err()
}

#[test]
fn a_todo_survives_a_round_trip() {
    let state = state();
    let text = write(&object(&state, ""));
    assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"), "{text}");
    assert!(text.contains("DUE;TZID=Europe/Berlin:20270301T090000\r\n"), "{text}");
    assert!(text.contains("PRIORITY:5\r\n") && text.contains("STATUS:NEEDS-ACTION\r\n"));
    assert!(text.contains("CATEGORIES:Home\\, garden\r\n"), "{text}");
    let back = read(&text, Tz::UTC).unwrap();
    assert_eq!(back.uid, "abc@umbra");
    assert_eq!((back.title.as_str(), back.notes.as_str()), (state.title.as_str(), state.notes.as_str()));
    assert_eq!(back.priority, Priority::Medium);
    assert_eq!(back.due, Due::At { at: state.due_at.unwrap(), zone: Some(chrono_tz::Europe::Berlin) });
    assert_eq!(back.recurrence.as_deref(), Some("FREQ=MONTHLY;BYMONTHDAY=1"));
    assert_eq!(back.recur_from, Some(RecurFrom::Completion));
    assert_eq!(back.categories, ["Home, garden"]);
    assert_eq!(back.checklist.as_ref(), Some(&state.checklist));
    assert!(!back.completed && back.extra.is_empty(), "{:?}", back.extra);
    // The same state is the same text: a strong ETag's promise.
    assert_eq!(text, write(&object(&state, "")));
}

#[test]
fn dates_completion_and_utc() {
    let mut state = state();
    state.due_at = None;
    state.due_date = NaiveDate::from_ymd_opt(2027, 5, 4);
    state.recurrence = None;
    state.checklist.clear();
    state.completed = true;
    state.completed_at = Some(ms("2027-05-03T17:30:00Z"));
    let text = write(&object(&state, ""));
    assert!(text.contains("DUE;VALUE=DATE:20270504\r\n") && !text.contains("VTIMEZONE"), "{text}");
    assert!(text.contains("STATUS:COMPLETED\r\nCOMPLETED:20270503T173000Z\r\n"), "{text}");
    assert!(!text.contains(CHECKLIST) && !text.contains(RECUR_FROM), "{text}");
    let back = read(&text, Tz::UTC).unwrap();
    assert_eq!(back.due, Due::Date(NaiveDate::from_ymd_opt(2027, 5, 4).unwrap()));
    assert_eq!((back.completed, back.completed_at), (true, state.completed_at));
    assert_eq!((back.checklist, back.recur_from), (None, None), "absent: the todo keeps its own");

    state.due_date = None;
    state.due_at = Some(ms("2027-05-04T10:00:00Z"));
    state.timezone = Tz::UTC;
    let text = write(&object(&state, ""));
    assert!(text.contains("DUE:20270504T100000Z\r\n") && !text.contains("VTIMEZONE"), "{text}");
}

#[test]
fn priorities_map_by_ranges() {
    for (value, priority) in [(0, Priority::None), (1, Priority::High), (4, Priority::High), (5, Priority::Medium)] {
        assert_eq!(priority_from_ical(value), priority);
    }
    assert_eq!((priority_from_ical(6), priority_from_ical(9)), (Priority::Low, Priority::Low));
    for priority in [Priority::None, Priority::Low, Priority::Medium, Priority::High] {
        assert_eq!(priority_from_ical(priority_to_ical(priority)), priority);
    }
    assert!(refused(&vcal("UID:x\r\nSUMMARY:t\r\nPRIORITY:10\r\n")).message.contains("PRIORITY"));
    assert!(refused(&vcal("UID:x\r\nSUMMARY:t\r\nPRIORITY:high\r\n")).message.contains("PRIORITY"));
}

#[test]
fn a_clients_own_lines_come_back() {
    let body = vcal(
        "UID:x-1\r\nDTSTAMP:20270101T000000Z\r\nSEQUENCE:4\r\nSUMMARY;LANGUAGE=de:Einkaufen\r\n\
         DTSTART;VALUE=DATE:20270101\r\nDUE;VALUE=DATE:20270102\r\nX-APPLE-SORT-ORDER:123\r\n\
         X-FOO;X-PARAM=\"a;b:c\":value, with: colon\r\nSTATUS:IN-PROCESS\r\nPERCENT-COMPLETE:40\r\n\
         CATEGORIES:Errands,Weekend,Later\r\n\
         BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER;VALUE=DATE-TIME:20270101T090000Z\r\nEND:VALARM\r\n",
    );
    let todo = read(&body, Tz::UTC).unwrap();
    assert_eq!(todo.title, "Einkaufen");
    assert_eq!(todo.categories, ["Errands", "Weekend", "Later"]);
    assert!(!todo.completed);
    assert_eq!(
        todo.extra,
        [
            "SUMMARY;LANGUAGE=de:Einkaufen",
            "DTSTART;VALUE=DATE:20270101",
            "X-APPLE-SORT-ORDER:123",
            "X-FOO;X-PARAM=\"a;b:c\":value, with: colon",
            "STATUS:IN-PROCESS",
            "PERCENT-COMPLETE:40",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:Reminder",
            "TRIGGER;VALUE=DATE-TIME:20270101T090000Z",
            "END:VALARM",
        ]
    );
    let mut extra = todo.extra.clone();
    extra.push(categories_line(&todo.categories[1..]));
    let mut state = state();
    state.title = "Einkaufen gehen".into();
    state.due_at = None;
    state.due_date = NaiveDate::from_ymd_opt(2027, 1, 2);
    state.recurrence = None;
    let extra = join_extra(&extra);
    let text = write(&TodoObject { category: Some("Errands"), ..object(&state, &extra) });
    assert!(text.contains("SUMMARY;LANGUAGE=de:Einkaufen gehen\r\n"), "{text}");
    assert!(text.contains("STATUS:IN-PROCESS\r\nPERCENT-COMPLETE:40\r\n"), "{text}");
    assert!(text.contains("X-FOO;X-PARAM=\"a;b:c\":value, with: colon\r\n"), "{text}");
    assert!(text.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n"), "{text}");
    assert_eq!(text.matches("SEQUENCE").count(), 0);
    let again = read(&text, Tz::UTC).unwrap();
    assert_eq!(again.categories, ["Errands", "Weekend", "Later"]);
    let sorted = |lines: &[String]| {
        let mut lines = lines.to_vec();
        lines.sort();
        lines
    };
    let renamed: Vec<String> = todo.extra.iter().map(|l| l.replace("Einkaufen", "Einkaufen gehen")).collect();
    assert_eq!(sorted(&again.extra), sorted(&renamed), "nothing lost, nothing doubled");

    // Done in the app: the client's "in process" and 40 % no longer hold.
    state.completed = true;
    state.completed_at = Some(ms("2027-01-02T10:00:00Z"));
    let text = write(&object(&state, &extra));
    assert!(text.contains("STATUS:COMPLETED\r\nCOMPLETED:20270102T100000Z\r\nPERCENT-COMPLETE:100\r\n"), "{text}");
    assert!(!text.contains("IN-PROCESS") && !text.contains(":40"), "{text}");
}

#[test]
fn completion_and_status() {
    let done = read(&vcal("UID:x\r\nSUMMARY:t\r\nCOMPLETED:20270101T100000Z\r\n"), Tz::UTC).unwrap();
    assert_eq!((done.completed, done.completed_at), (true, Some(ms("2027-01-01T10:00:00Z"))));
    let reopened =
        read(&vcal("UID:x\r\nSUMMARY:t\r\nSTATUS:NEEDS-ACTION\r\nCOMPLETED:20270101T100000Z\r\n"), Tz::UTC).unwrap();
    assert_eq!((reopened.completed, reopened.completed_at), (false, None));
    let cancelled = read(&vcal("UID:x\r\nSUMMARY:t\r\nSTATUS:CANCELLED\r\n"), Tz::UTC).unwrap();
    assert!(cancelled.completed);
    let state = TodoState { completed: true, completed_at: Some(0), ..state() };
    let text = write(&object(&state, "STATUS:CANCELLED"));
    assert!(text.contains("STATUS:CANCELLED\r\n") && !text.contains("COMPLETED:"), "{text}");
}

#[test]
fn floating_and_zoned_times() {
    let berlin = chrono_tz::Europe::Berlin;
    let floating = read(&vcal("UID:x\r\nSUMMARY:t\r\nDUE:20270301T090000\r\n"), berlin).unwrap();
    let nine = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
    assert_eq!(floating.due, Due::Floating(nine));
    let windows = read(&vcal("UID:x\r\nSUMMARY:t\r\nDUE;TZID=W. Europe Standard Time:20270301T090000\r\n"), Tz::UTC);
    let at = berlin.from_local_datetime(&nine).unwrap().timestamp_millis();
    assert_eq!(windows.unwrap().due, Due::At { at, zone: Some(berlin) });
    let unknown = refused(&vcal("UID:x\r\nSUMMARY:t\r\nDUE;TZID=Mars/Base:20270301T090000\r\n"));
    assert!(unknown.message.contains("unknown time zone") && unknown.precondition == VALID_DATA);
}

#[test]
fn bodies_that_cannot_be_kept_are_refused() {
    let cases: [(&str, &str); 11] = [
        ("not a calendar", VALID_DATA),
        ("BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:x\r\nEND:VCALENDAR\r\n", VALID_DATA),
        ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", SUPPORTED_COMPONENT),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", SUPPORTED_COMPONENT),
        (&vcal("SUMMARY:no uid\r\n"), VALID_OBJECT),
        (&vcal(&format!("UID:{}\r\nSUMMARY:t\r\n", "u".repeat(UID_MAX + 1))), VALID_OBJECT),
        (&vcal("UID:x\r\nSUMMARY:t\r\nDUE:2027-03-01\r\n"), VALID_DATA),
        (&vcal("UID:x\r\nSUMMARY:t\r\nDUE;VALUE=DATE:30000101\r\n"), VALID_DATA),
        (&vcal("UID:x\r\nSUMMARY:t\r\nRRULE:FREQ=DAILY\r\nEXDATE:20270101T000000Z\r\n"), VALID_DATA),
        (&vcal("UID:x\r\nSUMMARY:t\r\nRRULE:FREQ=DAILY\r\nRRULE:FREQ=WEEKLY\r\n"), VALID_DATA),
        (&vcal("UID:x\r\nSUMMARY:t\r\nX-UMBRA-CHECKLIST:[{\"text\":1}]\r\n"), VALID_DATA),
    ];
    for (body, precondition) in cases {
        assert_eq!(refused(body).precondition, precondition, "{body}");
    }
    let two = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:a\r\nEND:VTODO\r\nBEGIN:VTODO\r\nUID:{}\r\n\
         RECURRENCE-ID:20270101T000000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
        "a"
    );
    assert!(refused(&two).message.contains("RECURRENCE-ID"));
    let other = two.replace("UID:a\r\nRECURRENCE", "UID:b\r\nRECURRENCE");
    assert_eq!(refused(&other).precondition, VALID_OBJECT);
    let error = refused(&vcal("UID:x\r\nSUMMARY:t\r\nDUE:bad\r\n"));
    assert!(error.message.starts_with("line 7:"), "{}", error.message);
}

#[test]
fn timezones_and_alarms_around_the_todo_are_fine() {
    let body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\n\
                DTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
                BEGIN:VTODO\r\nUID:z\r\nSUMMARY:t\r\nDUE;TZID=Europe/Berlin:20270301T090000\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let todo = read(body, Tz::UTC).unwrap();
    assert!(todo.extra.is_empty(), "the VTIMEZONE is the calendar's, not the todo's: {:?}", todo.extra);
    assert!(matches!(todo.due, Due::At { zone: Some(chrono_tz::Europe::Berlin), .. }));
}

#[test]
fn lines_cannot_be_injected() {
    let state = TodoState { title: "x\r\nEND:VTODO\r\nBEGIN:VEVENT".into(), ..state() };
    let text = write(&object(&state, "X-A:b\rEND:VTODO"));
    assert_eq!(text.split("\r\n").filter(|line| *line == "END:VTODO").count(), 1, "{text}");
    let back = read(&text, Tz::UTC).unwrap();
    assert_eq!(back.title, state.title.replace("\r\n", "\n"));
}

//! vdirsyncer syncing a calendar and an address book both ways between UMBRA and local folders
//! (its `filesystem` storage): after a first sync, each side adds, changes and deletes objects
//! and both change the same one. The pair says `conflict_resolution = "a wins"` (a is the
//! local folder), so the local edit must win on the server too. A third sync must find nothing
//! to do, which holds only when the server's ETags stay put while nothing changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::{DavUser, clients, run_client};

/// What differs between the two kinds: the collection's URL, the file type, the property that
/// holds an object's title, and how the API makes, renames, deletes and lists them.
#[derive(Clone, Copy)]
enum Kind {
    Calendar(i64),
    Contacts,
}

impl Kind {
    fn url_path(self, username: &str) -> String {
        match self {
            Kind::Calendar(id) => format!("/dav/calendars/{username}/{id}/"),
            Kind::Contacts => format!("/dav/addressbooks/{username}/contacts/"),
        }
    }

    fn storage(self) -> (&'static str, &'static str) {
        match self {
            Kind::Calendar(_) => ("caldav", ".ics"),
            Kind::Contacts => ("carddav", ".vcf"),
        }
    }

    fn title_property(self) -> &'static str {
        match self {
            Kind::Calendar(_) => "SUMMARY:",
            Kind::Contacts => "FN:",
        }
    }

    /// An object made on the local side, as a client writes it.
    fn local_object(self, uid: &str, title: &str) -> String {
        let lines = match self {
            Kind::Calendar(_) => vec![
                "BEGIN:VCALENDAR".to_string(),
                "VERSION:2.0".into(),
                "PRODID:-//UMBRA tests//vdirsyncer//EN".into(),
                "BEGIN:VEVENT".into(),
                format!("UID:{uid}"),
                "DTSTAMP:20300101T000000Z".into(),
                "DTSTART:20300206T180000Z".into(),
                "DTEND:20300206T190000Z".into(),
                format!("SUMMARY:{title}"),
                "END:VEVENT".into(),
                "END:VCALENDAR".into(),
            ],
            Kind::Contacts => {
                let (given, family) = title.split_once(' ').unwrap();
                vec![
                    "BEGIN:VCARD".to_string(),
                    "VERSION:3.0".into(),
                    format!("UID:{uid}"),
                    format!("FN:{title}"),
                    format!("N:{family};{given};;;"),
                    "END:VCARD".into(),
                ]
            }
        };
        lines.join("\r\n") + "\r\n"
    }

    /// Made through the API; an event on the `day`th of February 2030.
    async fn api_create(self, user: &DavUser, title: &str, day: usize) -> i64 {
        let made = match self {
            Kind::Calendar(calendar_id) => {
                let body = json!({"calendar_id": calendar_id, "title": title,
                    "start": format!("2030-02-{day:02}T10:00:00Z"), "end": format!("2030-02-{day:02}T11:00:00Z")});
                user.api("POST", "/api/events", body).await
            }
            Kind::Contacts => user.api("POST", "/api/people", json!({"name": title})).await,
        };
        made["id"].as_i64().unwrap()
    }

    fn api_path(self, id: i64) -> String {
        match self {
            Kind::Calendar(_) => format!("/api/events/{id}"),
            Kind::Contacts => format!("/api/people/{id}"),
        }
    }

    async fn api_rename(self, user: &DavUser, id: i64, title: &str) {
        let body = match self {
            Kind::Calendar(_) => json!({"title": title}),
            Kind::Contacts => json!({"name": title}),
        };
        user.api("PATCH", &self.api_path(id), body).await;
    }

    async fn api_delete(self, user: &DavUser, id: i64) {
        user.api("DELETE", &self.api_path(id), json!({})).await;
    }

    /// The titles the API shows, sorted.
    async fn api_titles(self, user: &DavUser) -> Vec<String> {
        let (list, field) = match self {
            Kind::Calendar(id) => (
                user.api(
                    "GET",
                    &format!("/api/events?start=2030-01-01T00:00:00Z&end=2031-01-01T00:00:00Z&calendar_id={id}"),
                    json!({}),
                )
                .await,
                "title",
            ),
            Kind::Contacts => (user.api("GET", "/api/people?limit=500", json!({})).await, "name"),
        };
        let mut titles: Vec<String> =
            list["items"].as_array().unwrap().iter().map(|o| o[field].as_str().unwrap().to_string()).collect();
        titles.sort();
        titles
    }
}

/// The local folder: each object's title (from its property line) and file.
fn local_objects(folder: &Path, kind: Kind) -> BTreeMap<String, PathBuf> {
    let (_, extension) = kind.storage();
    let mut objects = BTreeMap::new();
    for entry in std::fs::read_dir(folder).expect("the local folder") {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(extension) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let title = text
            .lines()
            .find_map(|line| line.strip_prefix(kind.title_property()))
            .unwrap_or_else(|| panic!("no {} in {}:\n{text}", kind.title_property(), path.display()));
        objects.insert(title.trim_end().replace("\\,", ","), path);
    }
    objects
}

/// Changes an object's title in its local file, as an editor would.
fn rename_local(path: &Path, kind: Kind, title: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let renamed: Vec<String> = text
        .split("\r\n")
        .flat_map(|part| part.split('\n'))
        .map(|line| {
            if line.starts_with(kind.title_property()) {
                format!("{}{title}", kind.title_property())
            } else {
                line.to_string()
            }
        })
        .collect();
    std::fs::write(path, renamed.join("\r\n")).unwrap();
}

/// A vdirsyncer configuration with one pair: the local folder (a) and UMBRA's collection (b).
fn write_config(user: &DavUser, kind: Kind) -> (PathBuf, PathBuf) {
    let root = user.files.path();
    let local = root.join("local");
    std::fs::create_dir_all(&local).unwrap();
    let (storage, extension) = kind.storage();
    let quoted = |value: &str| serde_json::to_string(value).unwrap();
    // A calendar's name and colour sync too (`vdirsyncer metasync`, PROPPATCH on the server).
    let metadata = if matches!(kind, Kind::Calendar(_)) { "metadata = [\"displayname\", \"color\"]\n" } else { "" };
    let config = format!(
        "[general]\nstatus_path = {status}\n\n\
         [pair umbra]\na = \"local\"\nb = \"server\"\ncollections = null\nconflict_resolution = \"a wins\"\n{metadata}\n\
         [storage local]\ntype = \"filesystem\"\npath = {local}\nfileext = \"{extension}\"\n\n\
         [storage server]\ntype = \"{storage}\"\nurl = {url}\nusername = {username}\npassword = {password}\nverify = {ca}\n",
        status = quoted(&root.join("status").display().to_string()),
        local = quoted(&local.display().to_string()),
        url = quoted(&user.server.url(&kind.url_path(&user.username))),
        username = quoted(&user.username),
        password = quoted(&user.app_password),
        ca = quoted(&user.ca_file.display().to_string()),
    );
    let file = root.join("vdirsyncer.conf");
    std::fs::write(&file, config).unwrap();
    (file, local)
}

/// Runs `vdirsyncer <command>`; panics with its output unless it succeeded. Returns its log.
async fn vdirsyncer(bin: &Path, config: &Path, user: &DavUser, command: &str) -> String {
    let env = [("VDIRSYNCER_CONFIG", config.display().to_string())];
    let run = run_client(&bin.join("vdirsyncer"), &["--verbosity", "INFO", command], &env, user.files.path()).await;
    assert!(run.success, "vdirsyncer {command} failed\n{}", run.transcript());
    format!("{}{}", run.stdout, run.stderr)
}

fn sorted(titles: &[&str]) -> Vec<String> {
    let mut titles: Vec<String> = titles.iter().map(|t| (*t).to_string()).collect();
    titles.sort();
    titles
}

/// The whole scenario for one kind; `names` are seven two-word titles: five made through the
/// API before the first sync, one made through the API after it, one made locally.
async fn two_way_sync_with_a_conflict(bin: &Path, user: &DavUser, kind: Kind, names: [&str; 7]) {
    let [renamed_locally, renamed_remotely, conflicted, deleted_locally, deleted_remotely, made_remotely, made_locally] =
        names;
    let mut ids = BTreeMap::new();
    for (day, title) in
        [renamed_locally, renamed_remotely, conflicted, deleted_locally, deleted_remotely].into_iter().enumerate()
    {
        ids.insert(title, kind.api_create(user, title, day + 1).await);
    }
    let (config, local) = write_config(user, kind);
    vdirsyncer(bin, &config, user, "discover").await;
    vdirsyncer(bin, &config, user, "sync").await;
    let first: Vec<String> = local_objects(&local, kind).into_keys().collect();
    assert_eq!(
        first,
        sorted(&[renamed_locally, renamed_remotely, conflicted, deleted_locally, deleted_remotely]),
        "after the first sync"
    );

    // Changes on both sides, and the same object changed on both.
    let files = local_objects(&local, kind);
    rename_local(&files[renamed_locally], kind, "Renamed Locally");
    rename_local(&files[conflicted], kind, "Local Winner");
    std::fs::remove_file(&files[deleted_locally]).unwrap();
    let new_file = local.join(format!("vdir-local{}", kind.storage().1));
    std::fs::write(new_file, kind.local_object("vdir-local-uid", made_locally)).unwrap();
    kind.api_rename(user, ids[renamed_remotely], "Renamed Remotely").await;
    kind.api_rename(user, ids[conflicted], "Server Loser").await;
    kind.api_delete(user, ids[deleted_remotely]).await;
    kind.api_create(user, made_remotely, 10).await;

    vdirsyncer(bin, &config, user, "sync").await;
    let expected = sorted(&["Renamed Locally", "Renamed Remotely", "Local Winner", made_remotely, made_locally]);
    let local_titles: Vec<String> = local_objects(&local, kind).into_keys().collect();
    assert_eq!(local_titles, expected, "the local folder after the second sync");
    assert_eq!(kind.api_titles(user).await, expected, "the API after the second sync");
    assert_eq!(user.api_status(&kind.api_path(ids[deleted_locally])).await, 404, "the locally deleted object is gone");

    // Nothing changed since: a third sync must not copy or delete anything.
    let log = vdirsyncer(bin, &config, user, "sync").await;
    assert!(!log.contains("Copying") && !log.contains("Deleting"), "the third sync still had work:\n{log}");
}

#[tokio::test]
async fn vdirsyncer_syncs_a_calendar_both_ways_with_a_conflict() {
    let Some(bin) = clients() else { return };
    let user = DavUser::new().await;
    let calendar =
        user.api("POST", "/api/calendars", json!({"name": "Family", "colour": "#3a7bd5", "timezone": "UTC"})).await;
    let kind = Kind::Calendar(calendar["id"].as_i64().unwrap());
    let names =
        ["Dentist Visit", "Yoga Class", "Family Dinner", "Recycling Day", "Chess Club", "Book Club", "Hair Cut"];
    two_way_sync_with_a_conflict(&bin, &user, kind, names).await;

    // The name and colour: the server's come down, then a local change goes up.
    let config = user.files.path().join("vdirsyncer.conf");
    let local = user.files.path().join("local");
    vdirsyncer(&bin, &config, &user, "metasync").await;
    let read = |name: &str| std::fs::read_to_string(local.join(name)).map(|t| t.trim().to_string()).unwrap_or_default();
    assert_eq!(
        (read("displayname"), read("color").to_lowercase()),
        ("Family".into(), "#3a7bd5".into()),
        "metadata after metasync"
    );
    std::fs::write(local.join("displayname"), "Family Renamed").unwrap();
    std::fs::write(local.join("color"), "#112233").unwrap();
    vdirsyncer(&bin, &config, &user, "metasync").await;
    let calendar = user.api("GET", &format!("/api/calendars/{}", calendar["id"]), json!({})).await;
    assert_eq!(
        (calendar["name"].as_str(), calendar["colour"].as_str()),
        (Some("Family Renamed"), Some("#112233")),
        "{calendar}"
    );
}

#[tokio::test]
async fn vdirsyncer_syncs_an_address_book_both_ways_with_a_conflict() {
    let Some(bin) = clients() else { return };
    let user = DavUser::new().await;
    let names = [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
        "Barbara Liskov",
        "Margaret Hamilton",
        "Katherine Johnson",
    ];
    two_way_sync_with_a_conflict(&bin, &user, Kind::Contacts, names).await;
}

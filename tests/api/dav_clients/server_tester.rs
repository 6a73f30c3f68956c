//! caldav-server-tester (the `caldav` project's server checker) against UMBRA. Its verbose
//! report is kept as target/dav-reports/caldav-server-tester.txt (summarised in the README),
//! and the features a household's clients rely on must be reported as fully supported.

use std::collections::BTreeMap;

use super::{DavUser, clients, repository, run_client};

/// Features (the tester's names) that must come out `full`: without them phones and desktops
/// do not sync. The rest of the report is kept for reading, not asserted.
const REQUIRED: [&str; 8] = [
    "create-calendar",
    "delete-calendar",
    "save-load.event",
    "save-load.todo",
    "search.time-range.event",
    "search.time-range.todo",
    "search.text",
    "sync-token",
];

/// The report's features and the support level it found for each (`full`, `unsupported`, …).
fn support_levels(report: &str) -> BTreeMap<String, String> {
    let mut levels = BTreeMap::new();
    let mut feature = None;
    for line in report.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            feature = Some(name.trim().to_string());
        } else if let (Some(level), Some(name)) = (line.strip_prefix("Feature support level found: "), feature.take()) {
            levels.insert(name, level.trim().to_string());
        }
    }
    levels
}

#[tokio::test]
async fn caldav_server_tester_report_is_kept_and_the_essential_features_pass() {
    let Some(bin) = clients() else { return };
    let user = DavUser::new().await;
    let mut env = user.client_env();
    // The tester reads its TLS trust like the caldav library's other settings.
    env.push(("CALDAV_SSL_VERIFY_CERT", user.ca_file.display().to_string()));
    let url = user.server.url("/dav/");
    let args = [
        "--verbose",
        "--caldav-url",
        &url,
        "--caldav-username",
        &user.username,
        "--caldav-password",
        &user.app_password,
    ];
    let run = run_client(&bin.join("caldav-server-tester"), &args, &env, user.files.path()).await;

    let reports = repository().join("target/dav-reports");
    std::fs::create_dir_all(&reports).unwrap();
    let database = if std::env::var("UMBRA_TEST_POSTGRES_URL").is_ok() { "postgres" } else { "sqlite" };
    let file = reports.join(format!("caldav-server-tester-{database}.txt"));
    std::fs::write(&file, run.stdout.replace(&user.app_password, "<app password>")).unwrap();
    std::fs::write(reports.join(format!("caldav-server-tester-{database}.log")), &run.stderr).unwrap();
    assert!(run.success, "caldav-server-tester failed (report in {})\n{}", file.display(), run.transcript());

    let levels = support_levels(&run.stdout);
    assert!(levels.len() > 20, "the report lists only {} features:\n{}", levels.len(), run.stdout);
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|f| levels.get(**f).map(String::as_str) != Some("full"))
        .map(|f| format!("{f}: {}", levels.get(*f).map_or("not in the report", String::as_str)))
        .collect();
    assert!(missing.is_empty(), "features not fully supported: {missing:?} (report in {})", file.display());
}

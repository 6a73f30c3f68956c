//! PostgreSQL over TLS: sqlx is built with rustls (ring, the system's trust store), so
//! `sslmode=require` really encrypts and `verify-full` really verifies. Whatever the local
//! server offers, a required TLS connection is either encrypted or a clear error — never a
//! panic, never a silent plain-text connection.

use umbra::db::Db;

/// Whether this connection of the pool is encrypted, as the server sees it.
async fn encrypted(db: &Db) -> bool {
    let ssl: i64 =
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl")
            .fetch_one(db.pool())
            .await
            .unwrap();
    ssl == 1
}

#[tokio::test]
async fn sslmode_require_encrypts_or_fails_clearly() {
    let Ok(admin_url) = std::env::var("UMBRA_TEST_POSTGRES_URL") else {
        eprintln!("skipped: UMBRA_TEST_POSTGRES_URL is not set (PostgreSQL only)");
        return;
    };
    let plain = Db::connect(&admin_url).await.expect("plain connection");
    let server_tls: String = sqlx::query_scalar("SHOW ssl").fetch_one(plain.pool()).await.unwrap();
    plain.close().await;
    let with = |mode: &str| {
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        format!("{admin_url}{separator}sslmode={mode}")
    };

    match Db::connect(&with("require")).await {
        Ok(db) => {
            assert_eq!(server_tls, "on", "connected without TLS although it was required");
            assert!(encrypted(&db).await, "sslmode=require gave a plain connection");
            db.close().await;
        }
        Err(error) => {
            let message = error.to_string().to_lowercase();
            assert!(!message.contains("without tls support"), "TLS support is built in: {message}");
            assert_eq!(server_tls, "off", "the server offers TLS, yet: {message}");
            assert!(message.contains("tls") || message.contains("ssl"), "{message}");
        }
    }

    // verify-full checks the certificate and the host name: a self-signed server certificate
    // (the local test server's) is refused with a clear error; a trusted one is encrypted.
    match Db::connect(&with("verify-full")).await {
        Ok(db) => {
            assert!(encrypted(&db).await, "sslmode=verify-full gave a plain connection");
            db.close().await;
        }
        Err(error) => {
            eprintln!("verify-full: {error}");
            let message = error.to_string().to_lowercase();
            assert!(!message.contains("without tls support"), "TLS support is built in: {message}");
            assert!(
                ["tls", "ssl", "certificate"].iter().any(|word| message.contains(word)),
                "not a clear TLS error: {message}"
            );
        }
    }
}

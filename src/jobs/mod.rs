//! Background jobs, started at liftoff and stopped with the server.

pub mod cleanup;

use rocket::fairing::AdHoc;

pub fn fairing() -> AdHoc {
    AdHoc::on_liftoff("background jobs", |rocket| {
        Box::pin(async move {
            cleanup::spawn(rocket);
        })
    })
}

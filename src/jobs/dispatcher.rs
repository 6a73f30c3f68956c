//! The dispatcher's two jobs (see `service::dispatch`): one delivers what fell due (in-app,
//! queueing pushes), the other sends the push outbox. Separate loops, so a slow ntfy server
//! never delays an in-app notification. Both run every second: a reminder due in two seconds
//! arrives on time, and an idle pass is a few indexed reads.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use rocket::{Orbit, Rocket};

use super::{Job, JobContext, JobError};
use crate::auth::passkeys;
use crate::domain::time::UtcMillis;
use crate::push::Pusher;
use crate::server::AppState;
use crate::service::dispatch::Dispatcher;

const EVERY: Duration = Duration::from_secs(1);

/// Managed by whoever embeds the server to send pushes through another `Pusher` (tests and
/// benchmarks point it at a stand-in ntfy server).
pub struct PusherOverride(pub Arc<dyn Pusher>);

/// The dispatcher for this server: its pusher, its public URL (click URLs and action links)
/// and the key that opens the users' ntfy tokens.
pub fn dispatcher_for(rocket: &Rocket<Orbit>, state: &AppState) -> Dispatcher {
    let pusher: Arc<dyn Pusher> = match rocket.state::<PusherOverride>() {
        Some(PusherOverride(pusher)) => pusher.clone(),
        None => state.pusher.clone(),
    };
    let public_url = passkeys::identity(&state.config).map(|(_, origin)| origin.to_string()).unwrap_or_default();
    Dispatcher::new(pusher, &public_url, state.secrets.clone())
}

pub fn jobs(rocket: &Rocket<Orbit>, state: &AppState) -> Vec<Arc<dyn Job>> {
    let dispatcher = Arc::new(dispatcher_for(rocket, state));
    vec![Arc::new(DeliverDue(dispatcher.clone())), Arc::new(SendPushes(dispatcher))]
}

/// Due items become in-app notifications (and queued pushes).
pub struct DeliverDue(pub Arc<Dispatcher>);

impl Job for DeliverDue {
    fn name(&self) -> &'static str {
        "dispatch: due items"
    }

    fn period(&self) -> Duration {
        EVERY
    }

    fn run_once<'a>(&'a self, ctx: &'a JobContext, now: UtcMillis) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            self.0.deliver_due(&ctx.db, now).await?;
            Ok(())
        })
    }
}

/// The push outbox is sent.
pub struct SendPushes(pub Arc<Dispatcher>);

impl Job for SendPushes {
    fn name(&self) -> &'static str {
        "dispatch: pushes"
    }

    fn period(&self) -> Duration {
        EVERY
    }

    fn run_once<'a>(&'a self, ctx: &'a JobContext, now: UtcMillis) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            self.0.send_pushes(&ctx.db, now.0).await?;
            Ok(())
        })
    }
}

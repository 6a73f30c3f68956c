//! The ntfy sender: one push is one JSON POST to the user's ntfy server (ntfy's "publish as
//! JSON": the body names the topic), through the SSRF-safe outbound client, so the server URL
//! a user saved is checked again at every send (DNS may have changed since it was saved).
//! What the ntfy server answers is never passed on: only its status code.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::Serialize;

use super::{NtfyTarget, PushError, PushMessage, Pusher};
use crate::outbound::{OutboundClient, OutboundError, OutboundRequest, Requester};

/// ntfy's JSON publishing format (only the fields UMBRA sends).
#[derive(Debug, Serialize)]
struct Publish<'a> {
    topic: &'a str,
    title: &'a str,
    message: &'a str,
    priority: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    click: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    actions: Vec<Button<'a>>,
}

/// An `http` action: the phone POSTs to the URL when the button is pressed, then clears the
/// notification. The POST carries `X-Requested-With`, as every state change under /api must
/// (the CSRF rule); the URL's own token says what it may do.
#[derive(Debug, Serialize)]
struct Button<'a> {
    action: &'static str,
    label: &'a str,
    url: &'a str,
    method: &'static str,
    headers: ButtonHeaders,
    clear: bool,
}

#[derive(Debug, Serialize)]
struct ButtonHeaders {
    #[serde(rename = "X-Requested-With")]
    requested_with: &'static str,
}

pub struct NtfySender {
    outbound: Arc<OutboundClient>,
}

impl NtfySender {
    pub fn new(outbound: Arc<OutboundClient>) -> Self {
        Self { outbound }
    }

    /// Sends one message on someone's behalf (the audit log names them if the URL is refused).
    pub async fn send(&self, who: &Requester, target: &NtfyTarget, message: &PushMessage) -> Result<u16, PushError> {
        let request = request_for(target, message);
        match self.outbound.send(who, request).await {
            Ok(response) if (200..300).contains(&response.status) => Ok(response.status),
            Ok(response) => Err(PushError::Failed {
                status: Some(response.status),
                error: format!("the ntfy server answered with status {}", response.status),
            }),
            Err(OutboundError::Refused(refusal)) => Err(PushError::Refused(refusal.to_string())),
            Err(OutboundError::Failed(error)) => Err(PushError::Failed { status: None, error }),
        }
    }
}

/// The HTTP request for one message: POST to the server's base URL.
pub fn request_for(target: &NtfyTarget, message: &PushMessage) -> OutboundRequest {
    let publish = Publish {
        topic: &target.topic,
        title: &message.title,
        message: &message.body,
        priority: message.priority.clamp(1, 5),
        click: message.click.as_deref(),
        actions: message
            .actions
            .iter()
            .map(|a| Button {
                action: "http",
                label: &a.label,
                url: &a.url,
                method: "POST",
                headers: ButtonHeaders { requested_with: "XMLHttpRequest" },
                clear: true,
            })
            .collect(),
    };
    let mut headers = vec![("Content-Type", "application/json".to_string())];
    if let Some(token) = target.token.as_deref().filter(|t| !t.is_empty()) {
        headers.push(("Authorization", format!("Bearer {token}")));
    }
    OutboundRequest {
        method: reqwest::Method::POST,
        url: target.server.clone(),
        headers,
        body: Some(serde_json::to_vec(&publish).unwrap_or_default()),
    }
}

impl Pusher for NtfySender {
    fn push<'a>(&'a self, target: &'a NtfyTarget, message: &'a PushMessage) -> BoxFuture<'a, Result<u16, PushError>> {
        Box::pin(async move { self.send(&Requester::system(), target, message).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::push::PushAction;

    #[test]
    fn one_json_post_with_every_field() {
        let target = NtfyTarget { server: "https://ntfy.example".into(), topic: "t1".into(), token: Some("tk".into()) };
        let message = PushMessage {
            title: "Title".into(),
            body: "Body".into(),
            priority: 9,
            click: Some("https://umbra.example/reminders".into()),
            actions: vec![PushAction { label: "Done".into(), url: "https://umbra.example/a/1".into() }],
        };
        let request = request_for(&target, &message);
        assert_eq!(request.method, reqwest::Method::POST);
        assert_eq!(request.url, "https://ntfy.example");
        assert!(request.headers.contains(&("Authorization", "Bearer tk".into())));
        let body: serde_json::Value = serde_json::from_slice(&request.body.unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "topic": "t1", "title": "Title", "message": "Body", "priority": 5,
                "click": "https://umbra.example/reminders",
                "actions": [{"action": "http", "label": "Done", "url": "https://umbra.example/a/1", "method": "POST",
                             "headers": {"X-Requested-With": "XMLHttpRequest"}, "clear": true}],
            })
        );
        let bare = request_for(
            &NtfyTarget { token: None, ..target },
            &PushMessage { click: None, actions: vec![], ..message },
        );
        assert!(!bare.headers.iter().any(|(name, _)| *name == "Authorization"));
        let body: serde_json::Value = serde_json::from_slice(&bare.body.unwrap()).unwrap();
        assert!(body.get("click").is_none() && body.get("actions").is_none());
    }

    #[test]
    fn a_logged_target_or_request_does_not_show_the_token() {
        let target =
            NtfyTarget { server: "https://ntfy.example".into(), topic: "t1".into(), token: Some("tk_secret".into()) };
        let printed = format!("{target:?}");
        assert!(!printed.contains("tk_secret"), "{printed}");
        assert!(printed.contains("ntfy.example") && printed.contains("<redacted>"), "{printed}");
        let message = PushMessage { title: "T".into(), body: "B".into(), priority: 3, click: None, actions: vec![] };
        let printed = format!("{:?}", request_for(&target, &message));
        assert!(!printed.contains("tk_secret"), "{printed}");
    }
}

//! `JsonBody<T>`: the data guard for every JSON request body. It answers 415 for another
//! content type, 413 past the size limit, 400 for malformed JSON and 422 naming the field
//! for unknown fields, missing fields and wrong types (input types `deny_unknown_fields`).

use rocket::data::{Data, FromData, Outcome, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Bodies are small forms; 64 KiB is plenty and bounds the work a request can cause.
pub const JSON_LIMIT_BYTES: u64 = 64 * 1024;

pub struct JsonBody<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for JsonBody<T> {
    type Error = ApiError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r, Self> {
        match read(req, data).await {
            Ok(value) => Outcome::Success(JsonBody(value)),
            Err(error) => Outcome::Error((error.status, error.stash(req))),
        }
    }
}

async fn read<T: DeserializeOwned>(req: &Request<'_>, data: Data<'_>) -> Result<T, ApiError> {
    if !req.content_type().is_some_and(|ct| ct.media_type().is_json()) {
        return Err(ApiError::unsupported_media_type());
    }
    let bytes = data
        .open(JSON_LIMIT_BYTES.bytes())
        .into_bytes()
        .await
        .map_err(|_| ApiError::bad_request("The request body could not be read."))?;
    if !bytes.is_complete() {
        return Err(ApiError::too_large(format!("The request body exceeds {JSON_LIMIT_BYTES} bytes.")));
    }
    parse(&bytes.into_inner())
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if has_nul_escape(bytes) {
        // PostgreSQL cannot store U+0000 in text (SQLite can): refused alike on both.
        return Err(ApiError::new(Status::UnprocessableEntity, "Text may not contain the NUL character (\\u0000)."));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(describe)?;
    deserializer
        .end()
        .map_err(|_| ApiError::bad_request("The request body has trailing characters after the JSON value."))?;
    Ok(value)
}

/// Whether a JSON text holds the escape `\u0000` (JSON cannot carry a raw NUL in a string):
/// a `u0000` after an odd run of backslashes, so an escaped backslash followed by the
/// letters `u0000` is not one.
fn has_nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(5).enumerate().any(|(at, window)| {
        window.eq_ignore_ascii_case(b"u0000") && bytes[..at].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
    })
}

fn describe(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = error.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return ApiError::new(Status::BadRequest, "The request body is not valid JSON.");
    }
    let full = inner.to_string();
    let message = full.split(" at line ").next().unwrap_or(&full).to_string();
    let path = error.path().to_string();
    // serde_path_to_error's path ends at an unknown field but stops at the parent of a
    // missing one, which serde names only in its message, between backticks.
    let field = if message.starts_with("missing field") {
        let name = message.split('`').nth(1).unwrap_or_default();
        if path == "." { name.to_string() } else { format!("{path}.{name}") }
    } else if path == "." {
        "body".to_string()
    } else {
        path
    };
    ApiError::invalid_field(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        username: String,
        count: u32,
    }

    #[test]
    fn refuses_the_nul_escape_but_not_its_letters() {
        assert!(super::has_nul_escape(br#"{"title": "a\u0000b"}"#));
        assert!(super::has_nul_escape(br#"{"title": "\\\U0000"}"#));
        assert!(!super::has_nul_escape(br#"{"title": "\\u0000 is how JSON writes it"}"#));
        assert!(!super::has_nul_escape(br#"{"title": "u0000"}"#));
    }

    #[test]
    fn names_the_field() {
        let unknown = parse::<Login>(br#"{"username":"a","count":1,"role":"admin"}"#).unwrap_err();
        assert_eq!((unknown.status.code, unknown.errors[0].field.as_str()), (422, "role"));
        let wrong = parse::<Login>(br#"{"username":"a","count":"x"}"#).unwrap_err();
        assert_eq!((wrong.status.code, wrong.errors[0].field.as_str()), (422, "count"));
        let missing = parse::<Login>(br#"{"username":"a"}"#).unwrap_err();
        assert_eq!(missing.errors[0].field, "count");
        assert_eq!(parse::<Login>(b"{nope").unwrap_err().status.code, 400);
    }
}

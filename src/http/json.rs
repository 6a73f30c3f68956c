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
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(describe)?;
    deserializer
        .end()
        .map_err(|_| ApiError::bad_request("The request body has trailing characters after the JSON value."))?;
    Ok(value)
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

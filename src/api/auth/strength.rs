//! `POST /api/auth/password-strength`: the password policy's verdict on a password being
//! typed, so the UI's strength meter uses the server's own rules (zxcvbn, the blocklist, the
//! username and the site name) instead of a second copy in JavaScript. Nothing is stored or
//! logged; the body is bounded like every password field.

use rocket::post;
use rocket::serde::json::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bounded_password;
use crate::domain::password_policy;
use crate::error::ApiResult;
use crate::http::json::JsonBody;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StrengthRequest {
    pub password: String,
    /// The account the password is for, when known: it counts as weak inside a password.
    #[serde(default)]
    pub username: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordStrength {
    /// 0 (guessed at once) to 4 (very unlikely to be guessed); 3 or more is needed.
    pub score: u8,
    /// Whether the password policy would accept it.
    pub acceptable: bool,
    /// Why not, in plain words, as the 422 would say it.
    pub problem: Option<String>,
}

#[utoipa::path(tag = "auth", request_body = StrengthRequest,
    responses((status = 200, body = PasswordStrength), (status = 422, description = "longer than a password may be")))]
#[post("/api/auth/password-strength", data = "<body>")]
pub fn password_strength(body: JsonBody<StrengthRequest>) -> ApiResult<Json<PasswordStrength>> {
    let StrengthRequest { password, username } = body.0;
    bounded_password("password", &password)?;
    let strength = password_policy::strength(&password, username.as_deref().unwrap_or_default());
    Ok(Json(PasswordStrength {
        score: strength.score,
        acceptable: strength.problem.is_none(),
        problem: strength.problem.map(|why| format!("The password {why}.")),
    }))
}

//! The embedded web UI: files from `assets/` with their content types, ETags and cache
//! headers; any other non-API path answers with `index.html` so deep links work.

use std::borrow::Cow;
use std::io::Cursor;
use std::path::PathBuf;

use rocket::http::{ContentType, Header, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use rocket::{Route, get, routes};

use crate::error::ApiError;

mod ca;

#[derive(rust_embed::Embed)]
#[folder = "assets/"]
struct Assets;

pub fn routes() -> Vec<Route> {
    [routes![index, asset_or_app], ca::routes()].concat()
}

pub struct Asset {
    body: Cow<'static, [u8]>,
    content_type: ContentType,
    etag: String,
}

impl Asset {
    fn find(path: &str) -> Option<Asset> {
        let file = Assets::get(path)?;
        let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
        Some(Asset {
            content_type: ContentType::from_extension(extension).unwrap_or(ContentType::Binary),
            etag: format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16])),
            body: file.data,
        })
    }
}

impl<'r> Responder<'r, 'static> for Asset {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        // No build step means no hashed file names, so browsers revalidate with the ETag.
        response.header(Header::new("Cache-Control", "no-cache")).header(Header::new("ETag", self.etag.clone()));
        if req.headers().get("If-None-Match").any(|tag| tag == self.etag) {
            return response.status(Status::NotModified).ok();
        }
        let len = self.body.len();
        response.header(self.content_type).sized_body(len, Cursor::new(self.body)).ok()
    }
}

fn app_shell() -> Result<Asset, ApiError> {
    Asset::find("index.html").ok_or_else(|| ApiError::internal("index.html is not embedded"))
}

#[get("/")]
fn index() -> Result<Asset, ApiError> {
    app_shell()
}

#[get("/<path..>", rank = 50)]
fn asset_or_app(path: PathBuf) -> Result<Asset, ApiError> {
    let path = path.to_string_lossy().into_owned();
    if path == "api" || path.starts_with("api/") {
        return Err(ApiError::not_found());
    }
    if let Some(asset) = Asset::find(&path) {
        return Ok(asset);
    }
    // A missing file (it has an extension) is a 404; anything else is a route of the app.
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') { Err(ApiError::not_found()) } else { app_shell() }
}

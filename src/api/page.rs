//! The one list envelope of the API: `{items, total, limit, offset}`, and the paging rules
//! every collection shares (`limit` 1–500, default 50; `offset` ≥ 0).

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

pub const MAX_LIMIT: i64 = 500;
pub const DEFAULT_LIMIT: i64 = 50;

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// How many items match, across all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Validated paging parameters.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub limit: i64,
    pub offset: i64,
}

impl Paging {
    /// Parses the raw query values, so that `limit=many` is a 422 rather than silently ignored.
    pub fn parse(limit: Option<&str>, offset: Option<&str>) -> ApiResult<Self> {
        let number = |field: &str, raw: Option<&str>, default: i64| {
            raw.map_or(Ok(default), |text| {
                text.trim().parse::<i64>().map_err(|_| ApiError::invalid_field(field, "must be a whole number"))
            })
        };
        let limit = number("limit", limit, DEFAULT_LIMIT)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid_field("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let offset = number("offset", offset, 0)?;
        if offset < 0 {
            return Err(ApiError::invalid_field("offset", "must not be negative"));
        }
        Ok(Self { limit, offset })
    }

    pub fn page<T: ToSchema>(self, items: Vec<T>, total: i64) -> Page<T> {
        Page { items, total, limit: self.limit, offset: self.offset }
    }
}

//! Keyset pagination: `limit` and an opaque `cursor`; `{items, next_cursor}` and a `Link`.

use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::codes::Code;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 200;

/// Paging parameters shared by every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200.
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageParams {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::field(
                "?limit",
                Code::Range,
                "limit must be between 1 and 200",
            )),
        }
    }

    fn raw_cursor(&self) -> Result<Option<String>, ApiError> {
        self.cursor
            .as_deref()
            .map(|c| {
                URL_SAFE_NO_PAD
                    .decode(c)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(invalid_cursor)
            })
            .transpose()
    }

    /// The id after which the page starts.
    pub fn after_uuid(&self) -> Result<Option<Uuid>, ApiError> {
        self.raw_cursor()?
            .map(|s| Uuid::parse_str(&s).map_err(|_| invalid_cursor()))
            .transpose()
    }

    /// The sort key after which a page of a computed, sorted list starts.
    pub fn after_key(&self) -> Result<Option<String>, ApiError> {
        self.raw_cursor()
    }

    /// The key after which the page starts, parsed by `parse` (422 when it does not parse).
    pub fn after_parsed<K>(
        &self,
        parse: impl Fn(&str) -> Option<K>,
    ) -> Result<Option<K>, ApiError> {
        self.raw_cursor()?
            .map(|s| parse(&s).ok_or_else(invalid_cursor))
            .transpose()
    }

    /// The numeric key after (or before) which the page starts.
    pub fn after_i64(&self) -> Result<Option<i64>, ApiError> {
        self.raw_cursor()?
            .map(|s| s.parse().map_err(|_| invalid_cursor()))
            .transpose()
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::field(
        "?cursor",
        Code::CursorInvalid,
        "the cursor is not one this API gave out",
    )
}

/// The key of a cursor this API gave out.
pub fn decode_cursor(cursor: &str) -> Option<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that more exist.
    pub fn from_rows<R>(
        mut rows: Vec<R>,
        limit: i64,
        key: impl Fn(&R) -> String,
        map: impl FnMut(R) -> T,
    ) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more {
            rows.last().map(|r| encode_cursor(&key(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
        }
    }

    /// A page of a computed list sorted by `key`: the items after the cursor's key.
    pub fn from_sorted(
        items: Vec<T>,
        limit: i64,
        after: Option<&str>,
        key: impl Fn(&T) -> String,
    ) -> Page<T> {
        let rows: Vec<T> = items
            .into_iter()
            .filter(|i| after.is_none_or(|a| key(i).as_str() > a))
            .take(limit.max(0) as usize + 1)
            .collect();
        Page::from_rows(rows, limit, &key, |i| i)
    }

    /// The `Link` header value for the next page, if any.
    pub fn link(&self, req: &HttpRequest) -> Option<String> {
        let cursor = self.next_cursor.as_ref()?;
        let mut pairs: Vec<(String, String)> = url_pairs(req.query_string())
            .filter(|(k, _)| k != "cursor")
            .collect();
        pairs.push(("cursor".into(), cursor.clone()));
        let query = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        Some(format!("<{}?{}>; rel=\"next\"", req.path(), query))
    }
}

fn url_pairs(q: &str) -> impl Iterator<Item = (String, String)> + '_ {
    q.split('&').filter(|s| !s.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (k.to_owned(), v.to_owned())
    })
}

/// Percent-encodes what is not safe in a query component (values already encoded stay so).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'%' | b'+') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A page as an HTTP response with its `Link` header.
pub fn page_response<T: Serialize>(req: &HttpRequest, page: Page<T>) -> actix_web::HttpResponse {
    let mut res = actix_web::HttpResponse::Ok();
    if let Some(link) = page.link(req) {
        res.insert_header((actix_web::http::header::LINK, link));
    }
    res.json(page)
}

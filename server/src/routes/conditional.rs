//! Conditional GETs of the data reads (server functions called by GET): the response carries an
//! `ETag` over its body and `Cache-Control: private, no-cache`, so the browser keeps it and asks
//! again with `If-None-Match` each time; an unchanged answer is then a bodyless 304. The tag is
//! the body's hash, so it can never claim "unchanged" for changed data; the server's work on a
//! repeated read is kept small by the versioned caches (`app::cache`), not by the tag.

use axum::body::HttpBody as _;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Larger answers, and streamed ones of unknown size, are passed on untagged.
const MAX_TAGGED_BODY: usize = 4 * 1024 * 1024;
pub const PRIVATE_REVALIDATE: &str = "private, no-cache";

pub async fn etag(req: Request<Body>, next: Next) -> Response {
    if req.method() != Method::GET || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let asked = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if res.status() != StatusCode::OK || res.headers().contains_key(header::ETAG) {
        return res;
    }
    let known_small = res
        .body()
        .size_hint()
        .upper()
        .is_some_and(|n| n <= MAX_TAGGED_BODY as u64);
    if !known_small {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "a GET answer's body failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let digest = Sha256::digest(&bytes);
    // Weak: the compression layer outside sends other bytes for the same content.
    let tag = format!("W/\"{}\"", hex::encode(&digest[..16]));
    let tag_value = HeaderValue::from_str(&tag).expect("hex is a valid header value");
    set_headers(&mut parts.headers, tag_value);
    if asked.is_some_and(|a| matches(&a, &tag)) {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(v) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn set_headers(headers: &mut HeaderMap, tag: HeaderValue) {
    headers.insert(header::ETAG, tag);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PRIVATE_REVALIDATE),
    );
}

/// Whether `If-None-Match` names `tag` (a list, weak tags and `*` included).
fn matches(asked: &HeaderValue, tag: &str) -> bool {
    let Ok(asked) = asked.to_str() else {
        return false;
    };
    // Weak comparison (RFC 9110 13.1.2), as If-None-Match asks.
    let opaque = |t: &str| t.strip_prefix("W/").unwrap_or(t).to_owned();
    let tag = opaque(tag);
    asked
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || opaque(t) == tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    fn app() -> Router {
        Router::new()
            .route("/api/read", get(|| async { "{\"n\":1}" }))
            .route("/other", get(|| async { "page" }))
            .layer(axum::middleware::from_fn(etag))
    }

    async fn send(path: &str, if_none_match: Option<&str>) -> Response {
        let mut req = Request::get(path);
        if let Some(t) = if_none_match {
            req = req.header(header::IF_NONE_MATCH, t);
        }
        app()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_unchanged_read_is_a_bodyless_304() {
        let first = send("/api/read", None).await;
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(first.headers()[header::CACHE_CONTROL], PRIVATE_REVALIDATE);
        let tag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
        assert!(tag.starts_with("W/\""), "{tag}");
        let strong = tag.trim_start_matches("W/");
        let again = send("/api/read", Some(&format!("\"other\", {strong}"))).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(again.headers()[header::ETAG], tag.as_str());
        let body = to_bytes(again.into_body(), 1024).await.unwrap();
        assert!(body.is_empty());
        let stale = send("/api/read", Some("\"0123\"")).await;
        assert_eq!(stale.status(), StatusCode::OK);
        let body = to_bytes(stale.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"{\"n\":1}");
    }

    #[tokio::test]
    async fn pages_are_not_tagged() {
        let page = send("/other", None).await;
        assert!(!page.headers().contains_key(header::ETAG));
    }
}

//! `/app/c/{id}` opens a certification at its first theory page. On a full page load (a bot
//! button, a deep link, a reload) that is an HTTP redirect before anything renders: a
//! `<Redirect>` running during hydration could leave the page it navigated to without working
//! buttons (seen in the browser tests). Links inside the app still use the component. The
//! browser keeps the URL's fragment across the redirect, so initData in it survives.

use axum::body::Body;
use axum::http::{Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

pub async fn cert_entry(req: Request<Body>, next: Next) -> Response {
    if req.method() == Method::GET
        && let Some(target) = target_of(req.uri().path(), req.uri().query())
    {
        return Redirect::temporary(&target).into_response();
    }
    next.run(req).await
}

fn target_of(path: &str, query: Option<&str>) -> Option<String> {
    let id = path.strip_prefix("/app/c/")?.trim_end_matches('/');
    if id.is_empty() || id.len() > 18 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("/app/c/{id}/theory/1{query}"))
}

#[cfg(test)]
mod tests {
    use super::target_of;

    #[test]
    fn only_a_certification_entry_is_redirected() {
        assert_eq!(
            target_of("/app/c/12", None).as_deref(),
            Some("/app/c/12/theory/1")
        );
        assert_eq!(
            target_of("/app/c/12/", Some("x=1")).as_deref(),
            Some("/app/c/12/theory/1?x=1")
        );
        for other in [
            "/app/c/12/theory/1",
            "/app/c/",
            "/app/c/abc",
            "/app",
            "/app/c/1/test",
        ] {
            assert_eq!(target_of(other, None), None, "{other}");
        }
    }
}

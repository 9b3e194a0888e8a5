//! `/texts/<name>`: the scripts with a page's texts (`app::i18n::page_texts`). Their names carry
//! their content's hash, so they are cached for a year like the hashed assets; compressed per
//! response like pages (they are built at run time, not by the asset build).

use super::assets::IMMUTABLE;
use app::i18n::page_texts::TextsScript;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn script(Path(name): Path<String>) -> Response {
    let Some(script) = TextsScript::named(&name) else {
        // A name from another build (a rolling deploy): not kept, so a retry can find it.
        return (
            StatusCode::NOT_FOUND,
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        )
            .into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        script.body.as_str(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::i18n::Lang;
    use app::i18n::page_texts::Surface;
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;

    fn router() -> axum::Router {
        axum::Router::new().route("/texts/{name}", axum::routing::get(script))
    }

    #[tokio::test]
    async fn a_page_s_texts_are_served_for_a_year_and_an_unknown_name_is_not_kept() {
        let ru = TextsScript::for_page(Lang::Ru, Surface::MiniApp);
        let res = router()
            .oneshot(Request::get(ru.url()).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[header::CACHE_CONTROL], IMMUTABLE);
        assert!(
            res.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        let body = to_bytes(res.into_body(), 1 << 20).await.unwrap();
        assert!(String::from_utf8_lossy(&body).contains("Аттестация"));

        let res = router()
            .oneshot(
                Request::get("/texts/texts-ru-app.0000000000000000.js")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store");
    }
}

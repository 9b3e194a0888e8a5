use crate::helpers::{Backend, spawn_app};

async fn healthz_answers_when_the_database_does(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status, 200);
    app.state.db.close().await;
    let r = app.get("/healthz").await;
    assert_eq!(
        r.status, 503,
        "a closed database must make the health check fail"
    );
}

async fn unknown_pages_are_real_404s(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status, 404);
    let r = app.get("/app").await;
    assert_eq!(r.status, 200);
}

/// Pages and JSON are compressed for clients that take it, and left alone for those that do not
/// and when they are short.
async fn pages_and_json_are_compressed_when_asked(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    for (path, encoding) in [
        ("/admin/login", "br"),
        ("/admin/login", "gzip"),
        ("/api/v1/openapi.json", "br"),
    ] {
        let r = client
            .get(app.url(path))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            r.headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some(encoding),
            "{path} with {encoding}"
        );
        let packed = r.bytes().await.unwrap().len();
        let plain = client.get(app.url(path)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        let plain = plain.bytes().await.unwrap().len();
        assert!(
            packed * 2 < plain,
            "{path}: {packed} bytes packed, {plain} plain"
        );
    }
    // A short answer (here an API's refusal) goes out as it is, whatever the client takes.
    let r = client
        .get(app.url("/api/v1/users"))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("content-encoding").is_none());
    let len = r.bytes().await.unwrap().len();
    assert!(
        (32..usize::from(server::routes::assets::COMPRESS_FROM_BYTES)).contains(&len),
        "a short answer of {len} bytes"
    );
}

crate::both_backends!(
    healthz_answers_when_the_database_does,
    unknown_pages_are_real_404s,
    pages_and_json_are_compressed_when_asked,
);

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

crate::both_backends!(
    healthz_answers_when_the_database_does,
    unknown_pages_are_real_404s
);

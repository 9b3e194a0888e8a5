//! Webhooks out through the real server: a subscription made in the admin panel receives the
//! API's JSON signed with its secret; a failed delivery is retried on the backoff (injectable
//! clock) with the same id; a rotated secret overlaps; a 410 switches the subscription off;
//! redelivery sends a delivered row again; targets are checked (https, no private addresses).

use crate::helpers::{Backend, Options, TestApp, eventually, spawn_app_with};
use app::domain::user::Role;
use app::domain::webhooks::{SIGNATURE_HEADER, verify};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the receiver got: headers and body of each request.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    /// Statuses to answer with, in order; 200 once they run out.
    answers: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }
    fn nth(&self, i: usize) -> (HeaderMap, String) {
        self.got.lock().unwrap()[i].clone()
    }
    fn answer_next(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    r.got.lock().unwrap().push((headers, body));
    let status = r.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

async fn start_receiver() -> (Receiver, String) {
    let r = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(r.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (r, url)
}

async fn admin(app: &TestApp) {
    app.create_account("hooks", "hooks-password-1", Role::Admin, None)
        .await;
    let r = app.sign_in_admin("hooks", "hooks-password-1").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
}

async fn api_key(app: &TestApp) -> String {
    app::api_keys::service::create(
        &app.state,
        None,
        app::api_keys::NewApiKey {
            name: "hr".into(),
            scopes: vec!["users:write".into()],
            rate_per_sec: 1000,
            burst: 1000,
            ..Default::default()
        },
        &app::domain::audit::Origin::channel("test"),
    )
    .await
    .unwrap()
    .secret
}

async fn deliveries(app: &TestApp, id: i64) -> Vec<Value> {
    let r = app
        .call_json("webhooks/deliveries", &json!({ "id": id }))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.as_array().unwrap().clone()
}

async fn subscription(app: &TestApp, id: i64) -> Value {
    let r = app.call_json("webhooks/list", &json!({})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .cloned()
        .expect("the subscription is listed")
}

const WAIT: Duration = Duration::from_secs(20);

/// One round of the outbox sender, as the leader's job runs it; returns the requests made.
async fn send_round(app: &TestApp) -> usize {
    server::http_outbox::Sender::new(true)
        .tick(&app.state)
        .await
        .unwrap()
}

async fn deliveries_are_signed_retried_rotated_and_stopped_by_410(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Options {
            env: vec![
                ("OUTBOX_ALLOW_PRIVATE".into(), "true".into()),
                ("JOBS_TICK_MS".into(), "50".into()),
            ],
            ..Default::default()
        },
    )
    .await;
    let (rx, url) = start_receiver().await;
    admin(&app).await;
    let made = app
        .call_json(
            "webhooks/create",
            &json!({ "form": { "name": "HR", "url": url, "events": ["user.created", "user.updated"] } }),
        )
        .await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    let id = made.body["id"].as_i64().unwrap();
    let secret = made.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert!(
        !subscription(&app, id).await.to_string().contains(&secret),
        "the list never shows the secret"
    );

    // The receiver fails the first try; the retry waits for the backoff on the clock.
    rx.answer_next(&[500]);
    let key = api_key(&app).await;
    let person = reqwest::Client::new()
        .post(app.url("/api/v1/users"))
        .bearer_auth(&key)
        .json(&json!({ "telegram_id": 7_770_001, "first_name": "Вера", "external_id": "HR-77" }))
        .send()
        .await
        .unwrap();
    assert_eq!(person.status(), 201);
    let person: Value = person.json().await.unwrap();
    eventually("the first try", WAIT, || async {
        (rx.count() >= 1).then_some(())
    })
    .await;
    let (headers, body) = rx.nth(0);
    let sent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(sent["type"], "user.created");
    assert_eq!(sent["data"]["id"], person["id"]);
    assert_eq!(sent["data"]["external_id"], "HR-77");
    assert_eq!(headers["attest-webhook-id"], sent["id"].as_str().unwrap());
    assert_eq!(headers["attest-event"], "user.created");
    let signature = headers[SIGNATURE_HEADER].to_str().unwrap().to_owned();
    assert!(verify(&signature, &secret, body.as_bytes(), app.now_secs()));
    assert!(!verify(
        &signature,
        "whsec_other",
        body.as_bytes(),
        app.now_secs()
    ));
    let failed = eventually("the failure recorded", WAIT, || async {
        let d = deliveries(&app, id).await;
        (d[0]["attempts"] == 1).then(|| d[0].clone())
    })
    .await;
    assert_eq!(failed["status"], "pending");
    assert_eq!(failed["last_status"], 500);
    // Nothing is due before the backoff is over: a send round here makes no request.
    assert_eq!(
        send_round(&app).await,
        0,
        "no retry before the backoff is over"
    );
    assert_eq!(rx.count(), 1);
    app.clock.advance_secs(11);
    eventually("the retry", WAIT, || async {
        (rx.count() >= 2).then_some(())
    })
    .await;
    let (again, again_body) = rx.nth(1);
    assert_eq!(again["attest-webhook-id"], headers["attest-webhook-id"]);
    assert_eq!(again_body, body, "a retry sends the same payload");
    eventually("delivered", WAIT, || async {
        let d = deliveries(&app, id).await;
        (d[0]["status"] == "delivered" && d[0]["attempts"] == 2).then_some(())
    })
    .await;
    assert!(subscription(&app, id).await["last_success_at"].is_number());

    // A new secret: both sign while the old one overlaps.
    let rotated = app.call_json("webhooks/rotate", &json!({ "id": id })).await;
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let patch = reqwest::Client::new()
        .patch(app.url(&format!("/api/v1/users/{}", person["id"])))
        .bearer_auth(&key)
        .json(&json!({ "last_name": "Соколова" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);
    eventually("the update", WAIT, || async {
        (rx.count() >= 3).then_some(())
    })
    .await;
    let (h3, b3) = rx.nth(2);
    let s3 = h3[SIGNATURE_HEADER].to_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&b3).unwrap()["type"],
        "user.updated"
    );
    assert!(verify(s3, &new_secret, b3.as_bytes(), app.now_secs()));
    assert!(verify(s3, &secret, b3.as_bytes(), app.now_secs()));

    // Redelivering a delivered row sends it once more, same id.
    let first_row = deliveries(&app, id).await.last().unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .call_json(
            "webhooks/redeliver",
            &json!({ "id": id, "delivery": first_row }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    eventually("the redelivery", WAIT, || async {
        (rx.count() >= 4).then_some(())
    })
    .await;
    assert_eq!(
        rx.nth(3).0["attest-webhook-id"],
        headers["attest-webhook-id"]
    );

    // 410 Gone switches the subscription off; later events are not queued.
    rx.answer_next(&[410]);
    let r = app.call_json("webhooks/ping", &json!({ "id": id })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let off = eventually("switched off", WAIT, || async {
        let s = subscription(&app, id).await;
        (s["enabled"] == false).then_some(s)
    })
    .await;
    assert!(off["disabled_reason"].as_str().unwrap().contains("410"));
    let seen = rx.count();
    let patch = reqwest::Client::new()
        .patch(app.url(&format!("/api/v1/users/{}", person["id"])))
        .bearer_auth(&key)
        .json(&json!({ "last_name": "Орлова" }))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 200);
    app::outbox::run(&app.state, &app::webhooks::consumer::Webhooks, 10)
        .await
        .unwrap();
    assert_eq!(send_round(&app).await, 0, "nothing is queued for it");
    assert_eq!(
        rx.count(),
        seen,
        "nothing goes to a switched-off subscription"
    );
    assert_eq!(subscription(&app, id).await["pending"], 0);
    let r = app.call_json("webhooks/ping", &json!({ "id": id })).await;
    assert_eq!(
        r.status, 422,
        "a switched-off subscription takes no test: {:?}",
        r.body
    );
    app.stop().await;
}

async fn targets_must_be_https_and_public(backend: Backend) {
    let app = spawn_app_with(backend, Options::default()).await;
    admin(&app).await;
    let create = |url: &str| {
        let body = json!({ "form": { "name": "x", "url": url, "events": ["user.created"] } });
        let app = &app;
        async move { app.call_json("webhooks/create", &body).await }
    };
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://localhost./x",
        "https://[::1]:8443/x",
        "https://169.254.169.254/latest",
        "https://10.0.0.5/x",
        "gopher://example.com/",
    ] {
        let r = create(url).await;
        assert_eq!(r.status, 422, "{url}: {:?}", r.body);
        assert!(r.body.to_string().contains("url"), "{url}: {:?}", r.body);
    }
    let r = create("https://hooks.example.com/x").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let none =
        json!({ "form": { "name": "x", "url": "https://hooks.example.com/x", "events": [] } });
    let r = app.call_json("webhooks/create", &none).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    let unknown = json!({ "form": { "name": "x", "url": "https://hooks.example.com/x", "events": ["user.exploded"] } });
    let r = app.call_json("webhooks/create", &unknown).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // A token in the URL is shown nowhere: not in the list, not in the audit log.
    let secret_url = "https://hooks.example.com/in?token=tok-s3cret&team=7";
    let r = create(secret_url).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let listed = app.call_json("webhooks/list", &json!({})).await.body;
    assert!(!listed.to_string().contains("tok-s3cret"), "{listed}");
    let shown = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(shown, "https://hooks.example.com/in?token=***&team=***");
    // Saved back as shown (a rename), the stored URL stays.
    let r = app
        .call_json(
            "webhooks/update",
            &json!({ "id": id, "form": { "name": "renamed", "url": shown, "events": ["user.created"] } }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    {
        let mut c = app.state.db.read().await.unwrap();
        let stored = app::storage::webhooks::get(c.conn(), id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (stored.name.as_str(), stored.url.as_str()),
            ("renamed", secret_url)
        );
        let entries = app::storage::audit::list(
            c.conn(),
            &app::audit::AuditFilter::default(),
            &app::domain::scope::PeopleScope::Everyone,
            None,
            100,
        )
        .await
        .unwrap();
        let text = format!("{entries:?}");
        assert!(
            text.contains("hooks.example.com/in"),
            "the entries name the target"
        );
        assert!(!text.contains("tok-s3cret"), "{text}");
    }
    // Only admins manage subscriptions.
    app.create_account("mgr", "manager-password-1", Role::Manager, None)
        .await;
    app.forget_cookies();
    assert_eq!(
        app.sign_in_admin("mgr", "manager-password-1").await.status,
        200
    );
    let r = app.call_json("webhooks/list", &json!({})).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    app.stop().await;
}

crate::both_backends!(
    deliveries_are_signed_retried_rotated_and_stopped_by_410,
    targets_must_be_https_and_public,
);

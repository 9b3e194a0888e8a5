//! xAPI statements through the real server to a fake LRS that checks what xAPI 1.0.3 asks of
//! a statement and records it: reading the theory, starting, failing and then passing a
//! certification send `experienced`, `attempted`, `failed` and `passed` with the result, one
//! registration per attempt and ids that do not change on a resend; an LRS refusal (4xx) ends
//! dead with its answer kept, a 5xx is retried; the settings keep the password when left out.

use crate::helpers::{Backend, Options, eventually};
use crate::taking::{Setup, setup_with};
use app::domain::xapi::{ATTEMPTED, EXPERIENCED, FAILED, PASSED};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Lrs {
    /// Statements accepted, by id.
    stored: Arc<Mutex<Vec<Value>>>,
    /// Requests seen (accepted or not).
    seen: Arc<Mutex<usize>>,
    /// Statuses to answer with next, before checking.
    answers: Arc<Mutex<VecDeque<u16>>>,
}

const AUTH: &str = "Basic bHJzOnNlY3JldA=="; // lrs:secret

/// What the spec requires of a statement this LRS receives, or why it is refused.
fn check(s: &Value, id: &str, headers: &HeaderMap) -> Result<(), String> {
    if headers
        .get("x-experience-api-version")
        .and_then(|v| v.to_str().ok())
        != Some("1.0.3")
    {
        return Err("X-Experience-API-Version must be 1.0.3".into());
    }
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(AUTH) {
        return Err("bad credentials".into());
    }
    if s["id"] != id {
        return Err("statementId differs from the statement's id".into());
    }
    let account = &s["actor"]["account"];
    if !account["homePage"]
        .as_str()
        .is_some_and(|h| h.starts_with("http"))
        || !account["name"].is_string()
    {
        return Err("actor.account needs homePage and name".into());
    }
    if !s["verb"]["id"]
        .as_str()
        .is_some_and(|v| v.starts_with("http"))
    {
        return Err("verb.id must be an IRI".into());
    }
    if !s["object"]["id"]
        .as_str()
        .is_some_and(|v| v.starts_with("http"))
    {
        return Err("object.id must be an IRI".into());
    }
    if app::domain::Timestamp::parse_rfc3339(s["timestamp"].as_str().unwrap_or("")).is_none() {
        return Err("timestamp must be ISO 8601".into());
    }
    if let Some(r) = s.get("result")
        && !r["score"]["scaled"]
            .as_f64()
            .is_some_and(|x| (-1.0..=1.0).contains(&x))
    {
        return Err("result.score.scaled must be within -1..1".into());
    }
    Ok(())
}

async fn put_statement(
    State(lrs): State<Lrs>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    *lrs.seen.lock().unwrap() += 1;
    if let Some(s) = lrs.answers.lock().unwrap().pop_front() {
        return (
            StatusCode::from_u16(s).unwrap(),
            r#"{"error":"scripted"}"#.into(),
        );
    }
    let Ok(s) = serde_json::from_str::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON".into());
    };
    let id = q.get("statementId").cloned().unwrap_or_default();
    if let Err(why) = check(&s, &id, &headers) {
        return (StatusCode::BAD_REQUEST, why);
    }
    let mut stored = lrs.stored.lock().unwrap();
    match stored.iter().find(|x| x["id"] == s["id"]) {
        // The same statement again is fine (idempotent); another one with its id is not.
        Some(x) if *x == s => (StatusCode::NO_CONTENT, String::new()),
        Some(_) => (StatusCode::CONFLICT, "another statement has this id".into()),
        None => {
            stored.push(s);
            (StatusCode::NO_CONTENT, String::new())
        }
    }
}

async fn start_lrs() -> (Lrs, String) {
    let lrs = Lrs::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/xapi", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/xapi/statements", axum::routing::put(put_statement))
        .with_state(lrs.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (lrs, url)
}

fn by_verb(lrs: &Lrs, verb: &str) -> Vec<Value> {
    lrs.stored
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s["verb"]["id"] == verb)
        .cloned()
        .collect()
}

const WAIT: Duration = Duration::from_secs(20);

async fn outbox(s: &Setup) -> Vec<app::webhooks::DeliveryRow> {
    let mut c = s.app.state.db.read().await.unwrap();
    app::storage::http_outbox::list_for_target(c.conn(), "xapi", 0, 100)
        .await
        .unwrap()
}

async fn learning_events_reach_the_lrs_as_statements(backend: Backend) {
    let (lrs, url) = start_lrs().await;
    let s = setup_with(
        backend,
        json!({ "min_read_secs": 1 }),
        1,
        1,
        Options {
            env: vec![
                ("OUTBOX_ALLOW_PRIVATE".into(), "true".into()),
                ("JOBS_TICK_MS".into(), "50".into()),
            ],
            ..Default::default()
        },
    )
    .await;
    let admin = {
        let mut c = s.app.state.db.read().await.unwrap();
        app::storage::users::get_by_login(c.conn(), "author")
            .await
            .unwrap()
            .unwrap()
            .user
    };
    let origin = app::domain::audit::Origin::channel("test");
    let form = |endpoint: &str, password: Option<&str>| app::xapi::XapiForm {
        enabled: true,
        endpoint: endpoint.into(),
        username: "lrs".into(),
        password: password.map(str::to_owned),
    };
    let bad = app::xapi::service::save(
        &s.app.state,
        &admin,
        form("ftp://x", Some("secret")),
        &origin,
    )
    .await;
    assert!(bad.is_err(), "an endpoint that is not http(s) is refused");
    app::xapi::service::save(&s.app.state, &admin, form(&url, Some("secret")), &origin)
        .await
        .unwrap();
    // Saving again without a password keeps the stored one.
    app::xapi::service::save(&s.app.state, &admin, form(&url, None), &origin)
        .await
        .unwrap();

    s.read_all().await;
    let attempt = s.started().await;
    s.answer(attempt, 0, &[2]).await;
    s.finish(attempt).await;
    // Statements go out several at a time, so they may arrive in any order: wait for all three.
    let failed = eventually("the read, started and failed statements", WAIT, || async {
        let ready = !by_verb(&lrs, EXPERIENCED).is_empty() && !by_verb(&lrs, ATTEMPTED).is_empty();
        by_verb(&lrs, FAILED).pop().filter(|_| ready)
    })
    .await;
    let read = by_verb(&lrs, EXPERIENCED);
    let started = by_verb(&lrs, ATTEMPTED);
    assert_eq!(read.len(), 1, "one theory read");
    assert_eq!(started.len(), 1, "one attempt started");
    assert_eq!(failed["result"]["success"], false);
    assert_eq!(failed["result"]["score"]["scaled"], 0.0);
    assert!(
        failed["result"]["duration"]
            .as_str()
            .unwrap()
            .starts_with("PT")
    );
    assert_eq!(
        failed["context"]["registration"], started[0]["context"]["registration"],
        "one registration per attempt"
    );
    let person = failed["actor"]["account"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(person.parse::<i64>().unwrap() > 0, "our user id: {person}");
    let base = &s.app.state.config.public_url;
    assert_eq!(
        failed["object"]["id"],
        format!("{base}/xapi/certifications/{}", s.cert)
    );
    assert_eq!(
        read[0]["object"]["id"],
        format!("{base}/xapi/certifications/{}/theory", s.cert)
    );

    // A resend of a delivered statement is the same statement: the LRS accepts it as such.
    let rows = eventually("all delivered", WAIT, || async {
        let rows = outbox(&s).await;
        rows.iter().all(|r| r.status == "delivered").then_some(rows)
    })
    .await;
    let before = lrs.stored.lock().unwrap().len();
    let seen = *lrs.seen.lock().unwrap();
    {
        let mut tx = s.app.state.db.begin().await.unwrap();
        assert!(
            app::storage::http_outbox::redeliver(
                tx.conn(),
                "xapi",
                0,
                rows[0].id,
                s.app.state.now()
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
    }
    eventually("the resend", WAIT, || async {
        (*lrs.seen.lock().unwrap() > seen).then_some(())
    })
    .await;
    eventually("the resend recorded", WAIT, || async {
        let r = outbox(&s).await;
        (r[0].status == "delivered" && r[0].attempts == 1).then_some(())
    })
    .await;
    assert_eq!(
        lrs.stored.lock().unwrap().len(),
        before,
        "nothing new at the LRS"
    );

    // The LRS refuses the next statement (4xx): dead, its answer kept. Then a 503: retried.
    lrs.answers.lock().unwrap().extend([400, 503]);
    let second = s.started().await;
    let refused = eventually("the refusal", WAIT, || async {
        outbox(&s).await.into_iter().find(|r| r.status == "dead")
    })
    .await;
    assert!(
        refused
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("scripted"),
        "{refused:?}"
    );
    assert_eq!(refused.last_status, Some(400));
    s.answer(second, 0, &[1]).await;
    s.finish(second).await;
    let retried = eventually("the 503 recorded", WAIT, || async {
        outbox(&s)
            .await
            .into_iter()
            .find(|r| r.last_status == Some(503))
    })
    .await;
    assert_eq!(retried.status, "pending", "a 5xx is tried again");
    s.app.clock.advance_secs(11);
    eventually("the retry accepted", WAIT, || async {
        let r = outbox(&s).await;
        r.iter()
            .any(|r| r.id == retried.id && r.status == "delivered")
            .then_some(())
    })
    .await;
    let passed = eventually("the passed statement", WAIT, || async {
        by_verb(&lrs, PASSED).pop()
    })
    .await;
    assert_eq!(passed["result"]["success"], true);
    assert_eq!(passed["result"]["score"]["scaled"], 1.0);
    assert_ne!(
        passed["context"]["registration"],
        failed["context"]["registration"]
    );
    s.app.stop().await;
}

crate::both_backends!(learning_events_reach_the_lrs_as_statements);

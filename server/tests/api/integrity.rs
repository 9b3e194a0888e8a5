//! Pause mode one question at a time, the time-away limit, and the integrity record admins
//! read (issue 30).

use crate::helpers::{Backend, eventually};
use crate::taking::{Setup, setup};
use serde_json::{Value, json};
use std::time::Duration;

/// Which of the setup's question texts ("<p>Вопрос 0</p>", …) appear in `text` (not the
/// counter, "Вопрос 1 из 3").
fn texts_in(text: &str, n: usize) -> Vec<usize> {
    (0..n)
        .filter(|i| text.contains(&format!("Вопрос {i}<")))
        .collect()
}

fn revealed(screen: &Value) -> Vec<bool> {
    screen["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| !q.is_null())
        .collect()
}

async fn current_raw(s: &Setup) -> String {
    let r = s
        .app
        .call("app/attempts/current", &[("cert_id", &s.cert.to_string())])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body.to_string()
}

async fn pause_mode_reveals_one_question_at_a_time(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 3, None).await;
    s.read_all().await;
    let a = s.started().await;

    // The payload and the server-rendered page carry the first question only.
    let body = current_raw(&s).await;
    assert_eq!(texts_in(&body, 3).len(), 1, "{body}");
    let screen = s.current().await["Attempt"].clone();
    assert_eq!(revealed(&screen), [true, false, false]);
    let first = screen["questions"][0]["text"].clone();
    let (status, _, html) = s.app.get_raw(&format!("/app/c/{}/test", s.cert)).await;
    assert_eq!(status, 200);
    let html = String::from_utf8_lossy(&html);
    assert_eq!(texts_in(&html, 3).len(), 1, "the page render reveals one");

    // Moving to question 3 reveals it, with its text; question 2 stays hidden.
    let shown = s.reveal(a, 2).await;
    let third = shown["question"]["text"].clone();
    assert!(third.as_str().unwrap().contains("Вопрос"), "{shown:?}");
    assert_eq!(s.answer(a, 2, &[1]).await.status, 200);
    let screen = s.current().await["Attempt"].clone();
    assert_eq!(revealed(&screen), [true, false, true]);
    assert_eq!(texts_in(&current_raw(&s).await, 3).len(), 2);
    // Resume keeps the order, the answers and what was seen.
    assert_eq!(screen["questions"][0]["text"], first);
    assert_eq!(screen["questions"][2]["text"], third);
    assert!(!screen["answers"][2].is_null());

    // A question that does not exist is refused, not revealed.
    let r = s
        .app
        .call(
            "app/attempts/show",
            &[("attempt_id", &a.to_string()), ("index", "7")],
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    // Someone else's attempt is not found.
    let r = s
        .app
        .call(
            "app/attempts/show",
            &[("attempt_id", &(a + 1000).to_string()), ("index", "0")],
        )
        .await;
    assert_eq!(r.status, 404, "{:?}", r.body);
}

async fn continuous_mode_still_sends_every_question(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "timer_mode": "continuous" }),
        1,
        3,
        None,
    )
    .await;
    s.read_all().await;
    s.started().await;
    let screen = s.current().await["Attempt"].clone();
    assert_eq!(revealed(&screen), [true, true, true]);
}

async fn the_time_away_limit_is_a_locked_setting_that_ends_the_attempt(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "away_limit_secs": 60 }),
        1,
        2,
        Some(50),
    )
    .await;
    // Locked once open, and bounded.
    let mut settings = s
        .app
        .call("certifications/get", &[("id", &s.cert.to_string())])
        .await
        .body["cert"]["settings"]
        .clone();
    assert_eq!(settings["away_limit_secs"], 60);
    settings["away_limit_secs"] = json!(120);
    let r = s
        .app
        .call_json(
            "certifications/settings",
            &json!({ "id": s.cert, "settings": settings }),
        )
        .await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.body.to_string().contains("away_limit"), "{:?}", r.body);

    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    let r = s
        .app
        .call("app/attempts/leave", &[("attempt_id", &a.to_string())])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A minute away is within the limit: nothing happens.
    s.app.clock.advance_secs(55);
    assert_eq!(s.attempt_row(a).await.status, "in_progress");
    // Past it, the server ends the attempt by itself, with the answers given.
    s.app.clock.advance_secs(30);
    let row = eventually(
        "the sweeper ends the attempt",
        Duration::from_secs(10),
        || async {
            let row = s.attempt_row(a).await;
            (row.status == "finished").then_some(row)
        },
    )
    .await;
    assert_eq!(row.finish_reason.as_deref(), Some("away_limit"));
    assert_eq!(row.percent, Some(50), "the answered question counts");
    let r = s
        .app
        .call("app/attempts/result", &[("attempt_id", &a.to_string())])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["Ready"]["away_limit"], true, "{:?}", r.body);
}

async fn coming_back_after_the_away_limit_finds_the_attempt_ended(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "away_limit_secs": 60 }),
        1,
        2,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    // Closed without a beacon: the time away starts when the presence grace ends.
    s.app.clock.advance_secs(80);
    let entry = s.current().await;
    assert_eq!(entry["Finished"], a, "{entry:?}");
    assert_eq!(
        s.attempt_row(a).await.finish_reason.as_deref(),
        Some("away_limit")
    );
}

async fn the_integrity_record_shows_leaves_and_flags_to_admins(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 2, None).await;
    s.read_all().await;
    let a = s.started().await;
    s.app.clock.advance_secs(5);
    let r = s
        .app
        .call("app/attempts/leave", &[("attempt_id", &a.to_string())])
        .await;
    assert_eq!(r.status, 200);
    // Two hours away with question 1 seen, then back and answering it.
    s.app.clock.advance_secs(7_200);
    assert!(s.current().await["Attempt"].is_object());
    s.app.clock.advance_secs(5);
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    s.reveal(a, 1).await;
    // Within the presence grace (the page's heartbeats would cover a longer read).
    s.app.clock.advance_secs(8);
    assert_eq!(s.answer(a, 1, &[1]).await.status, 200);
    s.finish(a).await;

    let r = s
        .app
        .call("certifications/attempt", &[("id", &a.to_string())])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let i = &r.body["integrity"];
    assert_eq!(i["leaves"], 1, "{i:?}");
    assert_eq!(i["away_ms"], 7_200_000, "{i:?}");
    let flags: Vec<&str> = i["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(flags.contains(&"away_long"), "{flags:?}");
    assert!(flags.contains(&"answered_after_return"), "{flags:?}");
    let whats: Vec<&str> = i["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        whats,
        [
            "started", "shown", "left", "returned", "answered", "shown", "answered", "finished"
        ]
    );
    let back = &i["timeline"][3];
    assert_eq!(back["away_ms"], 7_200_000);
    assert_eq!(back["device"], 1);

    // The results can show the flagged people only; the history carries the flags.
    let all = s
        .app
        .call("certifications/results", &[("id", &s.cert.to_string())])
        .await;
    assert_eq!(all.body["rows"][0]["flagged"], 1, "{:?}", all.body);
    assert_eq!(all.body["rows"][0]["last_attempt_id"], a);
    let flagged = s
        .app
        .call(
            "certifications/results",
            &[("id", &s.cert.to_string()), ("flagged", "true")],
        )
        .await;
    assert_eq!(flagged.body["rows"].as_array().unwrap().len(), 1);
    let history = s
        .app
        .call("app/attempts/history", &[("cert_id", &s.cert.to_string())])
        .await;
    assert_eq!(
        history.body[0]["flags"],
        json!([]),
        "the member does not see the flags"
    );
}

async fn a_calm_attempt_is_not_flagged(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 3, None).await;
    s.read_all().await;
    let a = s.started().await;
    for i in 0..3 {
        if i > 0 {
            s.reveal(a, i).await;
        }
        s.app.clock.advance_secs(3);
        assert_eq!(s.answer(a, i, &[1]).await.status, 200);
    }
    s.finish(a).await;
    let r = s
        .app
        .call("certifications/attempt", &[("id", &a.to_string())])
        .await;
    assert_eq!(r.body["integrity"]["flags"], json!([]), "{:?}", r.body);
    let flagged = s
        .app
        .call(
            "certifications/results",
            &[("id", &s.cert.to_string()), ("flagged", "true")],
        )
        .await;
    assert_eq!(flagged.body["rows"], json!([]), "{:?}", flagged.body);
}

crate::both_backends!(
    pause_mode_reveals_one_question_at_a_time,
    continuous_mode_still_sends_every_question,
    the_time_away_limit_is_a_locked_setting_that_ends_the_attempt,
    coming_back_after_the_away_limit_finds_the_attempt_ended,
    the_integrity_record_shows_leaves_and_flags_to_admins,
    a_calm_attempt_is_not_flagged,
);

//! Certification statistics through the real server: a person fails once (one question right,
//! one wrong) and then passes; the funnel, the distributions, facility per question and the
//! options chosen follow, and "first attempts only" counts the first attempt alone.

use crate::helpers::Backend;
use crate::taking::setup;
use serde_json::{Value, json};

async fn stats(app: &crate::helpers::TestApp, cert: i64, first_only: bool) -> Value {
    let r = app
        .call(
            "certifications/stats",
            &[
                ("id", &cert.to_string()),
                ("first_only", &first_only.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

async fn statistics_follow_the_attempts(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 1 }), 1, 2, None).await;
    s.read_all().await;
    let first = s.started().await;
    s.answer(first, 0, &[1]).await;
    s.answer(first, 1, &[2]).await;
    s.finish(first).await;
    let second = s.started().await;
    s.answer(second, 0, &[1]).await;
    s.answer(second, 1, &[1]).await;
    s.finish(second).await;

    // The statistics are for the admin panel's certifications module: a Mini App session does
    // not open them.
    s.app.forget_cookies();
    assert_eq!(
        s.app
            .sign_in_telegram(crate::taking::EMPLOYEE_TG, "Anna")
            .await
            .status,
        200
    );
    let refused = s
        .app
        .call(
            "certifications/stats",
            &[("id", &s.cert.to_string()), ("first_only", "false")],
        )
        .await;
    assert_eq!(refused.status, 401, "{:?}", refused.body);
    s.app.forget_cookies();
    assert_eq!(
        s.app
            .sign_in_admin("author", "correct-horse-42")
            .await
            .status,
        200
    );
    let all = stats(&s.app, s.cert, false).await;
    assert_eq!(
        (
            all["assigned"].as_i64(),
            all["read"].as_i64(),
            all["attempted"].as_i64(),
            all["passed"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(1))
    );
    assert_eq!(all["attempts"], 2);
    assert_eq!(all["all_histogram"], json!([0, 0, 0, 0, 0, 1, 0, 0, 0, 1]));
    assert_eq!(all["best_histogram"], json!([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    assert_eq!(all["attempts_to_pass"], 2.0);
    let qs = all["questions"].as_array().unwrap();
    assert_eq!(qs.len(), 2);
    let mut facilities: Vec<f64> = qs.iter().map(|q| q["facility"].as_f64().unwrap()).collect();
    facilities.sort_by(f64::total_cmp);
    assert_eq!(facilities, vec![50.0, 100.0]);
    let hard = qs.iter().find(|q| q["facility"] == 50.0).unwrap();
    let chosen: Vec<(String, i64)> = hard["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["text"].as_str().unwrap().to_owned(),
                o["chosen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(chosen, vec![("Да".to_owned(), 1), ("Нет".to_owned(), 1)]);
    assert_eq!(hard["answered"], 2);
    assert_eq!(hard["flags"], json!([]), "no flags under 10 attempts");

    let first_only = stats(&s.app, s.cert, true).await;
    assert_eq!(first_only["attempts"], 1);
    assert_eq!(
        first_only["all_histogram"],
        json!([0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
    );
    let missing = s
        .app
        .call(
            "certifications/stats",
            &[("id", "999999"), ("first_only", "false")],
        )
        .await;
    assert_eq!(missing.status, 404);
    s.app.stop().await;
}

crate::both_backends!(statistics_follow_the_attempts);

//! Certification statistics through the real server: a person fails once (one question right,
//! one wrong) and then passes; the funnel, the distributions, facility per question and the
//! options chosen follow, and "first attempts only" counts the first attempt alone.

use crate::helpers::Backend;
use crate::taking::setup;
use serde_json::{Value, json};
use std::time::Duration;

pub async fn stats(app: &crate::helpers::TestApp, cert: i64, first_only: bool) -> Value {
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

    // The per-question table as CSV (the viewer's language, BOM) and as a real XLSX file.
    let path = format!("/admin/certifications/{}/statistics", s.cert);
    let (status, headers, body) = s.app.get_raw(&format!("{path}.csv")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let csv = String::from_utf8(body).unwrap();
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "a header and two questions: {csv}");
    assert!(
        lines[0].starts_with("Вопрос,Редакция,Ответов,Решаемость"),
        "{}",
        lines[0]
    );
    assert!(lines.iter().any(|l| l.contains(",50%,")), "{csv}");
    let (status, headers, body) = s.app.get_raw(&format!("{path}.xlsx?first_only=true")).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("statistics.xlsx")
    );
    assert_eq!(&body[..2], b"PK", "an XLSX file is a zip archive");
    let (status, _, _) = s.app.get_raw(&format!("{path}.csv?first_only=maybe")).await;
    assert_eq!(status, 400);
    let (status, _, _) = s
        .app
        .get_raw("/admin/certifications/999999/statistics.xlsx")
        .await;
    assert_eq!(status, 404);

    // Attempts scored before the facts existed get them from the backfill, with the same
    // figures.
    {
        let mut c = s.app.state.db.read().await.unwrap();
        for sql in [
            "DELETE FROM answer_facts",
            "DELETE FROM answer_option_facts",
            "DELETE FROM stats_questions",
            "UPDATE attempts SET facts_recorded = FALSE",
        ] {
            app::on_conn!(c.conn(), |c| sqlx::query(sql).execute(c).await.map(|_| ())).unwrap();
        }
    }
    // (The leader's job may get there first: either way the facts come back.)
    app::analytics::backfill::run(&s.app.state).await.unwrap();
    let server = &s.app;
    let cert = s.cert;
    let all = &all;
    crate::helpers::eventually(
        "the backfill restores the statistics",
        Duration::from_secs(10),
        || async move { (stats(server, cert, false).await == *all).then_some(()) },
    )
    .await;
    assert_eq!(
        app::analytics::backfill::run(&s.app.state).await.unwrap(),
        0
    );
    s.app.stop().await;
}

crate::both_backends!(statistics_follow_the_attempts);

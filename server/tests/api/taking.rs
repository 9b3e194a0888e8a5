//! Taking a certification: reading, starting (idempotent), answering, the clock in both timer
//! modes, the server finishing overdue attempts, restarts, scoring, best result, the 100% lock,
//! and resets.

use crate::helpers::{Backend, Options, TestApp, eventually, spawn_app_with, spawn_on};
use app::domain::user::{Role, UserStatus};
use app::domain::{AttemptId, TelegramId};
use serde_json::{Value, json};
use std::time::Duration;

const PASSWORD: &str = "correct-horse-42";
pub const EMPLOYEE_TG: i64 = 777_001;

pub struct Setup {
    pub app: TestApp,
    pub cert: i64,
}

/// An open certification with `blocks` text blocks and `questions` single-choice questions
/// (option id 1 is right), assigned to one active employee who is signed in to the Mini App.
pub async fn setup(
    backend: Backend,
    settings: Value,
    blocks: usize,
    questions: usize,
    jobs_tick_ms: Option<u64>,
) -> Setup {
    let mut env = vec![];
    if let Some(ms) = jobs_tick_ms {
        env.push(("JOBS_TICK_MS".into(), ms.to_string()));
    }
    setup_with(
        backend,
        settings,
        blocks,
        questions,
        Options {
            env,
            ..Options::default()
        },
    )
    .await
}

/// [`setup`] with the app's options (a fake Bot API, more settings).
pub async fn setup_with(
    backend: Backend,
    settings: Value,
    blocks: usize,
    questions: usize,
    options: Options,
) -> Setup {
    let app = spawn_app_with(backend, options).await;
    setup_in(app, settings, blocks, questions).await
}

/// [`setup`] on a database other instances share.
pub async fn setup_on(
    database_url: String,
    settings: Value,
    blocks: usize,
    questions: usize,
    options: Options,
) -> Setup {
    setup_in(
        spawn_on(database_url, options).await,
        settings,
        blocks,
        questions,
    )
    .await
}

/// An active employee with a Telegram id, written straight to the database.
pub async fn insert_employee(
    app: &TestApp,
    tg: i64,
    first: &str,
    last: &str,
) -> app::domain::user::User {
    let mut tx = app.state.db.begin().await.unwrap();
    let user = app::storage::users::insert(
        tx.conn(),
        &app::storage::users::NewUser {
            telegram_id: Some(TelegramId(tg)),
            first_name: first.into(),
            last_name: last.into(),
            names_edited: true,
            username: None,
            role: Role::Employee,
            status: UserStatus::Active,
            position_id: None,
            branch_id: None,
            login: None,
            password_hash: None,
        },
        app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    user
}

async fn setup_in(app: TestApp, settings: Value, blocks: usize, questions: usize) -> Setup {
    app.create_account("author", PASSWORD, Role::Admin, None)
        .await;
    assert_eq!(app.sign_in_admin("author", PASSWORD).await.status, 200);
    let user = insert_employee(&app, EMPLOYEE_TG, "Анна", "Тестова").await;

    let cert = app
        .call("certifications/create", &[("title", "Экзамен")])
        .await
        .body
        .as_i64()
        .unwrap();
    for i in 0..blocks {
        let r = app.call_json("certifications/blocks/add", &json!({ "id": cert,
            "block": { "kind": "text", "title": format!("Блок {i}"), "body": "<p>Теория</p>", "url": "" }, "require_reread": false })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let mut ids = vec![];
    for i in 0..questions {
        let r = app.call_json("questions/save", &json!({ "id": null, "content": { "kind": "single",
            "text": format!("<p>Вопрос {i}</p>"), "options": [{ "text": "Да", "correct": true }, { "text": "Нет" }] } })).await;
        ids.push(r.body["id"].as_i64().unwrap());
    }
    assert_eq!(
        app.call_json(
            "certifications/questions",
            &json!({ "id": cert, "questions": ids })
        )
        .await
        .status,
        200
    );
    let mut s = app
        .call("certifications/get", &[("id", &cert.to_string())])
        .await
        .body["cert"]["settings"]
        .clone();
    for (k, v) in settings.as_object().unwrap() {
        s[k] = v.clone();
    }
    let r = app
        .call_json(
            "certifications/settings",
            &json!({ "id": cert, "settings": s }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = app
        .call(
            "certifications/assign",
            &[
                ("id", &cert.to_string()),
                ("kind", "user"),
                ("target_id", &user.id.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .call(
            "certifications/lifecycle",
            &[("id", &cert.to_string()), ("action", "OpenNow")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(app.sign_in_telegram(EMPLOYEE_TG, "Anna").await.status, 200);
    Setup { app, cert }
}

impl Setup {
    pub async fn theory(&self) -> Value {
        let r = self
            .app
            .call("app/theory", &[("cert_id", &self.cert.to_string())])
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    pub async fn show(&self, block: i64) -> Value {
        let r = self
            .app
            .call(
                "app/theory/shown",
                &[
                    ("cert_id", &self.cert.to_string()),
                    ("block_id", &block.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// Shows every page long enough.
    pub async fn read_all(&self) {
        let t = self.theory().await;
        let min = t["min_read_secs"].as_i64().unwrap();
        for b in t["blocks"].as_array().unwrap() {
            self.show(b["id"].as_i64().unwrap()).await;
            self.app.clock.advance_secs(min + 1);
        }
    }

    pub async fn start(&self) -> crate::helpers::Response {
        self.app
            .call("app/attempts/start", &[("cert_id", &self.cert.to_string())])
            .await
    }

    pub async fn started(&self) -> i64 {
        let r = self.start().await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body["attempt_id"].as_i64().unwrap()
    }

    pub async fn current(&self) -> Value {
        let r = self
            .app
            .call(
                "app/attempts/current",
                &[("cert_id", &self.cert.to_string())],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// Moves to question `index` (revealing it in pause mode); the response body.
    pub async fn reveal(&self, attempt: i64, index: i64) -> Value {
        let r = self
            .app
            .call(
                "app/attempts/show",
                &[
                    ("attempt_id", &attempt.to_string()),
                    ("index", &index.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// This attempt's ids of the bank's options `bank` of question `index`. Each attempt shows
    /// its own random ids; ids the bank does not have pass as they are (to test refusals).
    pub async fn ids(&self, attempt: i64, index: i64, bank: &[u32]) -> Vec<u32> {
        let mut c = self.app.state.db.read().await.unwrap();
        let asked = app::storage::attempts::questions(c.conn(), AttemptId(attempt))
            .await
            .unwrap();
        let Some(q) = usize::try_from(index).ok().and_then(|i| asked.get(i)) else {
            return bank.to_vec();
        };
        bank.iter()
            .map(|b| {
                q.bank_option_ids
                    .iter()
                    .position(|x| x == b)
                    .map_or(*b, |i| q.content.options[i].id)
            })
            .collect()
    }

    /// Answers question `index` with the bank's options `bank` (in the setup, 1 is right).
    pub async fn answer(&self, attempt: i64, index: i64, bank: &[u32]) -> crate::helpers::Response {
        let ids = self.ids(attempt, index, bank).await;
        self.raw_answer(attempt, index, &ids).await
    }

    /// Answers with the attempt's own option ids as given.
    pub async fn raw_answer(
        &self,
        attempt: i64,
        index: i64,
        answer: &[u32],
    ) -> crate::helpers::Response {
        self.app
            .call_json(
                "app/attempts/answer",
                &json!({ "attempt_id": attempt, "index": index, "answer": answer }),
            )
            .await
    }

    pub async fn finish(&self, attempt: i64) -> Value {
        let r = self
            .app
            .call(
                "app/attempts/finish",
                &[("attempt_id", &attempt.to_string())],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    pub async fn attempt_row(&self, attempt: i64) -> app::storage::attempts::AttemptLite {
        let mut c = self.app.state.db.read().await.unwrap();
        app::storage::attempts::get(c.conn(), AttemptId(attempt))
            .await
            .unwrap()
            .unwrap()
    }
}

/// A start answers with the new attempt's test screen, which is the screen the server holds
/// (what `current` shows right after), in both timer modes; starting again while it runs
/// gives the same attempt without a screen (the client resumes it with `current`).
async fn a_start_opens_the_test_screen_the_server_holds(backend: Backend) {
    for mode in ["continuous", "pause_while_away"] {
        let s = setup(
            backend,
            json!({ "min_read_secs": 0, "time_limit_secs": 300, "timer_mode": mode }),
            1,
            3,
            None,
        )
        .await;
        s.read_all().await;
        let r = s.start().await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let id = r.body["attempt_id"].as_i64().unwrap();
        let fresh = r.body["screen"].clone();
        assert_eq!(fresh["attempt_id"], id, "{mode}: {fresh}");
        assert_eq!(fresh["remaining_ms"], 300_000, "{mode}: the whole time");
        assert_eq!(fresh["current_index"], 0);
        let questions = fresh["questions"].as_array().unwrap();
        assert_eq!(questions.len(), 3);
        let shown = questions.iter().filter(|q| !q.is_null()).count();
        let expected = if mode == "continuous" { 3 } else { 1 };
        assert_eq!(shown, expected, "{mode}: the questions on screen");
        assert!(
            fresh["answers"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_null),
            "nothing answered"
        );
        assert_eq!(
            screen(&s).await,
            fresh,
            "{mode}: the screen the server holds"
        );
        if mode == "pause_while_away" {
            // Moving to a question: from the memory of the instance that started the attempt,
            // and from the database on another (PostgreSQL: instances do not share a SQLite
            // file); the drawn question either way.
            let drawn = {
                let mut c = s.app.state.db.read().await.unwrap();
                app::storage::attempts::questions(c.conn(), AttemptId(id))
                    .await
                    .unwrap()
            };
            let drawn = |i: usize| serde_json::to_value(drawn[i].view()).unwrap();
            assert_eq!(s.reveal(id, 1).await["question"], drawn(1));
            if backend == Backend::Postgres {
                let other = Setup {
                    app: spawn_on(s.app.database_url.clone(), Options::default()).await,
                    cert: s.cert,
                };
                other.app.clock.set(s.app.state.now());
                other.app.set_cookies(s.app.cookies());
                let shown = other.reveal(id, 2).await;
                assert_eq!(shown["question"], drawn(2), "read on another instance");
                other.app.stop().await;
            }
            assert_eq!(s.reveal(id, 2).await["question"], drawn(2));
        }
        let again = s.start().await;
        assert_eq!(again.status, 200, "{:?}", again.body);
        assert_eq!(again.body["attempt_id"], id, "{mode}: the same attempt");
        assert!(
            again.body["screen"].is_null(),
            "{mode}: resumed with current"
        );
    }
}

async fn twenty_concurrent_starts_make_one_attempt(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 3, None).await;
    s.read_all().await;
    let starts = (0..20).map(|_| s.start());
    let results = futures::future::join_all(starts).await;
    let ids: Vec<i64> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body["attempt_id"].as_i64().unwrap()
        })
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "one attempt: {ids:?}");
    let user = s.attempt_row(ids[0]).await.user_id;
    let mut c = s.app.state.db.read().await.unwrap();
    let cert = app::domain::CertId(s.cert);
    assert_eq!(
        app::storage::attempts::history(c.conn(), user, cert)
            .await
            .unwrap()
            .len(),
        1
    );
    let p = app::storage::attempts::progress(c.conn(), user, cert)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.attempts_used, 1, "a double tap uses one attempt");
}

/// `n` employees («Сотрудник{i} Пачкин»), each assigned the certification and signed in to the
/// Mini App on a client of their own.
async fn crowd(s: &Setup, n: i64) -> Vec<(app::domain::user::User, Setup)> {
    let mut people = Vec::new();
    for i in 0..n {
        let tg = 900_000 + i;
        let user = insert_employee(&s.app, tg, &format!("Сотрудник{i}"), "Пачкин").await;
        let r = s
            .app
            .call(
                "certifications/assign",
                &[
                    ("id", &s.cert.to_string()),
                    ("kind", "user"),
                    ("target_id", &user.id.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let client = s.app.client();
        assert_eq!(client.sign_in_telegram(tg, "Сотрудник").await.status, 200);
        people.push((
            user,
            Setup {
                app: client,
                cert: s.cert,
            },
        ));
    }
    people
}

/// How many of the committed domain events (the first thousand) match.
async fn count_events(
    c: &mut app::storage::PooledConn,
    matching: impl Fn(&app::domain::events::DomainEvent) -> bool,
) -> usize {
    app::storage::events::committed(c.conn(), 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.as_ref().is_ok_and(&matching))
        .count()
}

/// People who finish at the same moment are written in batches: each attempt scored and ended
/// with its flags and facts, each person's best result and first pass, one event and one
/// labelled audit entry each; a double tap finishes once.
async fn people_finishing_together_each_get_their_result(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "pass_threshold": 100, "shuffle_questions": false }),
        1,
        2,
        None,
    )
    .await;
    let people = crowd(&s, 12).await;
    let mut attempts = Vec::new();
    for (i, (_, p)) in people.iter().enumerate() {
        p.read_all().await;
        let attempt = p.started().await;
        // Every other person answers the second question wrong (50 %, not passed).
        let second: &[u32] = if i % 2 == 0 { &[1] } else { &[2] };
        for (index, bank) in [(0, &[1u32][..]), (1, second)] {
            p.reveal(attempt, index).await;
            let r = p.answer(attempt, index, bank).await;
            assert_eq!(r.status, 200, "{:?}", r.body);
        }
        attempts.push(attempt);
    }
    // Everyone taps «finish» at once; every third person taps twice.
    let taps = people.iter().enumerate().flat_map(|(i, (_, p))| {
        let n = if i % 3 == 0 { 2 } else { 1 };
        let attempt = attempts[i];
        (0..n).map(move |_| async move { (i, p.finish(attempt).await) })
    });
    let results = futures::future::join_all(taps).await;
    let taps = results.len() as u64;
    for (i, r) in results {
        let passed = i % 2 == 0;
        assert_eq!(r["percent"], if passed { 100 } else { 50 }, "{r}");
        assert_eq!(r["passed"], passed, "{r}");
        assert_eq!(r["attempt_id"], attempts[i]);
    }
    assert_eq!(
        s.app.state.finishes.written(),
        taps,
        "every finish went through a batch"
    );

    let mut c = s.app.state.db.read().await.unwrap();
    let cert = app::domain::CertId(s.cert);
    let audit = app::storage::audit::recent(c.conn(), Some("attempt_finished"), 100)
        .await
        .unwrap();
    assert_eq!(audit.len(), people.len(), "one audit entry per attempt");
    for (i, (user, _)) in people.iter().enumerate() {
        let passed = i % 2 == 0;
        let row = s.attempt_row(attempts[i]).await;
        assert_eq!(row.status, "finished");
        assert_eq!(row.finish_reason.as_deref(), Some("submitted"));
        assert_eq!(row.passed, Some(passed));
        let p = app::storage::attempts::progress(c.conn(), user.id, cert)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.best_percent, Some(if passed { 100 } else { 50 }));
        assert_eq!(p.passed_at.is_some(), passed);
        let entry = audit
            .iter()
            .find(|e| e.target_id.as_deref() == Some(&attempts[i].to_string()))
            .expect("an audit entry per attempt");
        assert_eq!(entry.actor_id, Some(user.id));
        assert_eq!(
            entry.target_label.as_deref(),
            Some(format!("Сотрудник{i} Пачкин · Экзамен").as_str())
        );
    }
    let unrecorded = app::storage::analytics::unrecorded(c.conn(), 100)
        .await
        .unwrap();
    assert!(unrecorded.is_empty(), "the statistics' facts are recorded");
    let first_passes = count_events(&mut c, |e| {
        matches!(
            e,
            app::domain::events::DomainEvent::AttemptFinished {
                first_pass: true,
                ..
            }
        )
    })
    .await;
    let finished = count_events(&mut c, |e| {
        matches!(e, app::domain::events::DomainEvent::AttemptFinished { .. })
    })
    .await;
    assert_eq!((finished, first_passes), (people.len(), people.len() / 2));
}

/// People reading at the same moment are written in batches: each page's time on screen,
/// the page now shown and the reading completed, with one event each, as one by one.
async fn people_reading_together_each_get_their_reading(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 10 }), 2, 1, None).await;
    let people = crowd(&s, 10).await;
    let t = people[0].1.theory().await;
    let blocks: Vec<i64> = t["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    let all_show =
        |block: i64| futures::future::join_all(people.iter().map(move |(_, p)| p.show(block)));
    // The first page, then the second 11 s later: the first has its time, the second not yet.
    for read in all_show(blocks[0]).await {
        assert_eq!(read["read"], false);
        assert_eq!(read["remaining_ms"], json!([10_000, 10_000]));
    }
    s.app.clock.advance_secs(11);
    for read in all_show(blocks[1]).await {
        assert_eq!(read["read"], false, "{read}");
        assert_eq!(read["remaining_ms"], json!([0, 10_000]));
        assert!(read["refusal"].is_string(), "not read yet: {read}");
    }
    // The same page again 11 s later: the reading completes.
    s.app.clock.advance_secs(11);
    for read in all_show(blocks[1]).await {
        assert_eq!(read["read"], true, "{read}");
        assert_eq!(read["remaining_ms"], json!([0, 0]));
        assert_eq!(read["refusal"], Value::Null);
    }
    assert_eq!(
        s.app.state.shown.written(),
        3 * people.len() as u64,
        "every page shown went through a batch"
    );
    let cert = app::domain::CertId(s.cert);
    let mut c = s.app.state.db.read().await.unwrap();
    for (user, _) in &people {
        let mut dwell = app::storage::attempts::dwell(c.conn(), user.id, cert)
            .await
            .unwrap();
        dwell.sort();
        let expected: Vec<(app::domain::BlockId, i64)> = blocks
            .iter()
            .map(|b| (app::domain::BlockId(*b), 11_000))
            .collect();
        assert_eq!(dwell, expected);
        let p = app::storage::attempts::progress(c.conn(), user.id, cert)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.current_block_id, Some(app::domain::BlockId(blocks[1])));
        assert!(p.read_version.is_some(), "the reading is recorded");
    }
    let read_events = count_events(&mut c, |e| {
        matches!(e, app::domain::events::DomainEvent::TheoryRead { .. })
    })
    .await;
    assert_eq!(read_events, people.len(), "one reading event each");
    drop(c);
    // And the test opens.
    let started = futures::future::join_all(people.iter().map(|(_, p)| p.start())).await;
    for r in started {
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
}

/// People who start at the same moment are written in batches: each gets an attempt of their
/// own with its audit entry, its opening in the integrity record and its event, and a double
/// tap still makes one attempt.
async fn people_starting_together_each_get_their_attempt(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 2, None).await;
    let people = crowd(&s, 12).await;
    for (_, person) in &people {
        person.read_all().await;
    }
    // Everyone taps at once; every third person taps twice.
    let taps = people.iter().enumerate().flat_map(|(i, (_, p))| {
        let n = if i % 3 == 0 { 2 } else { 1 };
        (0..n).map(move |_| async move { (i, p.start().await) })
    });
    let results = futures::future::join_all(taps).await;
    let mut ids: std::collections::BTreeMap<usize, i64> = Default::default();
    for (i, r) in results {
        assert_eq!(r.status, 200, "{:?}", r.body);
        let id = r.body["attempt_id"].as_i64().unwrap();
        assert_eq!(
            *ids.entry(i).or_insert(id),
            id,
            "a double tap makes one attempt"
        );
    }
    let distinct: std::collections::BTreeSet<i64> = ids.values().copied().collect();
    assert_eq!(distinct.len(), people.len(), "one attempt each: {ids:?}");
    assert_eq!(
        s.app.state.starts.written(),
        people.len() as u64,
        "every start went through a batch"
    );

    let mut c = s.app.state.db.read().await.unwrap();
    let cert = app::domain::CertId(s.cert);
    let audit = app::storage::audit::recent(c.conn(), Some("attempt_started"), 100)
        .await
        .unwrap();
    assert_eq!(audit.len(), people.len());
    for (i, (user, _)) in people.iter().enumerate() {
        let attempt = AttemptId(ids[&i]);
        let row = app::storage::attempts::get(c.conn(), attempt)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (row.user_id, row.certification_id, row.number),
            (user.id, cert, 1)
        );
        let p = app::storage::attempts::progress(c.conn(), user.id, cert)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.attempts_used, 1);
        assert_eq!(
            p.current_block_id, None,
            "the page on screen is no longer counted"
        );
        let record: Vec<String> = app::storage::attempts::events(c.conn(), attempt)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(record, ["started", "shown"]);
        let entry = audit
            .iter()
            .find(|e| e.target_id.as_deref() == Some(&attempt.0.to_string()))
            .expect("an audit entry per attempt");
        assert_eq!(entry.actor_id, Some(user.id));
        assert_eq!(
            entry.target_label.as_deref(),
            Some(format!("Сотрудник{i} Пачкин · Экзамен").as_str())
        );
    }
    let started = count_events(&mut c, |e| {
        matches!(e, app::domain::events::DomainEvent::AttemptStarted { .. })
    })
    .await;
    assert_eq!(started, people.len());
    drop(c);
    // Each attempt runs, on its first question.
    let (_, second) = &people[1];
    let screen = second.current().await;
    assert_eq!(screen["Attempt"]["attempt_id"], ids[&1]);
    assert_eq!(screen["Attempt"]["current_index"], 0);
}

/// A wave of starts is read in batches (the sessions, the standings, the reading, the
/// questions asked before), and each person still gets their own answer: an attempt, a second
/// attempt that draws the question not asked before, the refusal of an unread theory, 401 for
/// a session signed out, 403 for a deactivated person, 404 for a certification not assigned.
async fn a_wave_of_starts_read_together_answers_each_person(backend: Backend) {
    let settings = json!({ "min_read_secs": 5, "draw_count": 1, "max_attempts": 3 });
    let s = setup(backend, settings, 1, 2, None).await;
    let people = crowd(&s, 8).await;
    let [(_, redo), (unread, _), (_, out), (gone, _), rest @ ..] = &people[..] else {
        unreachable!()
    };
    for (_, p) in std::iter::once(&people[0]).chain(rest) {
        p.read_all().await;
    }
    people[3].1.read_all().await;
    // A first attempt, finished: the next draws the other question.
    let first = redo.started().await;
    let asked_first = redo.attempt_row(first).await;
    redo.finish(first).await;
    let jar = out.app.cookies();
    let r = out
        .app
        .call("auth/sign_out", &[("surface", "mini_app")])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    out.app.set_cookies(jar);
    let mut tx = s.app.state.db.begin().await.unwrap();
    let at = s.app.state.now();
    app::storage::users::set_role_and_status(
        tx.conn(),
        gone.id,
        Role::Employee,
        UserStatus::Deactivated,
        at,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let stranger_tg = 990_001;
    let stranger_user = insert_employee(&s.app, stranger_tg, "Чужой", "Пачкин").await;
    let stranger = Setup {
        app: s.app.client(),
        cert: s.cert,
    };
    assert_eq!(
        stranger
            .app
            .sign_in_telegram(stranger_tg, "Чужой")
            .await
            .status,
        200
    );

    let read_before = s.app.state.start_reads.written();
    let taps = people
        .iter()
        .map(|(_, p)| p)
        .chain([&stranger])
        .map(|p| p.start());
    let answers: Vec<_> = futures::future::join_all(taps).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    let expected = [&[200, 422, 401, 403][..], &[200; 4], &[404]].concat();
    let bodies: Vec<&Value> = answers.iter().map(|r| &r.body).collect();
    assert_eq!(statuses, expected, "{bodies:?}");
    assert_eq!(
        s.app.state.start_reads.written() - read_before,
        6,
        "the members who may take it were read in batches"
    );
    let second = redo
        .attempt_row(answers[0].body["attempt_id"].as_i64().unwrap())
        .await;
    assert_eq!(second.number, 2);
    let mut c = s.app.state.db.read().await.unwrap();
    let mut drawn = Vec::new();
    for id in [asked_first.id, second.id] {
        let asked = app::storage::attempts::questions(c.conn(), id)
            .await
            .unwrap();
        drawn.push(asked[0].question_id);
    }
    assert_ne!(
        drawn[0], drawn[1],
        "the second attempt draws the question not asked before"
    );
    // The refused and the stranger have no attempt.
    let cert = app::domain::CertId(s.cert);
    for user in [unread.id, stranger_user.id] {
        let standing = app::storage::attempts::standing(c.conn(), user, cert)
            .await
            .unwrap();
        assert_eq!(standing.made, 0);
    }
}

/// Starts draw from a cached bank; an author's change to the questions reaches the very next
/// start.
async fn a_start_after_a_question_change_draws_the_new_questions(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "max_attempts": 3, "pass_threshold": 100 }),
        1,
        1,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(
        s.current().await["Attempt"]["questions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(s.finish(a).await["percent"], 0);
    let r = s.app.call_json("questions/save", &json!({ "id": null, "content": { "kind": "single",
        "text": "<p>Новый вопрос</p>", "options": [{ "text": "Да", "correct": true }, { "text": "Нет" }] } })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let mut bank: Vec<i64> = s
        .app
        .call("certifications/get", &[("id", &s.cert.to_string())])
        .await
        .body["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    bank.push(r.body["id"].as_i64().unwrap());
    let r = s
        .app
        .call_json(
            "certifications/questions",
            &json!({ "id": s.cert, "questions": bank }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    s.read_all().await;
    let b = s.started().await;
    assert_ne!(a, b);
    assert_eq!(
        s.current().await["Attempt"]["questions"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "the new question is drawn"
    );
}

async fn the_theory_must_be_read_before_the_test(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 30 }), 2, 1, None).await;
    let t = s.theory().await;
    assert_eq!(t["read"]["read"], false);
    let blocks: Vec<i64> = t["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    let r = s.start().await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["Refused"]["msg"], "ErrTheoryNotRead");

    s.show(blocks[0]).await;
    s.app.clock.advance_secs(31);
    let state = s.show(blocks[1]).await;
    assert_eq!(
        state["remaining_ms"][0], 0,
        "the first page was read long enough"
    );
    assert_eq!(state["remaining_ms"][1], 30_000);
    let mine = s.app.call("app/certifications", &[]).await;
    assert_eq!(
        mine.body[0]["state"],
        json!({ "state": "reading", "read": 1, "of": 2 }),
        "the card says how far the reading is"
    );
    s.app.clock.advance_secs(10);
    assert_eq!(
        s.start().await.status,
        422,
        "the last page was shown only 10 s"
    );
    s.app.clock.advance_secs(21);
    assert_eq!(
        s.start().await.status,
        200,
        "the page on screen counts up to the start"
    );
    let t = s.theory().await;
    assert_eq!(t["read"]["read"], true, "the reading status is stored");
    assert_eq!(t["read"]["in_progress"], true);
}

async fn a_late_answer_is_refused_beyond_the_grace_and_the_attempt_ends(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "time_limit_secs": 60, "timer_mode": "continuous" }),
        1,
        3,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    s.app.clock.advance_secs(62);
    let r = s.answer(a, 1, &[1]).await;
    assert_eq!(
        r.status, 200,
        "within the documented grace after the end: {:?}",
        r.body
    );
    s.app.clock.advance_secs(2);
    let r = s.answer(a, 2, &[1]).await;
    assert_eq!(r.status, 422, "beyond the grace");
    assert_eq!(r.body["Refused"]["msg"], "ErrAttemptOver");
    let row = s.attempt_row(a).await;
    assert_eq!(row.status, "finished");
    assert_eq!(row.finish_reason.as_deref(), Some("timeout"));
    assert_eq!(
        (row.correct, row.total, row.percent),
        (Some(2), Some(3), Some(66)),
        "unanswered counts as wrong"
    );
}

async fn the_server_finishes_an_overdue_attempt_nobody_opens(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "time_limit_secs": 60, "timer_mode": "continuous" }),
        1,
        2,
        Some(50),
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    s.app.clock.advance_secs(70);
    eventually(
        "the background job finishes the attempt",
        Duration::from_secs(10),
        || async { (s.attempt_row(a).await.status == "finished").then_some(()) },
    )
    .await;
    let row = s.attempt_row(a).await;
    assert_eq!(row.percent, Some(50));
    let mut c = s.app.state.db.read().await.unwrap();
    let events = app::storage::events::committed(c.conn(), 100)
        .await
        .unwrap();
    assert!(events.iter().any(|e| matches!(
        &e.event,
        Ok(app::domain::events::DomainEvent::AttemptFinished { percent: 50, .. })
    )));
}

async fn in_pause_mode_time_away_is_not_counted(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "time_limit_secs": 60, "timer_mode": "pause_while_away" }),
        1,
        2,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    s.app.clock.advance_secs(4);
    let r = s
        .app
        .call(
            "app/attempts/heartbeat",
            &[("attempt_id", &a.to_string()), ("index", "0")],
        )
        .await;
    assert_eq!(r.body["remaining_ms"], 56_000);
    // The app is closed for an hour: only the presence grace after the last heartbeat counts.
    s.app.clock.advance_secs(3600);
    let cur = s.current().await;
    let remaining = cur["Attempt"]["remaining_ms"].as_i64().unwrap();
    assert_eq!(
        remaining,
        60_000 - 4_000 - app::domain::attempt::PRESENCE_GRACE_MS,
        "{cur:?}"
    );
    // Back to the theory on purpose: the clock stops at once.
    s.app.clock.advance_secs(2);
    assert_eq!(
        s.app
            .call("app/attempts/leave", &[("attempt_id", &a.to_string())])
            .await
            .status,
        200
    );
    s.app.clock.advance_secs(600);
    let cur = s.current().await;
    assert_eq!(
        cur["Attempt"]["remaining_ms"].as_i64().unwrap(),
        remaining - 2_000
    );
}

async fn an_attempt_resumes_after_a_server_restart(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0, "shuffle_questions": true, "shuffle_options": true, "time_limit_secs": 600 }), 1, 6, None).await;
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.answer(a, 0, &[2]).await.status, 200);
    assert_eq!(s.answer(a, 1, &[1]).await.status, 200);
    s.app.clock.advance_secs(30);
    let before = s.current().await["Attempt"].clone();
    let url = s.app.database_url.clone();
    let jar = s.app.cookies();
    let clock_ms = s.app.clock_ms();
    let cert = s.cert;
    s.app.stop().await;

    let app = spawn_on(url, Options::default()).await;
    app.clock.set(app::domain::Timestamp(clock_ms + 20_000));
    app.set_cookies(jar);
    let s = Setup { app, cert };
    let after = s.current().await["Attempt"].clone();
    assert_eq!(after["attempt_id"], before["attempt_id"]);
    assert_eq!(
        after["questions"], before["questions"],
        "same questions, same order, same options order"
    );
    assert_eq!(after["answers"], before["answers"], "answers kept");
    assert_eq!(
        after["current_index"], 1,
        "at the question where the user left"
    );
    let (b, r) = (
        before["remaining_ms"].as_i64().unwrap(),
        after["remaining_ms"].as_i64().unwrap(),
    );
    assert!(
        r < b && r > 0,
        "the time continued, never reset: {b} -> {r}"
    );
}

async fn best_result_retries_and_the_100_percent_lock(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0, "pass_threshold": 50, "max_attempts": 5, "shuffle_questions": false }), 1, 2, None).await;
    s.read_all().await;
    let a1 = s.started().await;
    s.answer(a1, 0, &[1]).await;
    let r1 = s.finish(a1).await;
    assert_eq!(
        (r1["percent"].as_i64(), r1["passed"].as_bool()),
        (Some(50), Some(true))
    );
    assert_eq!(r1["can_retry"], true, "a pass below 100% may try again");

    let a2 = s.started().await;
    assert_ne!(a2, a1, "a new attempt");
    let r2 = s.finish(a2).await;
    assert_eq!(r2["percent"], 0);
    assert_eq!(
        r2["best_percent"], 50,
        "only a strictly better result replaces the best"
    );

    let a3 = s.started().await;
    s.answer(a3, 0, &[1]).await;
    s.answer(a3, 1, &[1]).await;
    let r3 = s.finish(a3).await;
    assert_eq!(r3["percent"], 100);
    assert_eq!(r3["can_retry"], false, "100% ends the certification");
    assert_eq!(r3["attempts_left"], 2);
    let r = s.start().await;
    assert_eq!(r.status, 422);
    assert_eq!(r.body["Refused"]["msg"], "ErrCompleted");
    // Reading the result again gives the same, final result.
    let again = s
        .app
        .call("app/attempts/result", &[("attempt_id", &a3.to_string())])
        .await;
    assert_eq!(again.body["Ready"], r3);
    let history = s
        .app
        .call("app/attempts/history", &[("cert_id", &s.cert.to_string())])
        .await;
    assert_eq!(history.body.as_array().unwrap().len(), 3);
}

async fn attempts_run_out_and_a_reset_restores_them(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "max_attempts": 1 }),
        1,
        1,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    s.finish(a).await;
    let r = s.start().await;
    assert_eq!(r.body["Refused"]["msg"], "ErrNoAttemptsLeft");
    let user = s.attempt_row(a).await.user_id.0.to_string();
    let cert = s.cert.to_string();
    let r = s
        .app
        .call(
            "certifications/reset",
            &[
                ("id", &cert),
                ("user_id", &user),
                ("reason", " "),
                ("require_reread", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, 422, "a reason is required");
    let r = s
        .app
        .call(
            "certifications/reset",
            &[
                ("id", &cert),
                ("user_id", &user),
                ("reason", "Сбой связи"),
                ("require_reread", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        s.theory().await["read"]["read"],
        false,
        "re-reading was required"
    );
    s.read_all().await;
    let again = s.started().await;
    assert_ne!(again, a);
    let history = s
        .app
        .call("app/attempts/history", &[("cert_id", &cert)])
        .await
        .body;
    let old = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == a)
        .unwrap()
        .clone();
    assert!(
        old["reset_at"].is_number(),
        "old attempts stay, marked as reset"
    );
    let results = s
        .app
        .call("certifications/results", &[("id", &cert)])
        .await
        .body;
    assert_eq!(results["rows"][0]["resets"], 1);
}

async fn one_more_attempt_is_an_audited_action_with_its_refusals(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "max_attempts": 1 }),
        1,
        1,
        None,
    )
    .await;
    let cert = s.cert.to_string();
    let grant = |user: String| {
        let cert = cert.clone();
        let app = &s.app;
        async move {
            app.call(
                "certifications/grant-attempt",
                &[("id", &cert), ("user_id", &user)],
            )
            .await
        }
    };
    s.read_all().await;
    // Nothing used yet: nothing to give back.
    let mine = s.app.call("app/certifications", &[]).await;
    assert_eq!(mine.status, 200);
    let a = s.started().await;
    let user = s.attempt_row(a).await.user_id.0.to_string();
    s.finish(a).await; // answered nothing: 0 %
    assert_eq!(s.start().await.body["Refused"]["msg"], "ErrNoAttemptsLeft");
    let r = grant(user.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let again = s.started().await;
    assert_ne!(again, a, "a new attempt, numbered after the first");
    assert_eq!(s.attempt_row(again).await.number, 2);
    let history = s
        .app
        .call("app/attempts/history", &[("cert_id", &cert)])
        .await
        .body;
    assert_eq!(
        history.as_array().unwrap().len(),
        2,
        "the first attempt stays"
    );
    assert_eq!(s.answer(again, 0, &[1]).await.status, 200);
    s.finish(again).await; // 100 %
    let r = grant(user.clone()).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["Refused"]["msg"], "ErrGrantCompleted");
    let audit = s
        .app
        .call_json(
            "audit/list",
            &json!({ "filter": { "action": "attempt_granted" }, "before": null }),
        )
        .await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let items = audit.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["target_id"], user);
    // A closed certification gives no attempts.
    let r = s
        .app
        .call(
            "certifications/lifecycle",
            &[("id", &cert), ("action", "Close")],
        )
        .await;
    assert_eq!(r.status, 200);
    let r = grant(user).await;
    assert_eq!(r.body["Refused"]["msg"], "ErrGrantNotOpen", "{:?}", r.body);
}

async fn a_closed_certification_reopens_until_a_new_close_date(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    s.read_all().await;
    let cert = s.cert;
    let reopen = |closes_at: Value| {
        let app = &s.app;
        async move {
            app.call_json(
                "certifications/reopen",
                &json!({ "id": cert, "closes_at": closes_at }),
            )
            .await
        }
    };
    let r = reopen(json!(null)).await;
    assert_eq!(r.status, 422, "an open certification does not reopen");
    assert_eq!(r.body["Refused"]["msg"], "ErrTransition", "{:?}", r.body);
    let r = s
        .app
        .call(
            "certifications/lifecycle",
            &[("id", &cert.to_string()), ("action", "Close")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(s.start().await.body["Refused"]["msg"], "ErrCertNotOpen");
    let now = s.app.state.now().millis();
    let r = reopen(json!(null)).await;
    assert_eq!(
        r.body["Invalid"]["fields"][0]["field"], "closes_at",
        "{:?}",
        r.body
    );
    let r = reopen(json!(now - 1_000)).await;
    assert_eq!(
        r.body["Invalid"]["fields"][0]["msg"], "ErrCloseInPast",
        "{:?}",
        r.body
    );
    let until = now + 7 * 86_400_000;
    let r = reopen(json!(until)).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["status"], "open");
    assert_eq!(r.body["settings"]["closes_at"], until);
    assert_eq!(s.start().await.status, 200, "people may start again");
    let audit = s
        .app
        .call_json(
            "audit/list",
            &json!({ "filter": { "action": "certification_reopened" }, "before": null }),
        )
        .await;
    assert_eq!(
        audit.body["items"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        audit.body
    );
    // The scheduler closes it again at the new date.
    s.app.clock.set(app::domain::Timestamp(until + 1));
    eventually(
        "closed at the new date",
        Duration::from_secs(10),
        || async {
            // Read from storage: a week later the admin's session has expired.
            let mut c = s.app.state.db.read().await.unwrap();
            let c = app::storage::certifications::get(c.conn(), app::domain::CertId(cert))
                .await
                .unwrap()
                .unwrap();
            (c.status == app::domain::certification::CertStatus::Closed).then_some(())
        },
    )
    .await;
}

async fn malformed_and_foreign_answers_are_refused(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 2, None).await;
    s.read_all().await;
    let a = s.started().await;
    for bad in [vec![], vec![1, 2], vec![9]] {
        let r = s.answer(a, 0, &bad).await;
        assert_eq!(r.status, 422, "{bad:?}: {:?}", r.body);
    }
    assert_eq!(s.answer(a, 7, &[1]).await.status, 422, "no such question");
    // Another employee cannot touch this attempt.
    insert_employee(&s.app, 888, "Чужой", "").await;
    s.app.sign_in_telegram(888, "Other").await;
    assert_eq!(s.answer(a, 0, &[1]).await.status, 404);
    assert_eq!(
        s.app
            .call("app/theory", &[("cert_id", &s.cert.to_string())])
            .await
            .status,
        404,
        "not assigned: not visible"
    );
}

/// Answers and heartbeats arriving together are written in one batch: each is acknowledged only
/// once stored, and the session is checked for every one of them in that transaction.
async fn answers_and_heartbeats_arriving_together_are_all_kept(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 6, None).await;
    s.read_all().await;
    let a = s.started().await;
    let picks: Vec<[u32; 1]> = (0..6).map(|i| [1 + (i % 2)]).collect();
    let answers = picks
        .iter()
        .enumerate()
        .map(|(i, pick)| s.answer(a, i as i64, pick));
    let id = a.to_string();
    let args = [("attempt_id", id.as_str()), ("index", "3")];
    let beats = (0..4).map(|_| s.app.call("app/attempts/heartbeat", &args));
    let (answers, beats) = tokio::join!(
        futures::future::join_all(answers),
        futures::future::join_all(beats)
    );
    for r in answers.iter().chain(&beats) {
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert!(r.body["remaining_ms"].as_i64().unwrap() > 0, "{:?}", r.body);
    }
    let mut c = s.app.state.db.read().await.unwrap();
    let stored = app::storage::attempts::answers(c.conn(), AttemptId(a), 6)
        .await
        .unwrap();
    drop(c);
    let mut expected: Vec<Option<Vec<u32>>> = Vec::new();
    for i in 0..6 {
        expected.push(Some(s.ids(a, i, &[1 + (i as u32 % 2)]).await));
    }
    assert_eq!(stored, expected);
    // A changed answer replaces the earlier one: 3 of 6 right, then 4 (option 1 is right).
    assert_eq!(s.answer(a, 1, &[1]).await.status, 200);
    assert_eq!(s.finish(a).await["percent"], 66);

    // A session signed out elsewhere is refused, even with its cookie.
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 2, None).await;
    s.read_all().await;
    let a = s.started().await;
    let jar = s.app.cookies();
    let out = s
        .app
        .call("auth/sign_out", &[("surface", "mini_app")])
        .await;
    assert_eq!(out.status, 200, "{:?}", out.body);
    s.app.set_cookies(jar);
    assert_eq!(s.answer(a, 0, &[1]).await.status, 401);
    let beat = s
        .app
        .call(
            "app/attempts/heartbeat",
            &[("attempt_id", &a.to_string()), ("index", "0")],
        )
        .await;
    assert_eq!(beat.status, 401);

    // A deactivated person is refused at once.
    assert_eq!(
        s.app.sign_in_telegram(EMPLOYEE_TG, "Anna").await.status,
        200
    );
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    let row = s.attempt_row(a).await;
    let mut tx = s.app.state.db.begin().await.unwrap();
    app::storage::users::set_role_and_status(
        tx.conn(),
        row.user_id,
        Role::Employee,
        UserStatus::Deactivated,
        s.app.state.now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(s.answer(a, 1, &[1]).await.status, 403);
}

async fn a_finish_does_not_wait_on_a_busy_consumer(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "points": 10 }),
        1,
        1,
        None,
    )
    .await;
    s.read_all().await;
    let attempt = s.started().await;
    s.answer(attempt, 0, &[1]).await;
    // Another run holds the gamification consumer's cursor (PostgreSQL locks its row; SQLite
    // has one writer, which the finish needs anyway).
    let held = if backend == Backend::Postgres {
        let at = s.app.state.now();
        // The cursor's row exists (as it does after the first event), committed.
        let mut tx = s.app.state.db.begin().await.unwrap();
        app::storage::events::cursor_for_update(tx.conn(), "gamification", at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = s.app.state.db.begin().await.unwrap();
        app::storage::events::cursor_for_update(tx.conn(), "gamification", at)
            .await
            .unwrap();
        Some(tx)
    } else {
        None
    };
    let finished = tokio::time::timeout(Duration::from_secs(10), s.finish(attempt)).await;
    assert!(finished.is_ok(), "the finish waited on the consumer's lock");
    drop(held);
    // The points follow.
    let app = &s.app;
    eventually("the points are paid", Duration::from_secs(20), || async {
        let r = app.call("app/achievements", &[]).await;
        (r.body["balance"].as_i64().unwrap_or(0) > 0).then_some(())
    })
    .await;
}

crate::both_backends!(
    answers_and_heartbeats_arriving_together_are_all_kept,
    twenty_concurrent_starts_make_one_attempt,
    a_start_opens_the_test_screen_the_server_holds,
    people_starting_together_each_get_their_attempt,
    a_wave_of_starts_read_together_answers_each_person,
    people_reading_together_each_get_their_reading,
    people_finishing_together_each_get_their_result,
    a_start_after_a_question_change_draws_the_new_questions,
    the_theory_must_be_read_before_the_test,
    a_late_answer_is_refused_beyond_the_grace_and_the_attempt_ends,
    the_server_finishes_an_overdue_attempt_nobody_opens,
    in_pause_mode_time_away_is_not_counted,
    an_attempt_resumes_after_a_server_restart,
    best_result_retries_and_the_100_percent_lock,
    attempts_run_out_and_a_reset_restores_them,
    one_more_attempt_is_an_audited_action_with_its_refusals,
    a_closed_certification_reopens_until_a_new_close_date,
    malformed_and_foreign_answers_are_refused,
    a_finish_does_not_wait_on_a_busy_consumer,
);

async fn screen(s: &Setup) -> Value {
    s.current().await["Attempt"].clone()
}

async fn option_ids_of_an_attempt_give_nothing_away(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 1, None).await;
    let r = s.app.call_json("questions/save", &json!({ "id": null, "content": { "kind": "ordering",
        "text": "<p>По порядку</p>", "options": [{ "text": "один" }, { "text": "два" }, { "text": "три" },
        { "text": "четыре" }, { "text": "пять" }] } })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let bank_ids: Vec<i64> = s
        .app
        .call("certifications/get", &[("id", &s.cert.to_string())])
        .await
        .body["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .chain([r.body["id"].as_i64().unwrap()])
        .collect();
    // Questions of an open certification can still be changed.
    let r = s
        .app
        .call_json(
            "certifications/questions",
            &json!({ "id": s.cert, "questions": bank_ids }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    s.read_all().await;
    let a = s.started().await;
    let view = screen(&s).await;
    let n = view["questions"].as_array().unwrap().len() as i64;
    let mut questions = vec![];
    for i in 0..n {
        questions.push(s.reveal(a, i).await["question"].clone());
    }
    // Each question moved to is the one the test screen shows once revealed, and there is
    // none past the last.
    let revealed = screen(&s).await;
    for (i, q) in questions.iter().enumerate() {
        assert_eq!(q, &revealed["questions"][i], "question {i}");
    }
    for bad in [n, -1] {
        let r = s
            .app
            .call(
                "app/attempts/show",
                &[("attempt_id", &a.to_string()), ("index", &bad.to_string())],
            )
            .await;
        assert_eq!(r.status, 422, "index {bad}: {:?}", r.body);
    }
    for q in &questions {
        let ids: Vec<u64> = q["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_u64().unwrap())
            .collect();
        assert!(
            ids.iter().all(|id| *id >= 100_000_000),
            "per-attempt random ids, not the bank's 1..n: {ids:?}"
        );
    }
    // The bank's ids mean nothing to an attempt; its own ids in the bank's order are the answer.
    let ordering = questions
        .iter()
        .position(|q| q["kind"] == "ordering")
        .unwrap() as i64;
    let r = s.raw_answer(a, ordering, &[1, 2, 3, 4, 5]).await;
    assert_eq!(r.status, 422, "bank ids are refused");
    let right = s.ids(a, ordering, &[1, 2, 3, 4, 5]).await;
    assert_eq!(s.raw_answer(a, ordering, &right).await.status, 200);
    assert_eq!(s.answer(a, 1 - ordering, &[1]).await.status, 200);
    assert_eq!(
        s.finish(a).await["percent"],
        100,
        "scored in the attempt's ids"
    );
}

async fn a_review_shows_right_answers_only_when_no_attempt_remains(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "max_attempts": 2, "review_allowed": true }),
        1,
        2,
        None,
    )
    .await;
    let review = |a: i64| {
        let app = &s.app;
        async move {
            let r = app
                .call("app/attempts/review", &[("attempt_id", &a.to_string())])
                .await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            r.body
        }
    };
    s.read_all().await;
    let a1 = s.started().await;
    s.answer(a1, 0, &[2]).await;
    assert_eq!(s.finish(a1).await["percent"], 0);
    let items = review(a1).await;
    for it in items.as_array().unwrap() {
        assert_eq!(it["is_right"], false);
        assert!(it["right"].is_null(), "an attempt remains: {it}");
        assert!(it["explanation"].is_null());
    }
    let a2 = s.started().await;
    s.answer(a2, 0, &[1]).await;
    s.finish(a2).await;
    let items = review(a1).await;
    let right = items[0]["right"]
        .as_array()
        .expect("no attempt left: full review");
    assert_eq!(right.len(), 1);
    assert_eq!(items[0]["right"], json!(s.ids(a1, 0, &[1]).await));
}

async fn closing_a_certification_ends_the_attempts_in_progress(backend: Backend) {
    let s = setup(backend, json!({ "min_read_secs": 0 }), 1, 2, Some(50)).await;
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    let r = s
        .app
        .call(
            "certifications/lifecycle",
            &[("id", &s.cert.to_string()), ("action", "Close")],
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = s.answer(a, 1, &[1]).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert_eq!(r.body["Refused"]["msg"], "ErrAttemptOver");
    let row = eventually(
        "the attempt is finished",
        Duration::from_secs(10),
        || async { Some(s.attempt_row(a).await).filter(|r| r.status == "finished") },
    )
    .await;
    assert_eq!(row.finish_reason.as_deref(), Some("timeout"));
    assert_eq!(row.percent, Some(50), "the answered question counts");
}

async fn a_leave_stops_the_clock_and_answers_after_it_count_the_gap(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "time_limit_secs": 600, "timer_mode": "pause_while_away" }),
        1,
        2,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    let id = a.to_string();
    let args = [("attempt_id", id.as_str())];
    let leave = || s.app.call("app/attempts/leave", &args);
    s.app.clock.advance_secs(5);
    assert_eq!(leave().await.status, 200);
    let left = s.attempt_row(a).await.clock().remaining(s.app.state.now());
    s.app.clock.advance_secs(60);
    // Coming back through the test screen: the minute away does not count.
    let back = screen(&s).await;
    assert_eq!(back["remaining_ms"].as_i64().unwrap(), left);
    assert_eq!(left, 595_000, "stopped at the leave, no grace added");
    // A leave, then an answer without coming back: the whole gap counts.
    assert_eq!(leave().await.status, 200);
    s.app.clock.advance_secs(30);
    let r = s.answer(a, 0, &[1]).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["remaining_ms"].as_i64().unwrap(), left - 30_000);
}

async fn rendering_the_test_and_result_pages_changes_nothing(backend: Backend) {
    // The sweeper runs once at start and then not for an hour: the test asserts that a GET
    // leaves an overdue attempt alone, which the sweeper would rightly finish.
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "time_limit_secs": 60, "timer_mode": "pause_while_away" }),
        1,
        2,
        Some(3_600_000),
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    let id = a.to_string();
    s.app
        .call("app/attempts/leave", &[("attempt_id", &id)])
        .await;
    let before = s.attempt_row(a).await;
    s.app.clock.advance_secs(30);
    let (status, _, _) = s.app.get_raw(&format!("/app/c/{}/test", s.cert)).await;
    assert_eq!(status, 200);
    // A full load of a certification's entry is redirected before rendering.
    let (status, headers, _) = s.app.get_raw(&format!("/app/c/{}", s.cert)).await;
    assert_eq!(status, 307);
    assert_eq!(
        headers["location"],
        format!("/app/c/{}/theory/1", s.cert).as_str()
    );
    assert_eq!(
        s.attempt_row(a).await,
        before,
        "rendering the test page is read-only"
    );
    // An attempt that ran out but was not finished yet: the result page shows no verdict.
    let mut tx = s.app.state.db.begin().await.unwrap();
    let mut clock = before.clock();
    clock.used_ms = 59_000;
    clock.resume(s.app.state.now());
    app::storage::attempts::save_clock(tx.conn(), AttemptId(a), &clock, 0, None, s.app.state.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    s.app.clock.advance_secs(120);
    let (status, _, body) = s
        .app
        .get_raw(&format!("/app/c/{}/result/{a}", s.cert))
        .await;
    assert_eq!(status, 200);
    let html = String::from_utf8(body).unwrap();
    assert!(
        !html.contains("data-testid=\"verdict\""),
        "no verdict before scoring"
    );
    assert_eq!(
        s.attempt_row(a).await.status,
        "in_progress",
        "not finished by a GET"
    );
    // The client's request finishes and scores it.
    let r = s
        .app
        .call("app/attempts/result", &[("attempt_id", &id)])
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["Ready"]["timed_out"], true);
}

async fn the_result_says_what_a_first_pass_earned(backend: Backend) {
    let s = setup(
        backend,
        json!({ "min_read_secs": 0, "points": 40, "pass_threshold": 50 }),
        1,
        2,
        None,
    )
    .await;
    s.read_all().await;
    let a = s.started().await;
    assert_eq!(s.answer(a, 0, &[1]).await.status, 200);
    let first = s.finish(a).await;
    assert_eq!(first["passed"], true, "{first:?}");
    assert_eq!(first["earned"]["points"], 40, "{first:?}");
    // A second pass pays nothing: the points come once.
    let b = s.started().await;
    assert_eq!(s.answer(b, 0, &[1]).await.status, 200);
    assert_eq!(s.answer(b, 1, &[1]).await.status, 200);
    let second = s.finish(b).await;
    assert_eq!(second["percent"], 100);
    assert_eq!(second["earned"]["points"], 0, "{second:?}");
    // Read again later, the first attempt still says what it earned.
    let again = s
        .app
        .call("app/attempts/result", &[("attempt_id", &a.to_string())])
        .await;
    assert_eq!(
        again.body["Ready"]["earned"]["points"], 40,
        "{:?}",
        again.body
    );
}

crate::both_backends!(
    the_result_says_what_a_first_pass_earned,
    option_ids_of_an_attempt_give_nothing_away,
    a_review_shows_right_answers_only_when_no_attempt_remains,
    closing_a_certification_ends_the_attempts_in_progress,
    a_leave_stops_the_clock_and_answers_after_it_count_the_gap,
    rendering_the_test_and_result_pages_changes_nothing,
);

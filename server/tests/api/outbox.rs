//! The domain-event outbox: a consumer never skips an event committed late, a poison event is
//! parked while the rest go on, a consumer switched off passes over its batch and one whose
//! reaction is one write applies a batch at once.
use crate::helpers::Backend;
use crate::helpers::Options;
use crate::helpers::eventually;
use crate::helpers::spawn_app;
use crate::helpers::spawn_app_with;
use app::domain::EventId;
use app::domain::events::DomainEvent;
use app::outbox::Consumer;
use app::state::AppState;
use app::storage::Conn;
use app::storage::StorageError;
use futures::future::BoxFuture;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A consumer that only notes the events it saw, in order.
struct Recorder {
    seen: Mutex<Vec<EventId>>,
    fail_on: Option<EventId>,
}

impl Consumer for Recorder {
    fn name(&self) -> &'static str {
        "test_recorder"
    }

    fn handle<'a>(
        &'a self,
        _state: &'a AppState,
        _c: Conn<'a>,
        meta: app::outbox::EventMeta,
        _event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        let id = meta.id;
        Box::pin(async move {
            if Some(id) == self.fail_on {
                return Err(StorageError::Corrupt("poison".into()));
            }
            self.seen.lock().unwrap().push(id);
            Ok(())
        })
    }
}

fn event(n: i64) -> DomainEvent {
    DomainEvent::CertificationOpened {
        certification_id: app::domain::CertId(n),
    }
}

async fn an_event_committed_late_is_not_skipped(backend: Backend) {
    let app = spawn_app(backend).await;
    let state = &app.state;
    let now = state.now();
    let recorder = Recorder {
        seen: Mutex::new(vec![]),
        fail_on: None,
    };
    let (early, late) = if backend == Backend::Postgres {
        // An id is handed out first to a transaction that commits last.
        let mut slow = state.db.begin().await.unwrap();
        let early = app::storage::events::emit(slow.conn(), &event(1), now)
            .await
            .unwrap();
        let mut fast = state.db.begin().await.unwrap();
        let late = app::storage::events::emit(fast.conn(), &event(2), now)
            .await
            .unwrap();
        fast.commit().await.unwrap();
        assert!(early < late);
        app::outbox::run(state, &recorder, 5).await.unwrap();
        assert!(
            recorder.seen.lock().unwrap().is_empty(),
            "nothing past a transaction still running"
        );
        slow.commit().await.unwrap();
        (early, late)
    } else {
        // One writer at a time: ids are in commit order.
        let mut tx = state.db.begin().await.unwrap();
        let early = app::storage::events::emit(tx.conn(), &event(1), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = state.db.begin().await.unwrap();
        let late = app::storage::events::emit(tx.conn(), &event(2), now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (early, late)
    };
    // Transactions of other tests on the cluster may hold the horizon back for a moment.
    eventually("both events applied", Duration::from_secs(10), || async {
        app::outbox::run(state, &recorder, 5).await.unwrap();
        (recorder.seen.lock().unwrap().len() >= 2).then_some(())
    })
    .await;
    assert_eq!(
        *recorder.seen.lock().unwrap(),
        vec![early, late],
        "in order"
    );
    app::outbox::run(state, &recorder, 5).await.unwrap();
    assert_eq!(recorder.seen.lock().unwrap().len(), 2, "each once");
}

async fn a_poison_event_is_parked_and_the_rest_go_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let state = &app.state;
    let now = state.now();
    let mut tx = state.db.begin().await.unwrap();
    let poison = app::storage::events::emit(tx.conn(), &event(1), now)
        .await
        .unwrap();
    let next = app::storage::events::emit(tx.conn(), &event(2), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let recorder = Recorder {
        seen: Mutex::new(vec![]),
        fail_on: Some(poison),
    };
    let runs = std::sync::atomic::AtomicI64::new(0);
    eventually(
        "the next event applied",
        Duration::from_secs(10),
        || async {
            runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            app::outbox::run(state, &recorder, 5).await.unwrap();
            (!recorder.seen.lock().unwrap().is_empty()).then_some(())
        },
    )
    .await;
    assert!(
        runs.into_inner() >= app::outbox::MAX_FAILURES,
        "retried before parking"
    );
    assert_eq!(*recorder.seen.lock().unwrap(), vec![next]);
    let mut c = state.db.read().await.unwrap();
    let parked = app::storage::events::parked(c.conn(), "test_recorder")
        .await
        .unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].0, poison);
    assert!(parked[0].2.contains("poison"));
}

/// A consumer that can be switched off; notes the events it handled.
struct Switchable {
    on: AtomicBool,
    seen: Mutex<Vec<EventId>>,
}

impl Consumer for Switchable {
    fn name(&self) -> &'static str {
        "test_switchable"
    }

    fn switched_on<'a>(&'a self, _c: Conn<'a>) -> BoxFuture<'a, Result<bool, StorageError>> {
        let on = self.on.load(Ordering::SeqCst);
        Box::pin(async move { Ok(on) })
    }

    fn handle<'a>(
        &'a self,
        _state: &'a AppState,
        _c: Conn<'a>,
        meta: app::outbox::EventMeta,
        _event: &'a DomainEvent,
    ) -> BoxFuture<'a, Result<(), StorageError>> {
        self.seen.lock().unwrap().push(meta.id);
        Box::pin(async { Ok(()) })
    }
}

/// The background jobs never tick after the first: only the test's runs apply events.
async fn app_without_ticks(backend: Backend) -> crate::helpers::TestApp {
    spawn_app_with(
        backend,
        Options {
            env: vec![("JOBS_TICK_MS".into(), "3600000".into())],
            ..Default::default()
        },
    )
    .await
}

async fn emit(state: &AppState, events: &[DomainEvent]) -> Vec<EventId> {
    let mut tx = state.db.begin().await.unwrap();
    let mut ids = vec![];
    for e in events {
        ids.push(
            app::storage::events::emit(tx.conn(), e, state.now())
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    ids
}

/// Runs `consumer` until its cursor has passed `last` (the jobs' first tick may apply some).
async fn apply(state: &AppState, consumer: &dyn Consumer, last: EventId) {
    // Transactions of other tests on the cluster may hold the horizon back for a moment.
    eventually("the events applied", Duration::from_secs(10), || async {
        app::outbox::run(state, consumer, 5).await.unwrap();
        let mut tx = state.db.begin().await.unwrap();
        let at = app::storage::events::cursor_for_update(tx.conn(), consumer.name(), state.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (at.id >= last.0).then_some(())
    })
    .await;
}

async fn a_switched_off_consumer_passes_over_what_happens_meanwhile(backend: Backend) {
    let app = app_without_ticks(backend).await;
    let state = &app.state;
    let consumer = Switchable {
        on: AtomicBool::new(false),
        seen: Mutex::new(vec![]),
    };
    let off = emit(state, &[event(1), event(2)]).await;
    apply(state, &consumer, off[1]).await;
    assert!(consumer.seen.lock().unwrap().is_empty(), "switched off");
    consumer.on.store(true, Ordering::SeqCst);
    let later = emit(state, &[event(3)]).await;
    apply(state, &consumer, later[0]).await;
    assert_eq!(
        *consumer.seen.lock().unwrap(),
        later,
        "what happened while off is not applied later"
    );
    app::outbox::run(state, &consumer, 5).await.unwrap();
    assert_eq!(consumer.seen.lock().unwrap().len(), 1, "each once");
}

async fn results_version(state: &AppState) -> i64 {
    let mut c = state.db.read().await.unwrap();
    app::storage::cache_versions::all(c.conn())
        .await
        .unwrap()
        .into_iter()
        .find(|(scope, _)| scope == "results")
        .map_or(0, |(_, v)| v)
}

async fn the_cache_versions_are_bumped_once_a_batch(backend: Backend) {
    let app = app_without_ticks(backend).await;
    let state = &app.state;
    let versions = app::cache::consumer::CacheVersions;
    let person = || DomainEvent::UserEdited {
        user_id: app::domain::UserId(1),
        by: None,
        changes: serde_json::json!({}),
    };
    let before = results_version(state).await;
    let changes = emit(state, &[event(1), person(), event(2), event(3)]).await;
    apply(state, &versions, changes[3]).await;
    assert_eq!(
        results_version(state).await,
        before + 1,
        "one bump for three changes to results"
    );
    let people = emit(state, &[person(), person()]).await;
    apply(state, &versions, people[1]).await;
    assert_eq!(
        results_version(state).await,
        before + 1,
        "people's changes bump content, not results"
    );
}

crate::both_backends!(
    an_event_committed_late_is_not_skipped,
    a_poison_event_is_parked_and_the_rest_go_on,
    a_switched_off_consumer_passes_over_what_happens_meanwhile,
    the_cache_versions_are_bumped_once_a_batch,
);

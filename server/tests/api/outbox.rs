//! The domain-event outbox: a consumer never skips an event committed late, and a poison
//! event is parked while the rest go on.
use crate::helpers::Backend;
use crate::helpers::eventually;
use crate::helpers::spawn_app;
use app::domain::EventId;
use app::domain::events::DomainEvent;
use app::outbox::Consumer;
use app::state::AppState;
use app::storage::Conn;
use app::storage::StorageError;
use futures::future::BoxFuture;
use std::sync::Mutex;
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

crate::both_backends!(
    an_event_committed_late_is_not_skipped,
    a_poison_event_is_parked_and_the_rest_go_on,
);

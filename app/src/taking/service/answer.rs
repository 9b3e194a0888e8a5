//! The running attempt: returning to it, answers, heartbeats and leaving (the plain cases
//! go through the batch writer, `taking::touches`).

use super::*;

/// The attempt of this user, locked; an overdue one is finished first.
pub(super) async fn own_attempt(
    mut c: Conn<'_>,
    user: &User,
    id: AttemptId,
    origin: &Origin,
    now: Timestamp,
) -> AppResult<AttemptLite> {
    let Some(a) = store::get_for_update(c.re(), id).await? else {
        return Err(AppError::NotFound);
    };
    if a.user_id != user.id {
        return Err(AppError::NotFound);
    }
    if let Some(reason) = a.end_reason(now) {
        finalize(c.re(), &a, reason, Some(user), origin, now).await?;
        return Ok(store::get(c, id).await?.unwrap_or(a));
    }
    Ok(a)
}

pub async fn current(state: &AppState, taker: &Taker, cert_id: CertId) -> AppResult<TestEntry> {
    let now = state.now();
    if taker.render {
        // The page is being rendered: show the attempt as it stands, change nothing. The
        // hydrated page resumes it with its own request.
        let actor = taker.member(state).await?;
        return peek_current(state, actor.user.id, cert_id, now).await;
    }
    let actor = match resume_batched(state, taker, cert_id).await? {
        Resumed::Entry(entry) => return Ok(entry),
        Resumed::NotPlain(actor) => actor,
    };
    // Not the plain case (finished, overdue, a refused touch): one transaction.
    async {
        let mut tx = state.db.begin().await?;
        let cert = visible_cert(tx.conn(), actor.user.id, cert_id).await?;
        let Some(running) = store::in_progress(tx.conn(), actor.user.id, cert.id).await? else {
            tx.commit().await?;
            return Ok(TestEntry::None);
        };
        let a = own_attempt(tx.conn(), &actor.user, running.id, &taker.origin, now).await?;
        if !a.in_progress() {
            tx.commit().await?;
            return Ok(TestEntry::Finished(a.id));
        }
        let mut clock = a.clock();
        let returned = clock.away_since(now).map(|since| attempt::Away {
            since,
            ms: (now.millis() - since.millis()).max(0),
        });
        clock.resume(now);
        let touched = attempt::Touched {
            index: a.current_index,
            returned,
        };
        let mut shown = a.shown();
        let (events, revealed) = crate::taking::touches::record(
            a.id,
            &mut shown,
            &touched,
            false,
            &taker.session(),
            now,
        );
        let shown = shown.filter(|_| revealed);
        store::save_clock(
            tx.conn(),
            a.id,
            &clock,
            a.current_index,
            shown.as_ref(),
            now,
        )
        .await?;
        store::record_events(tx.conn(), &events, now).await?;
        let a = AttemptLite {
            shown: shown
                .map(|s| serde_json::to_string(&s).unwrap_or_default())
                .or(a.shown),
            ..a
        };
        let screen = screen(tx.conn(), &cert, &a, clock.remaining(now)).await?;
        tx.commit().await?;
        Ok(TestEntry::Attempt(screen))
    }
    .await
}

/// The test screen of a running attempt, read with the time the caller computed.
async fn screen(
    mut c: Conn<'_>,
    cert: &Certification,
    a: &AttemptLite,
    remaining_ms: i64,
) -> Result<AttemptScreen, StorageError> {
    let asked = store::questions(c.re(), a.id).await?;
    let answers = store::answers(c, a.id, asked.len()).await?;
    // Pause mode shows the questions already shown only: a question is revealed when the user
    // moves to it (`show`). Continuous mode, and attempts started before, show them all.
    let shown = a
        .shown()
        .filter(|_| a.timer_mode == TimerMode::PauseWhileAway);
    let visible = |i: usize| {
        shown
            .as_ref()
            .is_none_or(|s| s.get(i).is_some_and(Option::is_some) || i as i64 == a.current_index)
    };
    Ok(AttemptScreen {
        attempt_id: a.id,
        cert_id: cert.id,
        title: cert.settings.title.clone(),
        number: a.number,
        mode: a.timer_mode,
        questions: asked
            .iter()
            .enumerate()
            .map(|(i, q)| visible(i).then(|| q.view()))
            .collect(),
        answers,
        current_index: a.current_index,
        remaining_ms,
        away_limit_ms: a.away_limit_ms,
    })
}

/// [`current`] for a page render: read only. An attempt that is over but not finished yet
/// goes to its result page, which finishes it from the client.
async fn peek_current(
    state: &AppState,
    user: UserId,
    cert_id: CertId,
    now: Timestamp,
) -> AppResult<TestEntry> {
    let mut c = state.db.read().await?;
    let cert = visible_cert(c.conn(), user, cert_id).await?;
    let Some(a) = store::in_progress(c.conn(), user, cert.id).await? else {
        return Ok(TestEntry::None);
    };
    if a.must_end(now) {
        return Ok(TestEntry::Finished(a.id));
    }
    let remaining = a.clock().remaining(now);
    Ok(TestEntry::Attempt(
        screen(c.conn(), &cert, &a, remaining).await?,
    ))
}

/// The plain case of [`current`]: the running attempt is read from a read connection and the
/// return to the test screen is a touch batched with answers and heartbeats, so resuming takes
/// nothing from the single writer but its share of a batch. `NotPlain`: take the ordinary path.
async fn resume_batched(state: &AppState, taker: &Taker, cert_id: CertId) -> AppResult<Resumed> {
    // The session, the certification and the attempt on one connection.
    let (actor, cert, running) = {
        let mut read = state.db.read().await?;
        let actor = taker.member_on(state, read.conn()).await?;
        let user = actor.user.id;
        let cert = visible_cert(read.conn(), user, cert_id).await?;
        let Some(running) = store::in_progress(read.conn(), user, cert.id).await? else {
            return Ok(Resumed::Entry(TestEntry::None));
        };
        (actor, cert, running)
    };
    let Ok(ack) = touch_batched(
        state,
        taker,
        running.id,
        running.current_index,
        Sign::Resume,
    )
    .await
    else {
        return Ok(Resumed::NotPlain(actor));
    };
    // Read after the touch committed: every acknowledged answer is in.
    let mut read = state.db.read().await?;
    Ok(Resumed::Entry(TestEntry::Attempt(
        screen(read.conn(), &cert, &running, ack.remaining_ms).await?,
    )))
}

/// What [`resume_batched`] did: the screen, or the member for the ordinary path.
enum Resumed {
    Entry(TestEntry),
    NotPlain(Actor),
}

fn ack(a: &AttemptLite, clock: &AttemptClock, now: Timestamp) -> ClockAck {
    ClockAck {
        remaining_ms: clock.remaining(now),
        finished: (!a.in_progress()).then_some(a.id),
    }
}

/// The plain case of an answer or a heartbeat, batched with others (see `taking::touches`).
/// `Err` gives the answer back for the ordinary path.
async fn touch_batched(
    state: &AppState,
    taker: &Taker,
    id: AttemptId,
    index: i64,
    sign: Sign,
) -> Result<ClockAck, Sign> {
    let Some(token) = &taker.token else {
        return Err(sign);
    };
    let touch = Touch {
        attempt: id,
        session: hash_token(token),
        index,
        sign,
    };
    state.touches.submit(touch).await.map_err(|t| t.sign)
}

pub async fn save_answer(
    state: &AppState,
    taker: &Taker,
    id: AttemptId,
    index: i64,
    answer: Vec<u32>,
) -> AppResult<ClockAck> {
    let answer = match touch_batched(state, taker, id, index, Sign::Answer(answer)).await {
        Ok(ack) => return Ok(ack),
        Err(Sign::Answer(answer)) => answer,
        Err(_) => Vec::new(),
    };
    // Not the plain case: one transaction, with the exact refusal.
    let actor = taker.member(state).await?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let a = own_attempt(tx.conn(), &actor.user, id, &taker.origin, now).await?;
        if !a.in_progress() {
            // Finished (by the user elsewhere, or the time ran out beyond the grace).
            tx.commit().await?;
            return Err(AppError::refused(Msg::ErrAttemptOver));
        }
        let mut clock = a.clock();
        let touched = match attempt::touch(
            &mut clock,
            a.running(),
            &a.shapes,
            index,
            TouchKind::Answer(&answer),
            now,
        ) {
            Ok(touched) => touched,
            Err(TouchRefusal::BadAnswer) => {
                return Err(AppError::invalid("answer", Msg::ErrBadAnswer));
            }
            Err(TouchRefusal::Over | TouchRefusal::MustFinish) => {
                tx.commit().await?;
                return Err(AppError::refused(Msg::ErrAttemptOver));
            }
        };
        let mut shown = a.shown();
        let (events, revealed) =
            crate::taking::touches::record(id, &mut shown, &touched, true, &taker.session(), now);
        store::save_answer(tx.conn(), id, index, &answer, now).await?;
        store::save_clock(
            tx.conn(),
            id,
            &clock,
            index,
            shown.as_ref().filter(|_| revealed),
            now,
        )
        .await?;
        store::record_events(tx.conn(), &events, now).await?;
        tx.commit().await?;
        Ok(ack(&a, &clock, now))
    }
    .await
}

pub async fn heartbeat(
    state: &AppState,
    taker: &Taker,
    id: AttemptId,
    index: i64,
) -> AppResult<ClockAck> {
    if let Ok(ack) = touch_batched(state, taker, id, index, Sign::Heartbeat).await {
        return Ok(ack);
    }
    let actor = taker.member(state).await?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        // An attempt that is over is finished here (time out, closed certification).
        let a = own_attempt(tx.conn(), &actor.user, id, &taker.origin, now).await?;
        let mut clock = a.clock();
        if a.in_progress() {
            match attempt::touch(
                &mut clock,
                a.running(),
                &a.shapes,
                index,
                TouchKind::Heartbeat,
                now,
            ) {
                Ok(touched) => {
                    let mut shown = a.shown();
                    let (events, revealed) = crate::taking::touches::record(
                        id,
                        &mut shown,
                        &touched,
                        false,
                        &taker.session(),
                        now,
                    );
                    let shown = shown.filter(|_| revealed);
                    store::save_clock(tx.conn(), id, &clock, touched.index, shown.as_ref(), now)
                        .await?;
                    store::record_events(tx.conn(), &events, now).await?;
                }
                Err(_) => clock = a.clock(),
            }
        }
        tx.commit().await?;
        Ok(ack(&a, &clock, now))
    }
    .await
}

pub async fn leave(state: &AppState, taker: &Taker, id: AttemptId) -> AppResult<()> {
    let actor = taker.member(state).await?;
    let now = state.now();
    async {
        let mut tx = state.db.begin().await?;
        let a = own_attempt(tx.conn(), &actor.user, id, &taker.origin, now).await?;
        if a.in_progress() {
            let mut clock = a.clock();
            let first = clock.left_at.is_none();
            clock.away(now);
            store::save_clock(tx.conn(), id, &clock, a.current_index, None, now).await?;
            if first {
                // The page sends a beacon both when hidden and when closed: one leave.
                let left = store::NewEvent {
                    attempt: id,
                    kind: "left",
                    question_index: None,
                    away_ms: None,
                    session: taker.session(),
                };
                store::record_events(tx.conn(), &[left], now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
    .await
}

/// Moves to question `index` and returns it: in pause mode this reveals it (recorded with
/// when), riding the batch of heartbeats; the question's text is read afterwards.
pub async fn show(
    state: &AppState,
    taker: &Taker,
    id: AttemptId,
    index: i64,
) -> AppResult<ShownQuestion> {
    // The question is read (from this instance's memory if it started the attempt) while the
    // heartbeat waits for its batch (an attempt's questions never change once drawn); it is
    // returned only once the heartbeat has checked that the attempt is this session's and
    // recorded the reveal.
    let slot = i32::try_from(index).ok().filter(|i| *i >= 0);
    let question = async {
        let Some(i) = slot else {
            return Ok::<_, StorageError>(None);
        };
        if let Some(q) = state.caches.asked.get(id, i as usize).await {
            return Ok(Some(q));
        }
        let mut read = state.db.read().await?;
        store::question(read.conn(), id, i).await
    };
    let (ack, q) = tokio::join!(heartbeat(state, taker, id, index), question);
    let ack = ack?;
    if ack.finished.is_some() {
        return Ok(ShownQuestion {
            ack,
            question: None,
        });
    }
    let Some(q) = q? else {
        return Err(AppError::invalid("index", Msg::ErrBadAnswer));
    };
    Ok(ShownQuestion {
        ack,
        question: Some(q.view()),
    })
}

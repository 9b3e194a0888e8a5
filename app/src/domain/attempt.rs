//! Attempts: the rules of taking a certification, as plain functions of the stored state and
//! an instant from the clock.
//!
//! Timer modes:
//! - *pauses while away*: only time on the test screen counts. The client sends a heartbeat
//!   every few seconds; each heartbeat (or saved answer) covers up to [`PRESENCE_GRACE_MS`]
//!   after it, so closing the app or losing the connection pauses the clock after that grace.
//!   Going back to theory pauses it at once.
//! - *runs continuously*: a fixed deadline, start + time limit.
//!
//! An answer arriving up to [`ANSWER_GRACE_MS`] after the end still counts (network latency);
//! after that the server finishes the attempt by itself.
//!
//! Leaving (back to theory, or the app hidden or closed: the client sends a `leave` beacon)
//! stops the clock at once in pause mode. Only a return to the test screen (`resume`) starts it
//! again without counting the time away: an answer or heartbeat that arrives after a leave with
//! no resume in between counts the whole gap, so a leave cannot stop the clock while answering.

use super::certification::TimerMode;
use super::question::{QuestionContent, QuestionKind};
use super::{QuestionId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How long after a heartbeat the user still counts as present on the test screen.
pub const PRESENCE_GRACE_MS: i64 = 10_000;
/// How long after the end of the time an answer is still accepted.
pub const ANSWER_GRACE_MS: i64 = 3_000;
/// How often the client sends a heartbeat from the test screen.
pub const HEARTBEAT_MS: i64 = 4_000;

/// The clock of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptClock {
    pub mode: TimerMode,
    pub started_at: Timestamp,
    pub limit_ms: i64,
    /// Time counted in closed presence segments (pause mode).
    pub used_ms: i64,
    /// The open presence segment, if any: when it started and the last sign of life.
    pub segment_start: Option<Timestamp>,
    pub segment_last: Option<Timestamp>,
    /// When the user last left the test screen, until they resume or answer. Kept in both
    /// modes for the integrity record; only pause mode stops the clock.
    pub left_at: Option<Timestamp>,
    /// Pause mode: the most time away (not counted) before the attempt ends; `None`: no limit.
    #[serde(default)]
    pub away_limit_ms: Option<i64>,
}

/// A time away from the test screen that a touch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Away {
    /// When the user left (the leave beacon, or the end of the last presence grace).
    pub since: Timestamp,
    /// How long the user was away: 0 when an answer came after a leave with no return first
    /// (the user was answering all along, and in pause mode the gap counts).
    pub ms: i64,
}

/// What a touch did: the question the user is on, and the time away it ended, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touched {
    pub index: i64,
    pub returned: Option<Away>,
}

impl AttemptClock {
    pub fn start(mode: TimerMode, limit_ms: i64, now: Timestamp) -> Self {
        Self {
            mode,
            started_at: now,
            limit_ms,
            used_ms: 0,
            // The attempt starts on the test screen.
            segment_start: Some(now),
            segment_last: Some(now),
            left_at: None,
            away_limit_ms: None,
        }
    }

    /// With a limit on time away (pause mode only: in continuous mode the time runs anyway).
    pub fn with_away_limit(mut self, limit_ms: Option<i64>) -> Self {
        self.away_limit_ms = limit_ms.filter(|_| self.mode == TimerMode::PauseWhileAway);
        self
    }

    /// Time away so far: the time since the start that the clock did not count (pause mode).
    pub fn away_ms(&self, now: Timestamp) -> i64 {
        match self.mode {
            TimerMode::Continuous => 0,
            TimerMode::PauseWhileAway => {
                ((now.millis() - self.started_at.millis()) - self.used(now)).max(0)
            }
        }
    }

    /// Whether the time away passed the certification's limit.
    pub fn away_exceeded(&self, now: Timestamp) -> bool {
        self.away_limit_ms
            .is_some_and(|limit| self.away_ms(now) > limit)
    }

    /// Since when the user is away from the test screen, if they are: the leave, or the end of
    /// the presence grace after the last sign of life.
    pub fn away_since(&self, now: Timestamp) -> Option<Timestamp> {
        if let Some(left) = self.left_at {
            return Some(left);
        }
        if self.mode == TimerMode::Continuous {
            return None;
        }
        let last = self.segment_last?;
        let end = last.millis() + PRESENCE_GRACE_MS;
        (now.millis() > end).then_some(Timestamp(end))
    }

    /// Why the server ends this attempt now, if it must: the time (grace included) or the
    /// time away.
    pub fn end_reason(&self, now: Timestamp) -> Option<&'static str> {
        if self.overdue_by(now) > ANSWER_GRACE_MS {
            Some("timeout")
        } else if self.away_exceeded(now) {
            Some("away_limit")
        } else {
            None
        }
    }

    fn open_segment_ms(&self, now: Timestamp) -> i64 {
        match (self.segment_start, self.segment_last) {
            (Some(start), Some(last)) => {
                let covered = (now.millis() - last.millis()).clamp(0, PRESENCE_GRACE_MS);
                (last.millis() - start.millis()).max(0) + covered
            }
            _ => 0,
        }
    }

    /// Time counted so far.
    pub fn used(&self, now: Timestamp) -> i64 {
        match self.mode {
            TimerMode::Continuous => (now.millis() - self.started_at.millis()).max(0),
            TimerMode::PauseWhileAway => self.used_ms + self.open_segment_ms(now),
        }
    }

    pub fn remaining(&self, now: Timestamp) -> i64 {
        (self.limit_ms - self.used(now)).max(0)
    }

    /// How far past the end of the time the attempt is (negative: time left).
    pub fn overdue_by(&self, now: Timestamp) -> i64 {
        self.used(now) - self.limit_ms
    }

    /// Whether an answer arriving now still counts.
    pub fn accepts_answers(&self, now: Timestamp) -> bool {
        self.overdue_by(now) <= ANSWER_GRACE_MS
    }

    /// Whether the server must finish the attempt (time ran out, grace included, or the time
    /// away passed its limit).
    pub fn must_finish(&self, now: Timestamp) -> bool {
        self.end_reason(now).is_some()
    }

    /// A sign of life from the test screen (heartbeat, answer). After a leave without a resume,
    /// the time since the leave counts: the user was answering all along.
    pub fn present(&mut self, now: Timestamp) {
        if self.mode == TimerMode::Continuous {
            self.left_at = None;
            return;
        }
        if let Some(left) = self.left_at.take() {
            self.close_segment(now);
            self.used_ms += (now.millis() - left.millis()).max(0);
            self.segment_start = Some(now);
            self.segment_last = Some(now);
            return;
        }
        self.extend(now);
    }

    /// The user came back to the test screen (the app was reopened, or "Go to test" was
    /// tapped): the clock runs again from now; the time away does not count.
    pub fn resume(&mut self, now: Timestamp) {
        if self.mode == TimerMode::Continuous {
            self.left_at = None;
            return;
        }
        self.left_at = None;
        self.extend(now);
    }

    fn extend(&mut self, now: Timestamp) {
        match self.segment_last {
            Some(last) if now.millis() - last.millis() <= PRESENCE_GRACE_MS => {
                self.segment_last = Some(now.max(last));
            }
            _ => {
                // Away for longer than the grace: the old segment ends, a new one starts.
                self.close_segment(now);
                self.segment_start = Some(now);
                self.segment_last = Some(now);
            }
        }
    }

    /// The user left the test screen (back to theory, app hidden or closed): the clock stops
    /// now, until [`AttemptClock::resume`].
    pub fn away(&mut self, now: Timestamp) {
        if self.left_at.is_none() {
            self.left_at = Some(now);
        }
        if self.mode == TimerMode::Continuous {
            return;
        }
        if let Some(last) = self.segment_last
            && now.millis() - last.millis() <= PRESENCE_GRACE_MS
        {
            self.used_ms += (now.millis() - self.segment_start.unwrap_or(now).millis()).max(0);
            self.segment_start = None;
            self.segment_last = None;
            return;
        }
        self.close_segment(now);
    }

    fn close_segment(&mut self, now: Timestamp) {
        self.used_ms += self.open_segment_ms(now);
        self.segment_start = None;
        self.segment_last = None;
    }

    /// The instant the time ran out, for the record (continuous: the deadline).
    pub fn ended_at(&self, now: Timestamp) -> Timestamp {
        match self.mode {
            TimerMode::Continuous => Timestamp(self.started_at.millis() + self.limit_ms).min(now),
            TimerMode::PauseWhileAway => now,
        }
    }
}

/// A question as an attempt asked it: the content at the start, options in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedQuestion {
    pub question_id: QuestionId,
    pub revision: i64,
    pub content: QuestionContent,
    /// For ordering questions, the right order of option ids (the bank's order).
    #[serde(default)]
    pub key: Vec<u32>,
    /// The bank's id of each option, in display order: `content.options[i]` is the bank's option
    /// `bank_option_ids[i]`. The ids an attempt shows are random per attempt, so they carry no
    /// order or correctness. Empty for attempts started before that: their ids are the bank's.
    #[serde(default)]
    pub bank_option_ids: Vec<u32>,
}

/// When each question of an attempt was first shown (`None`: not yet). Pause mode delivers a
/// question only once shown, so the set is also what the client may have.
pub type Shown = Vec<Option<Timestamp>>;

/// Records that question `index` is on screen now; `true` when it is shown for the first time.
pub fn reveal(shown: &mut Shown, index: i64, now: Timestamp) -> bool {
    match usize::try_from(index).ok().and_then(|i| shown.get_mut(i)) {
        Some(slot @ None) => {
            *slot = Some(now);
            true
        }
        _ => false,
    }
}

/// What the client may see of a question during an attempt (no correct answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionView {
    pub kind: QuestionKind,
    pub text: String,
    pub image_url: Option<String>,
    pub options: Vec<OptionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionView {
    pub id: u32,
    pub text: String,
}

impl AskedQuestion {
    /// The bank's id of an option this attempt shows as `id`.
    pub fn bank_option_id(&self, id: u32) -> Option<u32> {
        let i = self.content.options.iter().position(|o| o.id == id)?;
        match self.bank_option_ids.get(i) {
            Some(bank) => Some(*bank),
            None if self.bank_option_ids.is_empty() => Some(id),
            None => None,
        }
    }

    /// The right answer in this attempt's ids: the correct options, or the right order.
    pub fn right_answer(&self) -> Vec<u32> {
        match self.content.kind {
            QuestionKind::Ordering => self.key.clone(),
            _ => self
                .content
                .options
                .iter()
                .filter(|o| o.correct)
                .map(|o| o.id)
                .collect(),
        }
    }

    /// Whether `answer` is fully right (all-or-nothing).
    pub fn is_right(&self, answer: &[u32]) -> bool {
        match self.content.kind {
            QuestionKind::Ordering => answer == self.key.as_slice(),
            _ => self.content.is_correct(answer),
        }
    }

    pub fn view(&self) -> QuestionView {
        QuestionView {
            kind: self.content.kind,
            text: self.content.text.clone(),
            image_url: self.content.image_url.clone(),
            options: self
                .content
                .options
                .iter()
                .map(|o| OptionView {
                    id: o.id,
                    text: o.text.clone(),
                })
                .collect(),
        }
    }
}

/// What an answer to each asked question may look like (kept beside the snapshot so saving an
/// answer does not read the whole snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerShape {
    pub kind: QuestionKind,
    pub ids: Vec<u32>,
}

impl AnswerShape {
    pub fn of(q: &AskedQuestion) -> Self {
        Self {
            kind: q.content.kind,
            ids: q.content.options.iter().map(|o| o.id).collect(),
        }
    }

    /// Known ids, no duplicates; one for single choice; a full order for ordering.
    pub fn accepts(&self, answer: &[u32]) -> bool {
        let mut unique = answer.to_vec();
        unique.sort_unstable();
        unique.dedup();
        unique.len() == answer.len()
            && answer.iter().all(|a| self.ids.contains(a))
            && match self.kind {
                QuestionKind::Single => answer.len() == 1,
                QuestionKind::Multiple => !answer.is_empty(),
                QuestionKind::Ordering => answer.len() == self.ids.len(),
            }
    }
}

/// A small deterministic generator (SplitMix64): the seed is stored with the attempt, so the
/// order can always be explained; the stored snapshot is what is used, never a re-shuffle.
#[derive(Debug, Clone, Copy)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Distinct random option ids for one question of one attempt (nine digits, never 0).
fn fresh_option_ids(rng: &mut Rng, n: usize) -> Vec<u32> {
    let mut ids: Vec<u32> = Vec::with_capacity(n);
    while ids.len() < n {
        let id = (rng.next_u64() % 900_000_000 + 100_000_000) as u32;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// What a new attempt asks, built once at its start: an optional random draw of `draw` questions,
/// the question order shuffled if asked, options shuffled if asked. Ordering questions always
/// get their options shuffled: their stored order is the answer. Every option gets a random id
/// for this attempt, so neither the ids nor their order tell anything about the answer.
pub fn build_questions(
    bank: &[(QuestionId, i64, QuestionContent)],
    draw: Option<usize>,
    shuffle_questions: bool,
    shuffle_options: bool,
    seed: u64,
) -> Vec<AskedQuestion> {
    build_questions_for(
        bank,
        draw,
        shuffle_questions,
        shuffle_options,
        seed,
        &HashMap::new(),
    )
}

/// [`build_questions`] for a person who was shown some of the questions before: a draw from
/// a larger set takes the questions never shown to them first, then the least recently shown
/// (`last_shown`: question → the number of the last attempt that asked it), at random among
/// equals. So an attempt after a reset, or after a full review, asks other questions where
/// the set has them.
/// A question of a certification's bank as a start draws it: id, revision, content.
pub type BankQuestion = (QuestionId, i64, QuestionContent);

pub fn build_questions_for(
    bank: &[BankQuestion],
    draw: Option<usize>,
    shuffle_questions: bool,
    shuffle_options: bool,
    seed: u64,
    last_shown: &HashMap<QuestionId, i64>,
) -> Vec<AskedQuestion> {
    let mut rng = Rng::new(seed);
    let mut picked: Vec<&(QuestionId, i64, QuestionContent)> = bank.iter().collect();
    if let Some(n) = draw.filter(|n| *n < picked.len()) {
        rng.shuffle(&mut picked);
        // Stable: the shuffle decides among questions shown equally long ago.
        picked.sort_by_key(|q| last_shown.get(&q.0).copied().unwrap_or(0));
        picked.truncate(n);
        if !shuffle_questions {
            // A draw keeps the certification's order unless shuffling is on.
            picked.sort_by_key(|q| bank.iter().position(|b| b.0 == q.0));
        }
    } else if shuffle_questions {
        rng.shuffle(&mut picked);
    }
    picked
        .into_iter()
        .map(|(id, revision, content)| {
            let mut content = content.clone();
            let bank_order: Vec<u32> = content.options.iter().map(|o| o.id).collect();
            if shuffle_options || content.kind == QuestionKind::Ordering {
                rng.shuffle(&mut content.options);
                // An ordering question must not start in the right order.
                if content.kind == QuestionKind::Ordering && content.options.len() > 1 {
                    let shown: Vec<u32> = content.options.iter().map(|o| o.id).collect();
                    if shown == bank_order {
                        content.options.rotate_left(1);
                    }
                }
            }
            let bank_option_ids: Vec<u32> = content.options.iter().map(|o| o.id).collect();
            let fresh = fresh_option_ids(&mut rng, bank_option_ids.len());
            let to_fresh = |bank_id: u32| {
                bank_option_ids
                    .iter()
                    .position(|b| *b == bank_id)
                    .map_or(0, |i| fresh[i])
            };
            let key = match content.kind {
                QuestionKind::Ordering => bank_order.iter().map(|b| to_fresh(*b)).collect(),
                _ => Vec::new(),
            };
            for (o, id) in content.options.iter_mut().zip(&fresh) {
                o.id = *id;
            }
            AskedQuestion {
                question_id: *id,
                revision: *revision,
                content,
                key,
                bank_option_ids,
            }
        })
        .collect()
}

/// The score of an attempt: answered questions count, unanswered ones are wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub correct: i64,
    pub total: i64,
    /// 0–100, rounded down: 100 only when every answer is right.
    pub percent: i64,
}

/// `answers[i]` is the answer to `asked[i]`, if given.
pub fn score(asked: &[AskedQuestion], answers: &[Option<Vec<u32>>]) -> Score {
    let total = asked.len() as i64;
    let correct = asked
        .iter()
        .enumerate()
        .filter(|(i, q)| matches!(answers.get(*i), Some(Some(a)) if q.is_right(a)))
        .count() as i64;
    let percent = if total == 0 { 0 } else { correct * 100 / total };
    Score {
        correct,
        total,
        percent,
    }
}

/// Where a user stands with a certification, for the rules below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Attempts used since the last reset.
    pub attempts_used: i64,
    pub best_percent: Option<i64>,
    pub in_progress: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StartRefusal {
    NotOpen,
    NotAssigned,
    TheoryNotRead,
    NoAttemptsLeft,
    Completed,
}

impl StartRefusal {
    pub fn msg(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            StartRefusal::NotOpen => Msg::ErrCertNotOpen,
            StartRefusal::NotAssigned => Msg::ErrNotAssigned,
            StartRefusal::TheoryNotRead => Msg::ErrTheoryNotRead,
            StartRefusal::NoAttemptsLeft => Msg::ErrNoAttemptsLeft,
            StartRefusal::Completed => Msg::ErrCompleted,
        }
    }
}

/// Whether a new attempt may start. (With an attempt in progress, "start" resumes it instead.)
pub fn may_start(
    open: bool,
    assigned: bool,
    theory_read: bool,
    max_attempts: i64,
    standing: Standing,
) -> Result<(), StartRefusal> {
    if standing.best_percent == Some(100) {
        return Err(StartRefusal::Completed);
    }
    if !open {
        return Err(StartRefusal::NotOpen);
    }
    if !assigned {
        return Err(StartRefusal::NotAssigned);
    }
    if standing.attempts_used >= max_attempts {
        return Err(StartRefusal::NoAttemptsLeft);
    }
    if !theory_read {
        return Err(StartRefusal::TheoryNotRead);
    }
    Ok(())
}

/// Why one more attempt cannot be given to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRefusal {
    /// Draft, scheduled or closed: nobody can start, so an attempt would give nothing.
    NotOpen,
    /// Passed at 100 %: there is nothing to improve.
    Completed,
    /// No attempt counts yet: every attempt is still there.
    NothingUsed,
}

impl GrantRefusal {
    pub fn msg(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            GrantRefusal::NotOpen => Msg::ErrGrantNotOpen,
            GrantRefusal::Completed => Msg::ErrGrantCompleted,
            GrantRefusal::NothingUsed => Msg::ErrGrantNothingUsed,
        }
    }
}

/// Whether a person may be given one more attempt: the newest counted attempt stops counting
/// (it stays in the history), on an open certification not yet passed at 100 %.
pub fn may_grant_attempt(open: bool, standing: Standing) -> Result<(), GrantRefusal> {
    if !open {
        return Err(GrantRefusal::NotOpen);
    }
    if standing.best_percent == Some(100) {
        return Err(GrantRefusal::Completed);
    }
    if standing.attempts_used == 0 {
        return Err(GrantRefusal::NothingUsed);
    }
    Ok(())
}

/// Why a sign of life on the test screen cannot simply be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TouchRefusal {
    /// The attempt is finished, or an answer came after the end and its grace.
    Over,
    /// The time ran out beyond the grace: the attempt must be finished first.
    MustFinish,
    /// An unknown question, or an answer that does not fit it.
    BadAnswer,
}

/// What brought a sign of life from the test screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TouchKind<'a> {
    /// The periodic heartbeat, or moving to another question.
    Heartbeat,
    /// An answer to the question at the index.
    Answer(&'a [u32]),
    /// The user came back to the test screen (reopened the app, "Go to test").
    Resume,
}

/// A sign of life on the test screen of a running attempt. Moves the clock and returns the
/// question the user is on, and the time away it ended.
pub fn touch(
    clock: &mut AttemptClock,
    running: bool,
    shapes: &[AnswerShape],
    index: i64,
    kind: TouchKind<'_>,
    now: Timestamp,
) -> Result<Touched, TouchRefusal> {
    if !running {
        return Err(TouchRefusal::Over);
    }
    if clock.must_finish(now) {
        return Err(TouchRefusal::MustFinish);
    }
    let since = clock.away_since(now);
    let beacon = clock.left_at.is_some();
    let index = touch_clock(clock, shapes, index, kind, now)?;
    let returned = since.map(|since| Away {
        since,
        // A sign of life after a leave with no return counts the whole gap (see `present`).
        ms: if beacon && !matches!(kind, TouchKind::Resume) {
            0
        } else {
            (now.millis() - since.millis()).max(0)
        },
    });
    Ok(Touched { index, returned })
}

fn touch_clock(
    clock: &mut AttemptClock,
    shapes: &[AnswerShape],
    index: i64,
    kind: TouchKind<'_>,
    now: Timestamp,
) -> Result<i64, TouchRefusal> {
    let clamped = index.clamp(0, shapes.len().saturating_sub(1) as i64);
    match kind {
        TouchKind::Answer(answer) => {
            if !clock.accepts_answers(now) {
                return Err(TouchRefusal::Over);
            }
            let shape = usize::try_from(index).ok().and_then(|i| shapes.get(i));
            if !shape.is_some_and(|s| s.accepts(answer)) {
                return Err(TouchRefusal::BadAnswer);
            }
            clock.present(now);
            Ok(index)
        }
        TouchKind::Heartbeat => {
            clock.present(now);
            Ok(clamped)
        }
        TouchKind::Resume => {
            clock.resume(now);
            Ok(clamped)
        }
    }
}

/// The best result after a finished attempt: only a strictly better one replaces it.
pub fn best_after(best: Option<i64>, new: i64) -> i64 {
    best.map_or(new, |b| b.max(new))
}

/// How much the review of a finished attempt shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewDepth {
    /// Only which answers were right: another attempt is still possible.
    Verdicts,
    /// The right answers and explanations too: no attempt remains.
    Full,
}

/// A review (when the certification allows one) hands over the right answers only once no
/// further attempt is possible: 100 %, attempts used up, or the certification closed. Before
/// that it would give the next attempt away.
pub fn review_depth(
    review_allowed: bool,
    cert_open: bool,
    max_attempts: i64,
    standing: Standing,
) -> Option<ReviewDepth> {
    if !review_allowed {
        return None;
    }
    let another = cert_open
        && standing.best_percent != Some(100)
        && (standing.in_progress || standing.attempts_used < max_attempts);
    Some(if another {
        ReviewDepth::Verdicts
    } else {
        ReviewDepth::Full
    })
}

/// Whether a person with `standing` could open a full review (the right answers): the reset
/// confirmation warns that a new attempt may meet questions whose answers they have seen.
pub fn full_review_open(
    review_allowed: bool,
    cert_open: bool,
    max_attempts: i64,
    standing: Standing,
) -> bool {
    standing.attempts_used > 0
        && review_depth(review_allowed, cert_open, max_attempts, standing)
            == Some(ReviewDepth::Full)
}

/// Whether "Try again" is offered: attempts left and not yet 100%.
pub fn can_retry(max_attempts: i64, standing: Standing) -> bool {
    standing.best_percent != Some(100)
        && standing.attempts_used < max_attempts
        && !standing.in_progress
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = Timestamp(1_900_000_000_000);

    fn at(ms: i64) -> Timestamp {
        Timestamp(T0.millis() + ms)
    }

    #[test]
    fn one_more_attempt_needs_an_open_certification_and_something_to_improve() {
        let used = |n, best| Standing {
            attempts_used: n,
            best_percent: best,
            in_progress: false,
        };
        assert_eq!(may_grant_attempt(true, used(3, Some(60))), Ok(()));
        assert_eq!(
            may_grant_attempt(true, used(1, Some(90))),
            Ok(()),
            "passed below 100 %"
        );
        assert_eq!(
            may_grant_attempt(false, used(3, Some(60))),
            Err(GrantRefusal::NotOpen)
        );
        assert_eq!(
            may_grant_attempt(true, used(1, Some(100))),
            Err(GrantRefusal::Completed)
        );
        assert_eq!(
            may_grant_attempt(true, used(0, None)),
            Err(GrantRefusal::NothingUsed)
        );
    }

    #[test]
    fn continuous_time_runs_without_the_user() {
        let c = AttemptClock::start(TimerMode::Continuous, 60_000, T0);
        assert_eq!(c.remaining(at(10_000)), 50_000);
        assert_eq!(c.remaining(at(600_000)), 0);
        assert!(c.accepts_answers(at(60_000 + ANSWER_GRACE_MS)));
        assert!(!c.accepts_answers(at(60_000 + ANSWER_GRACE_MS + 1)));
        assert!(c.must_finish(at(60_000 + ANSWER_GRACE_MS + 1)));
        assert_eq!(c.ended_at(at(999_999)), at(60_000));
    }

    #[test]
    fn paused_time_counts_only_presence() {
        let mut c = AttemptClock::start(TimerMode::PauseWhileAway, 60_000, T0);
        for s in 1..=5 {
            c.present(at(s * 4_000));
        }
        assert_eq!(c.used(at(20_000)), 20_000);
        // The app is closed after the heartbeat at 20 s: the clock stops 10 s later.
        assert_eq!(c.used(at(25_000)), 25_000);
        assert_eq!(c.used(at(3_600_000)), 30_000);
        assert!(
            !c.must_finish(at(99_999_999)),
            "away, the time cannot run out"
        );
        // Back an hour later: the time continues from where it stood.
        c.present(at(3_600_000));
        assert_eq!(c.used(at(3_600_000)), 30_000);
        c.present(at(3_604_000));
        assert_eq!(c.used(at(3_604_000)), 34_000);
        assert_eq!(c.remaining(at(3_604_000)), 26_000);
    }

    #[test]
    fn going_back_to_theory_stops_the_clock_at_once() {
        let mut c = AttemptClock::start(TimerMode::PauseWhileAway, 60_000, T0);
        c.present(at(4_000));
        c.away(at(6_000));
        assert_eq!(c.used(at(100_000)), 6_000);
        c.resume(at(200_000));
        assert_eq!(c.used(at(204_000)), 10_000);
    }

    #[test]
    fn paused_time_runs_out_on_the_test_screen() {
        let mut c = AttemptClock::start(TimerMode::PauseWhileAway, 10_000, T0);
        for s in 1..=3 {
            c.present(at(s * 4_000));
        }
        assert!(c.accepts_answers(at(12_000)));
        assert!(!c.must_finish(at(12_000 + ANSWER_GRACE_MS - 2_000)));
        assert!(c.must_finish(at(12_000 + 1_001 + ANSWER_GRACE_MS)));
    }

    use crate::domain::question::QuestionOption;

    fn bank() -> Vec<(QuestionId, i64, QuestionContent)> {
        (1..=6)
            .map(|i| {
                (
                    QuestionId(i),
                    1,
                    QuestionContent {
                        kind: if i == 6 {
                            QuestionKind::Ordering
                        } else {
                            QuestionKind::Single
                        },
                        text: format!("q{i}"),
                        image_url: None,
                        options: (1..=4)
                            .map(|o| QuestionOption {
                                id: o,
                                text: format!("o{o}"),
                                correct: o == 1,
                            })
                            .collect(),
                        explanation: String::new(),
                        tags: vec![],
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_attempt_and_a_new_seed_a_new_one() {
        let a = build_questions(&bank(), None, true, true, 7);
        let b = build_questions(&bank(), None, true, true, 7);
        assert_eq!(a, b);
        let ids = |v: &[AskedQuestion]| v.iter().map(|q| q.question_id.0).collect::<Vec<_>>();
        let different =
            (8..40).any(|seed| ids(&build_questions(&bank(), None, true, true, seed)) != ids(&a));
        assert!(different, "fresh seeds shuffle differently");
    }

    #[test]
    fn without_shuffling_the_order_is_kept_except_for_ordering_options() {
        let a = build_questions(&bank(), None, false, false, 7);
        assert_eq!(
            a.iter().map(|q| q.question_id.0).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5, 6]
        );
        assert_eq!(a[0].bank_option_ids, vec![1, 2, 3, 4]);
        assert_ne!(
            a[5].bank_option_ids,
            vec![1, 2, 3, 4],
            "an ordering question never starts solved"
        );
        let shown: Vec<u32> = a[5].content.options.iter().map(|o| o.id).collect();
        assert_ne!(shown, a[5].key, "nor in this attempt's ids");
    }

    #[test]
    fn a_full_review_is_open_once_no_attempt_remains_and_one_was_made() {
        let standing = |used: i64, best: Option<i64>| Standing {
            attempts_used: used,
            best_percent: best,
            in_progress: false,
        };
        assert!(full_review_open(true, true, 2, standing(2, Some(40))));
        assert!(full_review_open(true, true, 3, standing(1, Some(100))));
        assert!(full_review_open(true, false, 3, standing(1, Some(40))));
        assert!(!full_review_open(true, true, 3, standing(1, Some(40))));
        assert!(!full_review_open(false, true, 2, standing(2, Some(40))));
        assert!(!full_review_open(true, false, 3, standing(0, None)));
    }

    #[test]
    fn a_draw_prefers_questions_not_shown_before_then_the_least_recent() {
        let all: Vec<QuestionId> = bank().iter().map(|q| q.0).collect();
        assert!(all.len() >= 4, "the bank has enough to draw from");
        let ids = |a: &[AskedQuestion]| {
            let mut v: Vec<QuestionId> = a.iter().map(|q| q.question_id).collect();
            v.sort();
            v
        };
        // Everything but the last two was shown in attempt 1: any draw of two takes those.
        let mut shown: HashMap<QuestionId, i64> =
            all[..all.len() - 2].iter().map(|q| (*q, 1)).collect();
        let fresh = all[all.len() - 2..].to_vec();
        for seed in 0..20 {
            let a = build_questions_for(&bank(), Some(2), false, false, seed, &shown);
            assert_eq!(ids(&a), fresh, "seed {seed}");
        }
        // Once all were shown, the least recently shown come first.
        for q in &fresh {
            shown.insert(*q, 2);
        }
        shown.insert(all[0], 3);
        let a = build_questions_for(&bank(), Some(all.len() - 3), false, false, 5, &shown);
        let mut expect: Vec<QuestionId> = all[1..all.len() - 2].to_vec();
        expect.sort();
        assert_eq!(ids(&a), expect);
    }

    #[test]
    fn a_draw_picks_that_many_distinct_questions() {
        let a = build_questions(&bank(), Some(3), false, false, 11);
        assert_eq!(a.len(), 3);
        let ids: Vec<i64> = a.iter().map(|q| q.question_id.0).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "kept in the certification's order: {ids:?}"
        );
        assert_eq!(
            build_questions(&bank(), Some(10), false, false, 11).len(),
            6
        );
    }

    /// The id this attempt shows for the bank's option `bank`.
    fn shown(q: &AskedQuestion, bank: u32) -> u32 {
        let i = q.bank_option_ids.iter().position(|b| *b == bank).unwrap();
        q.content.options[i].id
    }

    fn shown_all(q: &AskedQuestion, banks: &[u32]) -> Vec<u32> {
        banks.iter().map(|b| shown(q, *b)).collect()
    }

    #[test]
    fn answer_shapes_refuse_malformed_answers() {
        let asked = build_questions(&bank(), None, false, false, 1);
        let single = AnswerShape::of(&asked[0]);
        assert!(single.accepts(&[shown(&asked[0], 2)]));
        assert!(!single.accepts(&shown_all(&asked[0], &[1, 2])));
        assert!(
            !single.accepts(&[2]),
            "the bank's ids are not this attempt's"
        );
        assert!(!single.accepts(&[]));
        let q = &asked[5];
        let ordering = AnswerShape::of(q);
        assert!(ordering.accepts(&shown_all(q, &[4, 3, 2, 1])));
        assert!(!ordering.accepts(&shown_all(q, &[4, 3, 2])));
        assert!(!ordering.accepts(&shown_all(q, &[4, 4, 2, 1])));
    }

    #[test]
    fn option_ids_carry_no_order_or_correctness() {
        let mut sorted_is_key = 0;
        let mut smallest_is_right = 0;
        for seed in 0..300 {
            let asked = build_questions(&bank(), None, false, false, seed);
            let q = &asked[5];
            let mut ids: Vec<u32> = q.content.options.iter().map(|o| o.id).collect();
            ids.sort_unstable();
            if ids == q.key {
                sorted_is_key += 1;
            }
            let single = &asked[0];
            let smallest = single.content.options.iter().map(|o| o.id).min().unwrap();
            if single.right_answer() == vec![smallest] {
                smallest_is_right += 1;
            }
            // Each option keeps its bank id, and the key is the bank's order.
            assert_eq!(
                q.key
                    .iter()
                    .map(|id| q.bank_option_id(*id).unwrap())
                    .collect::<Vec<_>>(),
                vec![1, 2, 3, 4]
            );
        }
        // By chance: 1 in 24 for a 4-option order, 1 in 4 for the right option.
        assert!(
            sorted_is_key < 40,
            "sorted ids solve the order {sorted_is_key} times"
        );
        assert!(
            smallest_is_right < 120,
            "smallest id is right {smallest_is_right} times"
        );
    }

    #[test]
    fn attempts_started_with_bank_ids_still_score() {
        let mut old = build_questions(&bank(), None, false, false, 1);
        for q in &mut old {
            for (o, bank) in q.content.options.iter_mut().zip(&q.bank_option_ids) {
                o.id = *bank;
            }
            if q.content.kind == QuestionKind::Ordering {
                q.key = vec![1, 2, 3, 4];
            }
            q.bank_option_ids.clear();
        }
        assert!(old[0].is_right(&[1]));
        assert!(old[5].is_right(&[1, 2, 3, 4]));
        assert_eq!(old[0].bank_option_id(3), Some(3));
    }

    #[test]
    fn time_away_is_what_the_clock_did_not_count_and_its_limit_ends_the_attempt() {
        let asked = build_questions(&bank(), None, false, false, 1);
        let shapes: Vec<AnswerShape> = asked.iter().map(AnswerShape::of).collect();
        let start = AttemptClock::start(TimerMode::PauseWhileAway, 600_000, T0)
            .with_away_limit(Some(60_000));
        let mut c = start;
        c.away(at(5_000));
        assert_eq!(c.away_ms(at(35_000)), 30_000);
        assert_eq!(c.end_reason(at(65_000)), None);
        assert_eq!(c.end_reason(at(65_001)), Some("away_limit"));
        // A return before the limit says how long the user was away.
        let back = touch(&mut c, true, &shapes, 0, TouchKind::Resume, at(45_000)).unwrap();
        assert_eq!(
            back.returned,
            Some(Away {
                since: at(5_000),
                ms: 40_000
            })
        );
        assert_eq!(c.away_ms(at(45_000)), 40_000);
        // Gone without a beacon: away from the end of the presence grace.
        let mut c = start;
        let gone = touch(&mut c, true, &shapes, 0, TouchKind::Resume, at(70_000)).unwrap();
        assert_eq!(gone.returned.map(|a| a.since), Some(at(PRESENCE_GRACE_MS)));
        // Past the limit, a return is refused: the attempt must end first.
        let mut c = start;
        c.away(at(1_000));
        assert_eq!(
            touch(&mut c, true, &shapes, 0, TouchKind::Resume, at(100_000)),
            Err(TouchRefusal::MustFinish)
        );
        // An answer after a leave with no return counts the gap: not time away.
        let mut c = start;
        c.away(at(1_000));
        let one = vec![asked[0].content.options[0].id];
        let answered = touch(&mut c, true, &shapes, 0, TouchKind::Answer(&one), at(9_000)).unwrap();
        assert_eq!(answered.returned.map(|a| a.ms), Some(0));
        assert_eq!(c.away_ms(at(9_000)), 0);
        // Continuous mode has no limit: the time runs anyway.
        let c =
            AttemptClock::start(TimerMode::Continuous, 600_000, T0).with_away_limit(Some(60_000));
        assert_eq!(c.away_limit_ms, None);
    }

    #[test]
    fn a_question_is_revealed_once() {
        let mut shown: Shown = vec![Some(T0), None];
        assert!(!reveal(&mut shown, 0, at(1)));
        assert!(reveal(&mut shown, 1, at(2)));
        assert!(!reveal(&mut shown, 1, at(3)));
        assert!(!reveal(&mut shown, 7, at(3)));
        assert_eq!(shown, vec![Some(T0), Some(at(2))]);
    }

    #[test]
    fn a_touch_records_presence_and_refuses_what_does_not_count() {
        let asked = build_questions(&bank(), None, false, false, 1);
        let shapes: Vec<AnswerShape> = asked.iter().map(AnswerShape::of).collect();
        let one = |i: usize, bank: u32| vec![shown(&asked[i], bank)];
        let mut c = AttemptClock::start(TimerMode::PauseWhileAway, 60_000, T0);
        // A heartbeat keeps the clock running and clamps the question to the attempt.
        assert_eq!(
            touch(&mut c, true, &shapes, 99, TouchKind::Heartbeat, at(4_000)).map(|t| t.index),
            Ok(5)
        );
        assert_eq!(c.segment_last, Some(at(4_000)));
        assert_eq!(
            touch(
                &mut c,
                true,
                &shapes,
                1,
                TouchKind::Answer(&one(1, 2)),
                at(8_000)
            )
            .map(|t| t.index),
            Ok(1)
        );
        assert_eq!(c.segment_last, Some(at(8_000)));
        let before = c;
        let two = shown_all(&asked[0], &[1, 2]);
        for (index, answer) in [(0, &two[..]), (6, &one(0, 1)[..]), (-1, &one(0, 1)[..])] {
            assert_eq!(
                touch(
                    &mut c,
                    true,
                    &shapes,
                    index,
                    TouchKind::Answer(answer),
                    at(9_000)
                ),
                Err(TouchRefusal::BadAnswer)
            );
        }
        assert_eq!(
            touch(
                &mut c,
                false,
                &shapes,
                0,
                TouchKind::Answer(&one(0, 1)),
                at(9_000)
            ),
            Err(TouchRefusal::Over)
        );
        assert_eq!(c, before, "a refused touch leaves the clock as it was");

        let mut c = AttemptClock::start(TimerMode::Continuous, 60_000, T0);
        let late = at(60_000 + ANSWER_GRACE_MS);
        assert_eq!(
            touch(
                &mut c,
                true,
                &shapes,
                0,
                TouchKind::Answer(&one(0, 1)),
                late
            )
            .map(|t| t.index),
            Ok(0)
        );
        assert_eq!(
            touch(
                &mut c,
                true,
                &shapes,
                0,
                TouchKind::Answer(&one(0, 1)),
                at(60_000 + ANSWER_GRACE_MS + 1)
            ),
            Err(TouchRefusal::MustFinish)
        );
    }

    #[test]
    fn a_leave_stops_the_clock_until_a_resume_and_answering_after_it_counts_the_gap() {
        let mut c = AttemptClock::start(TimerMode::PauseWhileAway, 600_000, T0);
        c.present(at(4_000));
        c.away(at(5_000));
        assert_eq!(c.used(at(60_000)), 5_000, "stopped at once, no grace");
        // Back through the test screen: the time away does not count.
        c.resume(at(60_000));
        c.present(at(64_000));
        assert_eq!(c.used(at(64_000)), 9_000);
        // A leave, then answers with no resume in between: the whole gap counts.
        c.away(at(65_000));
        c.present(at(125_000));
        assert_eq!(c.used(at(125_000)), 70_000);
        // Continuous mode ignores presence altogether.
        let mut k = AttemptClock::start(TimerMode::Continuous, 60_000, T0);
        k.away(at(1_000));
        k.resume(at(30_000));
        assert_eq!(k.used(at(30_000)), 30_000);
    }

    #[test]
    fn unanswered_questions_count_as_wrong() {
        let asked = build_questions(&bank(), None, false, false, 1);
        let mut answers: Vec<Option<Vec<u32>>> = vec![None; 6];
        answers[0] = Some(shown_all(&asked[0], &[1]));
        answers[1] = Some(shown_all(&asked[1], &[2]));
        answers[5] = Some(shown_all(&asked[5], &[1, 2, 3, 4]));
        let s = score(&asked, &answers);
        assert_eq!((s.correct, s.total, s.percent), (2, 6, 33));
        let all: Vec<Option<Vec<u32>>> = (0..6).map(|i| Some(asked[i].right_answer())).collect();
        assert_eq!(score(&asked, &all).percent, 100);
    }

    #[test]
    fn a_review_shows_the_right_answers_only_when_no_attempt_remains() {
        let after_first = Standing {
            attempts_used: 1,
            best_percent: Some(0),
            in_progress: false,
        };
        assert_eq!(
            review_depth(true, true, 3, after_first),
            Some(ReviewDepth::Verdicts)
        );
        assert_eq!(review_depth(false, true, 3, after_first), None);
        let used_up = Standing {
            attempts_used: 3,
            ..after_first
        };
        assert_eq!(
            review_depth(true, true, 3, used_up),
            Some(ReviewDepth::Full)
        );
        let perfect = Standing {
            best_percent: Some(100),
            ..after_first
        };
        assert_eq!(
            review_depth(true, true, 3, perfect),
            Some(ReviewDepth::Full)
        );
        assert_eq!(
            review_depth(true, false, 3, after_first),
            Some(ReviewDepth::Full),
            "closed: nothing more to take"
        );
        let running = Standing {
            attempts_used: 3,
            in_progress: true,
            ..after_first
        };
        assert_eq!(
            review_depth(true, true, 3, running),
            Some(ReviewDepth::Verdicts),
            "the last attempt is still running"
        );
    }

    #[test]
    fn attempts_best_result_and_the_100_percent_lock() {
        let fresh = Standing::default();
        assert_eq!(may_start(true, true, true, 3, fresh), Ok(()));
        assert_eq!(
            may_start(true, true, false, 3, fresh),
            Err(StartRefusal::TheoryNotRead)
        );
        assert_eq!(
            may_start(false, true, true, 3, fresh),
            Err(StartRefusal::NotOpen)
        );
        assert_eq!(
            may_start(true, false, true, 3, fresh),
            Err(StartRefusal::NotAssigned)
        );
        let used = Standing {
            attempts_used: 3,
            best_percent: Some(60),
            in_progress: false,
        };
        assert_eq!(
            may_start(true, true, true, 3, used),
            Err(StartRefusal::NoAttemptsLeft)
        );
        assert!(!can_retry(3, used));
        let perfect = Standing {
            attempts_used: 1,
            best_percent: Some(100),
            in_progress: false,
        };
        assert_eq!(
            may_start(true, true, true, 3, perfect),
            Err(StartRefusal::Completed)
        );
        assert!(!can_retry(3, perfect));
        let passed = Standing {
            attempts_used: 1,
            best_percent: Some(80),
            in_progress: false,
        };
        assert!(can_retry(3, passed), "a pass below 100% may try again");
        assert_eq!(
            best_after(Some(80), 70),
            80,
            "a worse result does not replace the best"
        );
        assert_eq!(best_after(Some(80), 90), 90);
        assert_eq!(best_after(None, 10), 10);
    }
}

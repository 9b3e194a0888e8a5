//! Certification statistics as plain functions over finished attempts: per question the
//! facility (share right) and the discrimination (Moodle's: the correlation of the question's
//! score with the rest of the test's score), how often each option was chosen, and flags;
//! the certification's score distribution, time used and attempts needed to pass are SQL
//! counts (`storage::analytics`).

use super::QuestionId;
use super::attempt::AskedQuestion;
use serde::{Deserialize, Serialize};

/// Questions are flagged only once this many attempts answered them.
pub const MIN_ATTEMPTS_FOR_FLAGS: usize = 10;
/// Facility above this (percent) is "too easy", below `TOO_HARD_BELOW` "too hard".
pub const TOO_EASY_ABOVE: f64 = 90.0;
pub const TOO_HARD_BELOW: f64 = 20.0;

/// What is wrong with a question, by the numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionFlag {
    TooEasy,
    TooHard,
    /// Those who did worse on the rest of the test did better on this one.
    NegativeDiscrimination,
}

/// Share of right answers, 0–100 (None without answers).
pub fn facility(right: &[bool]) -> Option<f64> {
    if right.is_empty() {
        return None;
    }
    Some(right.iter().filter(|r| **r).count() as f64 * 100.0 / right.len() as f64)
}

/// Pearson's correlation of `x` and `y` (same length), None when either does not vary.
pub fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= f64::EPSILON || syy <= f64::EPSILON {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// Discrimination of one question over attempts: `right[k]` whether attempt k got it right,
/// `correct[k]` how many questions attempt k got right in all. The question is correlated
/// with the rest of the test (its own point taken out), as Moodle does.
pub fn discrimination(right: &[bool], correct: &[i64]) -> Option<f64> {
    let item: Vec<f64> = right.iter().map(|r| f64::from(u8::from(*r))).collect();
    let rest: Vec<f64> = right
        .iter()
        .zip(correct)
        .map(|(r, c)| (*c - i64::from(*r)) as f64)
        .collect();
    correlation(&item, &rest)
}

/// The flags of a question answered `n` times.
pub fn flags(n: usize, facility: Option<f64>, discrimination: Option<f64>) -> Vec<QuestionFlag> {
    let mut out = Vec::new();
    if n < MIN_ATTEMPTS_FOR_FLAGS {
        return out;
    }
    match facility {
        Some(f) if f > TOO_EASY_ABOVE => out.push(QuestionFlag::TooEasy),
        Some(f) if f < TOO_HARD_BELOW => out.push(QuestionFlag::TooHard),
        _ => {}
    }
    if discrimination.is_some_and(|d| d < 0.0) {
        out.push(QuestionFlag::NegativeDiscrimination);
    }
    out
}

/// What one asked question of a scored attempt adds to the statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFact {
    pub index: usize,
    pub question_id: QuestionId,
    pub revision: i64,
    pub right: bool,
    /// Questions right in the rest of the attempt (this one left out).
    pub rest: i64,
    /// The bank's ids of the options chosen (every option of an answered ordering question).
    pub chosen: Vec<u32>,
}

/// The facts of an attempt from its questions and answers (`answers[i]` for `asked[i]`).
pub fn answer_facts(asked: &[AskedQuestion], answers: &[Option<Vec<u32>>]) -> Vec<AnswerFact> {
    let given = |i: usize| answers.get(i).and_then(|a| a.as_deref());
    let right: Vec<bool> = (0..asked.len())
        .map(|i| given(i).is_some_and(|a| asked[i].is_right(a)))
        .collect();
    let correct = right.iter().filter(|r| **r).count() as i64;
    asked
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let chosen = given(i).unwrap_or_default();
            let bank = q
                .content
                .options
                .iter()
                .enumerate()
                .filter(|(_, o)| chosen.contains(&o.id))
                .map(|(k, o)| q.bank_option_ids.get(k).copied().unwrap_or(o.id))
                .collect();
            AnswerFact {
                index: i,
                question_id: q.question_id,
                revision: q.revision,
                right: right[i],
                rest: correct - i64::from(right[i]),
                chosen: bank,
            }
        })
        .collect()
}

/// A question revision as the statistics show it: plain text, options in the bank's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsQuestion {
    pub text: String,
    /// `(bank id, plain text, correct)`.
    pub options: Vec<(u32, String, bool)>,
    /// An ordering question: how often each item was "chosen" means nothing.
    #[serde(default)]
    pub ordering: bool,
}

impl StatsQuestion {
    pub fn of(q: &AskedQuestion) -> StatsQuestion {
        let mut options: Vec<(u32, String, bool)> = q
            .content
            .options
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let bank = q.bank_option_ids.get(k).copied().unwrap_or(o.id);
                (bank, crate::richtext::plain_text(&o.text), o.correct)
            })
            .collect();
        options.sort_by_key(|o| o.0);
        StatsQuestion {
            text: crate::richtext::plain_text(&q.content.text),
            options,
            ordering: q.content.kind == crate::domain::question::QuestionKind::Ordering,
        }
    }
}

/// Sums over the attempts that were asked one question, as SQL aggregates them: `x` is 1
/// when the question was right, `y` the rest of the attempt's score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemSums {
    pub n: i64,
    /// Σx (= Σx², x being 0 or 1).
    pub right: i64,
    pub rest: i64,
    pub rest_sq: i64,
    pub right_rest: i64,
}

impl ItemSums {
    pub fn add(&mut self, right: bool, rest: i64) {
        let x = i64::from(right);
        self.n += 1;
        self.right += x;
        self.rest += rest;
        self.rest_sq += rest * rest;
        self.right_rest += x * rest;
    }

    pub fn facility(&self) -> Option<f64> {
        (self.n > 0).then(|| self.right as f64 * 100.0 / self.n as f64)
    }

    /// [`discrimination`] from the sums: the same Pearson correlation, in integers until the
    /// last step so both databases give the same figure.
    pub fn discrimination(&self) -> Option<f64> {
        let n = self.n;
        if n < 2 {
            return None;
        }
        // n²·variances and n²·covariance, exact in integers.
        let sxx = n * self.right - self.right * self.right;
        let syy = n * self.rest_sq - self.rest * self.rest;
        let sxy = n * self.right_rest - self.right * self.rest;
        if sxx <= 0 || syy <= 0 {
            return None;
        }
        Some(sxy as f64 / ((sxx as f64) * (syy as f64)).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five attempts at a three-question test, by hand:
    ///
    /// | attempt | q1 | q2 | q3 | correct |
    /// |---------|----|----|----|---------|
    /// | A       | 1  | 1  | 1  | 3       |
    /// | B       | 1  | 1  | 0  | 2       |
    /// | C       | 1  | 0  | 0  | 1       |
    /// | D       | 1  | 0  | 1  | 2       |
    /// | E       | 0  | 0  | 1  | 1       |
    ///
    /// q1: facility 80 %; item (1,1,1,1,0) against the rest (2,1,0,1,1): means 0.8 and 1.0,
    /// Σxy = 0.2·1 + 0.2·0 + 0.2·(−1) + 0.2·0 + (−0.8)·0 = 0, so discrimination 0.
    /// q2: facility 40 %; item (1,1,0,0,0) against the rest (2,1,1,2,1): means 0.4 and 1.4,
    /// Σxy = 0.6·0.6 + 0.6·(−0.4) + (−0.4)(−0.4) + (−0.4)(0.6) + (−0.4)(−0.4) = 0.2,
    /// Σxx = 1.2, Σyy = 1.2, so 0.2 / 1.2 = 0.1667.
    /// q3: facility 60 %; item (1,0,0,1,1) against the rest (2,2,1,1,0): means 0.6 and 1.2,
    /// Σxy = 0.4·0.8 + (−0.6)(0.8) + (−0.6)(−0.2) + 0.4·(−0.2) + 0.4·(−1.2) = −0.6,
    /// Σxx = 1.2, Σyy = 2.8, so −0.6 / √3.36 = −0.3273.
    #[test]
    fn facility_and_discrimination_match_the_hand_computed_table() {
        let correct = [3, 2, 1, 2, 1];
        let q1 = [true, true, true, true, false];
        let q2 = [true, true, false, false, false];
        let q3 = [true, false, false, true, true];
        assert_eq!(facility(&q1), Some(80.0));
        assert_eq!(facility(&q2), Some(40.0));
        assert_eq!(facility(&q3), Some(60.0));
        let d = |q: &[bool]| discrimination(q, &correct).unwrap();
        assert!(d(&q1).abs() < 1e-9, "{}", d(&q1));
        assert!((d(&q2) - 0.2 / 1.2).abs() < 1e-9, "{}", d(&q2));
        assert!((d(&q3) + 0.6 / 3.36_f64.sqrt()).abs() < 1e-9, "{}", d(&q3));
    }

    #[test]
    fn the_sums_give_the_same_figures_as_the_lists() {
        let correct = [3, 2, 1, 2, 1];
        for q in [
            [true, true, true, true, false],
            [true, true, false, false, false],
            [true, false, false, true, true],
            [true, true, true, true, true],
        ] {
            let mut s = ItemSums::default();
            for (r, c) in q.iter().zip(correct) {
                s.add(*r, c - i64::from(*r));
            }
            assert_eq!(s.facility(), facility(&q));
            match (s.discrimination(), discrimination(&q, &correct)) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{a} vs {b}"),
                (a, b) => assert_eq!(a, b),
            }
        }
        assert_eq!(ItemSums::default().facility(), None);
    }

    #[test]
    fn facts_say_right_rest_and_the_bank_ids_chosen() {
        use crate::domain::question::{QuestionContent, QuestionKind, QuestionOption};
        let q = |id: i64, right_option: u32| AskedQuestion {
            question_id: QuestionId(id),
            revision: 2,
            content: QuestionContent {
                kind: QuestionKind::Single,
                text: "<p>Q</p>".into(),
                image_url: None,
                options: (0..3)
                    .map(|k| QuestionOption {
                        id: 10 + k,
                        text: format!("o{k}"),
                        correct: 10 + k == right_option,
                    })
                    .collect(),
                explanation: String::new(),
                tags: vec![],
            },
            key: vec![],
            // Shown ids 10, 11, 12 are the bank's 3, 1, 2.
            bank_option_ids: vec![3, 1, 2],
        };
        let asked = [q(1, 10), q(2, 11), q(3, 12)];
        let facts = answer_facts(&asked, &[Some(vec![10]), Some(vec![12]), None]);
        assert_eq!(facts.len(), 3);
        assert!(facts[0].right && !facts[1].right && !facts[2].right);
        assert_eq!(facts.iter().map(|f| f.rest).collect::<Vec<_>>(), [0, 1, 1]);
        assert_eq!(facts[0].chosen, [3]);
        assert_eq!(facts[1].chosen, [2]);
        assert!(facts[2].chosen.is_empty());
        let s = StatsQuestion::of(&asked[0]);
        assert_eq!(s.text, "Q");
        assert_eq!(s.options[0], (1, "o1".into(), false));
        assert_eq!(s.options[2], (3, "o0".into(), true));
    }

    #[test]
    fn no_variance_means_no_discrimination() {
        assert_eq!(discrimination(&[true, true, true], &[2, 1, 3]), None);
        assert_eq!(
            discrimination(&[true, false], &[1, 0]),
            None,
            "rest is 0 and 0"
        );
        assert_eq!(discrimination(&[true], &[1]), None);
        assert_eq!(facility(&[]), None);
    }

    #[test]
    fn flags_need_ten_attempts() {
        assert!(flags(9, Some(100.0), Some(-0.5)).is_empty());
        assert_eq!(
            flags(10, Some(95.0), Some(0.3)),
            vec![QuestionFlag::TooEasy]
        );
        assert_eq!(
            flags(12, Some(10.0), Some(-0.1)),
            vec![QuestionFlag::TooHard, QuestionFlag::NegativeDiscrimination]
        );
        assert!(flags(30, Some(60.0), None).is_empty());
    }
}

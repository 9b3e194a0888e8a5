//! Certification statistics as plain functions over finished attempts: per question the
//! facility (share right) and the discrimination (Moodle's: the correlation of the question's
//! score with the rest of the test's score), how often each option was chosen, and flags;
//! for the certification the score distribution, time used and attempts needed to pass.

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

/// Percent scores in ten buckets: 0–9, 10–19, …, 90–100.
pub fn histogram(percents: &[i64]) -> [i64; 10] {
    let mut h = [0; 10];
    for p in percents {
        h[(p.clamp(&0, &100) / 10).min(9) as usize] += 1;
    }
    h
}

/// The median of some values (the lower middle for an even count), None when empty.
pub fn median(values: &[i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    Some(v[(v.len() - 1) / 2])
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

    #[test]
    fn the_histogram_has_ten_buckets_and_100_goes_in_the_last() {
        assert_eq!(
            histogram(&[0, 9, 10, 55, 90, 99, 100, 130, -5]),
            [3, 1, 0, 0, 0, 1, 0, 0, 0, 4]
        );
        assert_eq!(median(&[5, 1, 3]), Some(3));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2));
        assert_eq!(median(&[]), None);
    }
}

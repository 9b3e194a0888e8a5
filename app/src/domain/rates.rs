//! The two rates the panel shows, each defined once and named where it is shown:
//! **completion** (passed out of everyone assigned: "how are we doing") and the **pass
//! rate** (passed out of those who finished at least one attempt: "how hard is the test").
//! The same data gives different figures for each, so a page never shows a bare "passed %".

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    /// Everyone the certification reaches: assigned, or with progress in it.
    pub assigned: i64,
    /// Those who finished at least one attempt.
    pub attempted: i64,
    pub passed: i64,
}

fn percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| part * 100 / whole)
}

impl Rates {
    /// Counts one person.
    pub fn add(&mut self, attempted: bool, passed: bool) {
        self.assigned += 1;
        self.attempted += i64::from(attempted || passed);
        self.passed += i64::from(passed);
    }

    /// Counts `n` people alike.
    pub fn add_n(&mut self, n: i64, attempted: bool, passed: bool) {
        self.assigned += n;
        self.attempted += if attempted || passed { n } else { 0 };
        self.passed += if passed { n } else { 0 };
    }

    /// Passed out of assigned, in whole percent (`None`: nobody assigned).
    pub fn completion(&self) -> Option<i64> {
        percent(self.passed, self.assigned)
    }

    /// Passed out of those who finished an attempt (`None`: nobody has yet).
    pub fn pass_rate(&self) -> Option<i64> {
        percent(self.passed, self.attempted)
    }

    /// "Completion: 40 of 50 assigned passed (80%)", as every page names it.
    pub fn completion_text(&self, lang: crate::i18n::Lang) -> Option<String> {
        let p = self.completion()?;
        Some(crate::i18n::Msg::RateCompletion.with(
            lang,
            &[
                ("passed", &self.passed.to_string()),
                ("assigned", &self.assigned.to_string()),
                ("p", &p.to_string()),
            ],
        ))
    }

    /// "Pass rate: 40 of 45 who took it (89%)".
    pub fn pass_rate_text(&self, lang: crate::i18n::Lang) -> Option<String> {
        let p = self.pass_rate()?;
        Some(crate::i18n::Msg::RatePassOfAttempted.with(
            lang,
            &[
                ("passed", &self.passed.to_string()),
                ("attempted", &self.attempted.to_string()),
                ("p", &p.to_string()),
            ],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_counts_everyone_assigned_and_the_pass_rate_only_those_who_tried() {
        let mut r = Rates::default();
        r.add(true, true);
        r.add(true, false);
        r.add(false, false);
        r.add(false, false);
        assert_eq!(r.completion(), Some(25));
        assert_eq!(r.pass_rate(), Some(50));
        assert_eq!(Rates::default().completion(), None);
        assert_eq!(Rates::default().pass_rate(), None);
        let mut kept = Rates::default();
        kept.add(false, true); // a pass kept through a reset counts as tried
        assert_eq!(kept.pass_rate(), Some(100));
    }
}

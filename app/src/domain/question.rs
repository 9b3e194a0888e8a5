//! Questions of the bank: kinds, options, validation and scoring of one answer.

use crate::error::FieldError;
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Exactly one correct option.
    Single,
    /// One or more correct options; all-or-nothing.
    Multiple,
    /// Put the options in the right order (the stored order is the correct one).
    Ordering,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 3] = [
        QuestionKind::Single,
        QuestionKind::Multiple,
        QuestionKind::Ordering,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Ordering => "ordering",
        }
    }

    pub fn label(self) -> Msg {
        match self {
            QuestionKind::Single => Msg::KindSingle,
            QuestionKind::Multiple => Msg::KindMultiple,
            QuestionKind::Ordering => Msg::KindOrdering,
        }
    }
}

impl std::str::FromStr for QuestionKind {
    type Err = super::user::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        QuestionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| super::user::UnknownValue(s.to_owned()))
    }
}

impl TryFrom<String> for QuestionKind {
    type Error = super::user::UnknownValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// One option. Ids are stable within a question so answers can refer to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionOption {
    #[serde(default)]
    pub id: u32,
    pub text: String,
    /// For single/multiple choice. Ordering questions ignore it: their stored order is the answer.
    #[serde(default)]
    pub correct: bool,
}

/// The content of a question as the editor submits it and an attempt snapshots it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct QuestionContent {
    #[cfg_attr(feature = "ssr", sqlx(try_from = "String"))]
    pub kind: QuestionKind,
    /// Sanitised rich text (HTML).
    pub text: String,
    #[serde(default)]
    pub image_url: Option<String>,
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub options: Vec<QuestionOption>,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub tags: Vec<String>,
}

impl QuestionContent {
    /// The question as someone without the question bank sees it: no option marked right, no
    /// explanation, and an ordering question's options (whose stored order is the answer) in
    /// the order of their texts, numbered in that order.
    pub fn without_key(mut self) -> QuestionContent {
        self.explanation.clear();
        for o in &mut self.options {
            o.correct = false;
        }
        if self.kind == QuestionKind::Ordering {
            self.options.sort_by(|a, b| a.text.cmp(&b.text));
            for (k, o) in self.options.iter_mut().enumerate() {
                o.id = u32::try_from(k + 1).unwrap_or(u32::MAX);
            }
        }
        self
    }
}

/// A question of the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Question {
    pub id: super::QuestionId,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub content: QuestionContent,
    pub archived: bool,
    pub author_id: Option<super::UserId>,
    /// Incremented on every edit.
    pub revision: i64,
    pub updated_at: super::Timestamp,
}

pub const MAX_OPTIONS: usize = 12;
pub const MIN_OPTIONS: usize = 2;
pub const MAX_TEXT: usize = 20_000;
pub const MAX_OPTION_TEXT: usize = 1_000;
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_LEN: usize = 40;

/// Normalises tags: trimmed, lower-case, unique, non-empty, in the given order.
pub fn normalize_tags<'a>(raw: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Gives options without an id (0) fresh ids, keeping existing ones.
pub fn assign_option_ids(options: &mut [QuestionOption]) {
    let mut next = options.iter().map(|o| o.id).max().unwrap_or(0) + 1;
    let mut seen = std::collections::HashSet::new();
    for o in options.iter_mut() {
        if o.id == 0 || !seen.insert(o.id) {
            o.id = next;
            seen.insert(next);
            next += 1;
        }
    }
}

impl QuestionContent {
    /// Every problem with the question, by field. `text_is_empty` tells whether the sanitised
    /// text has no visible content (the caller knows the HTML).
    pub fn validate(&self, text_is_empty: bool) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let mut err = |field: &str, msg: Msg| {
            errs.push(FieldError {
                field: field.to_owned(),
                msg,
            })
        };
        if text_is_empty {
            err("text", Msg::ErrQuestionTextEmpty);
        } else if self.text.chars().count() > MAX_TEXT {
            err("text", Msg::ErrTextTooLong);
        }
        if self.options.len() < MIN_OPTIONS || self.options.len() > MAX_OPTIONS {
            err("options", Msg::ErrOptionCount);
        }
        if self
            .options
            .iter()
            .any(|o| o.text.trim().is_empty() || o.text.chars().count() > MAX_OPTION_TEXT)
        {
            err("options", Msg::ErrOptionText);
        }
        let correct = self.options.iter().filter(|o| o.correct).count();
        match self.kind {
            QuestionKind::Single if correct != 1 => err("options", Msg::ErrSingleNeedsOne),
            QuestionKind::Multiple if correct == 0 => err("options", Msg::ErrMultipleNeedsOne),
            _ => {}
        }
        if self.tags.len() > MAX_TAGS || self.tags.iter().any(|t| t.chars().count() > MAX_TAG_LEN) {
            err("tags", Msg::ErrTags);
        }
        if self.explanation.chars().count() > MAX_TEXT {
            err("explanation", Msg::ErrTextTooLong);
        }
        if let Some(url) = &self.image_url
            && !is_safe_url(url)
        {
            err("image_url", Msg::ErrUrl);
        }
        errs
    }

    /// Whether `answer` (option ids: the chosen ones, or the order given) is fully correct.
    /// Multiple choice and ordering are all-or-nothing.
    pub fn is_correct(&self, answer: &[u32]) -> bool {
        match self.kind {
            QuestionKind::Single | QuestionKind::Multiple => {
                let mut chosen: Vec<u32> = answer.to_vec();
                chosen.sort_unstable();
                chosen.dedup();
                let mut right: Vec<u32> = self
                    .options
                    .iter()
                    .filter(|o| o.correct)
                    .map(|o| o.id)
                    .collect();
                right.sort_unstable();
                chosen.len() == answer.len() && chosen == right
            }
            QuestionKind::Ordering => {
                let right: Vec<u32> = self.options.iter().map(|o| o.id).collect();
                answer == right.as_slice()
            }
        }
    }

    /// Whether `answer` is well-formed for this question (known ids; a full permutation for
    /// ordering; exactly one for single choice).
    pub fn is_valid_answer(&self, answer: &[u32]) -> bool {
        let ids: Vec<u32> = self.options.iter().map(|o| o.id).collect();
        let known = answer.iter().all(|a| ids.contains(a));
        let mut unique = answer.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let no_dupes = unique.len() == answer.len();
        known
            && no_dupes
            && match self.kind {
                QuestionKind::Single => answer.len() == 1,
                QuestionKind::Multiple => !answer.is_empty(),
                QuestionKind::Ordering => answer.len() == ids.len(),
            }
    }
}

/// Links and media must be http(s) or a path of this site (e.g. an upload).
pub fn is_safe_url(url: &str) -> bool {
    let u = url.trim();
    (u.starts_with("https://")
        || u.starts_with("http://")
        || (u.starts_with('/') && !u.starts_with("//")))
        && !u
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        && u.len() <= 2000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: QuestionKind, correct: &[bool]) -> QuestionContent {
        QuestionContent {
            kind,
            text: "<p>Q</p>".into(),
            image_url: None,
            options: correct
                .iter()
                .enumerate()
                .map(|(i, c)| QuestionOption {
                    id: i as u32 + 1,
                    text: format!("o{i}"),
                    correct: *c,
                })
                .collect(),
            explanation: String::new(),
            tags: vec![],
        }
    }

    fn fields(errs: Vec<FieldError>) -> Vec<(String, Msg)> {
        errs.into_iter().map(|e| (e.field, e.msg)).collect()
    }

    #[test]
    fn single_choice_needs_exactly_one_correct_option() {
        assert!(
            q(QuestionKind::Single, &[true, false])
                .validate(false)
                .is_empty()
        );
        assert_eq!(
            fields(q(QuestionKind::Single, &[true, true]).validate(false)),
            vec![("options".into(), Msg::ErrSingleNeedsOne)]
        );
        assert_eq!(
            fields(q(QuestionKind::Multiple, &[false, false]).validate(false)),
            vec![("options".into(), Msg::ErrMultipleNeedsOne)]
        );
        assert!(
            q(QuestionKind::Ordering, &[false, false, false])
                .validate(false)
                .is_empty()
        );
    }

    #[test]
    fn empty_text_and_option_counts_are_reported() {
        let mut x = q(QuestionKind::Single, &[true]);
        x.options[0].text = " ".into();
        let f = fields(x.validate(true));
        assert!(f.contains(&("text".into(), Msg::ErrQuestionTextEmpty)));
        assert!(f.contains(&("options".into(), Msg::ErrOptionCount)));
        assert!(f.contains(&("options".into(), Msg::ErrOptionText)));
    }

    #[test]
    fn scoring_is_all_or_nothing() {
        let m = q(QuestionKind::Multiple, &[true, false, true]);
        assert!(m.is_correct(&[3, 1]));
        assert!(!m.is_correct(&[1]));
        assert!(!m.is_correct(&[1, 2, 3]));
        assert!(
            !m.is_correct(&[1, 1, 3]),
            "duplicates are not a trick to pass"
        );
        let s = q(QuestionKind::Single, &[false, true]);
        assert!(s.is_correct(&[2]));
        assert!(!s.is_correct(&[1]));
        let o = q(QuestionKind::Ordering, &[false, false, false]);
        assert!(o.is_correct(&[1, 2, 3]));
        assert!(!o.is_correct(&[2, 1, 3]));
    }

    #[test]
    fn answers_must_be_well_formed() {
        let o = q(QuestionKind::Ordering, &[false, false, false]);
        assert!(o.is_valid_answer(&[3, 1, 2]));
        assert!(!o.is_valid_answer(&[3, 1]));
        assert!(!o.is_valid_answer(&[3, 3, 1]));
        let s = q(QuestionKind::Single, &[true, false]);
        assert!(!s.is_valid_answer(&[1, 2]));
        assert!(!s.is_valid_answer(&[9]));
        assert!(q(QuestionKind::Multiple, &[true, true]).is_valid_answer(&[2, 1]));
    }

    #[test]
    fn option_ids_are_kept_and_filled() {
        let mut opts = vec![
            QuestionOption {
                id: 4,
                text: "a".into(),
                correct: false,
            },
            QuestionOption {
                id: 0,
                text: "b".into(),
                correct: false,
            },
            QuestionOption {
                id: 4,
                text: "c".into(),
                correct: false,
            },
        ];
        assign_option_ids(&mut opts);
        let ids: Vec<u32> = opts.iter().map(|o| o.id).collect();
        assert_eq!(ids[0], 4);
        assert_ne!(ids[1], ids[2]);
        assert!(!ids[1..].contains(&4));
    }

    #[test]
    fn tags_are_normalized() {
        assert_eq!(
            normalize_tags([" Safety", "safety", "", "Кассa "]),
            vec!["safety", "кассa"]
        );
    }

    #[test]
    fn only_web_and_upload_urls_are_accepted() {
        assert!(is_safe_url("https://example.org/a.png"));
        assert!(is_safe_url("/uploads/abc/file.pdf"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url("data:text/html,x"));
        assert!(!is_safe_url("https://x/\"onerror=\""));
        assert!(is_safe_url("/demo/safety.svg"));
        assert!(!is_safe_url("//evil.example/x"));
    }

    #[test]
    fn without_key_hides_what_is_right_and_the_order() {
        let option = |id: u32, text: &str, correct: bool| QuestionOption {
            id,
            text: text.into(),
            correct,
        };
        let single = QuestionContent {
            kind: QuestionKind::Single,
            text: "q".into(),
            image_url: None,
            options: vec![option(1, "b", true), option(2, "a", false)],
            explanation: "because".into(),
            tags: vec![],
        };
        let hidden = single.clone().without_key();
        assert!(hidden.options.iter().all(|o| !o.correct));
        assert!(hidden.explanation.is_empty());
        assert_eq!(hidden.options[0].id, 1, "choice options keep their ids");
        let ordering = QuestionContent {
            kind: QuestionKind::Ordering,
            options: vec![
                option(1, "c", false),
                option(2, "a", false),
                option(3, "b", false),
            ],
            ..single
        };
        let hidden = ordering.without_key();
        let texts: Vec<_> = hidden
            .options
            .iter()
            .map(|o| (o.id, o.text.as_str()))
            .collect();
        assert_eq!(texts, vec![(1, "a"), (2, "b"), (3, "c")]);
    }
}

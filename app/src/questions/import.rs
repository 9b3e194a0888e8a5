//! Question import and export as JSON or CSV. Parsing is pure: it reports every wrong row and
//! the caller imports nothing unless all rows are right.
//!
//! CSV columns: `kind,text,options,correct,explanation,tags`. Options and tags are separated by
//! `|`; `correct` lists the numbers of the correct options (`2` or `1|3`) and is empty for
//! ordering questions, whose options are listed in the right order. `;` works as the column
//! separator too (Excel in Russian locales writes it).

use crate::domain::question::{QuestionContent, QuestionKind, QuestionOption};
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 5_000;
const COLUMNS: [&str; 6] = ["kind", "text", "options", "correct", "explanation", "tags"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based row of the data (the CSV header is row 0); 0 for the file as a whole.
    pub row: usize,
    pub field: String,
    pub msg: Msg,
    pub detail: Option<String>,
}

fn row_error(row: usize, field: &str, msg: Msg, detail: Option<String>) -> RowError {
    RowError {
        row,
        field: field.to_owned(),
        msg,
        detail,
    }
}

/// Every question of a JSON array, or the reason the file cannot be read.
pub fn parse_json(data: &str) -> Result<Vec<(usize, QuestionContent)>, RowError> {
    let values: Vec<serde_json::Value> = serde_json::from_str(data.trim_start_matches('\u{feff}'))
        .map_err(|e| row_error(0, "file", Msg::ErrImportFormat, Some(e.to_string())))?;
    if values.len() > MAX_IMPORT_ROWS {
        return Err(row_error(0, "file", Msg::ErrImportTooLarge, None));
    }
    let mut out = Vec::with_capacity(values.len());
    let mut first_error = None;
    for (i, v) in values.into_iter().enumerate() {
        match serde_json::from_value::<QuestionContent>(v) {
            Ok(q) => out.push((i + 1, q)),
            Err(e) => {
                first_error.get_or_insert_with(|| {
                    row_error(i + 1, "row", Msg::ErrImportRow, Some(e.to_string()))
                });
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

use crate::csv::split_list;

/// Every question of a CSV file with a header row, or each wrong row.
pub fn parse_csv(data: &str) -> Result<Vec<(usize, QuestionContent)>, RowError> {
    let delimiter = crate::csv::delimiter_of(data);
    let records = crate::csv::records(data, delimiter)
        .map_err(|e| row_error(0, "file", Msg::ErrImportFormat, Some(e)))?;
    let Some((header, rows)) = records.split_first() else {
        return Err(row_error(0, "file", Msg::ErrImportEmpty, None));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let Some(idx) = COLUMNS
        .iter()
        .map(|c| col(c))
        .collect::<Option<Vec<usize>>>()
    else {
        return Err(row_error(
            0,
            "file",
            Msg::ErrImportHeader,
            Some(format!("expected columns: {}", COLUMNS.join(","))),
        ));
    };
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(row_error(0, "file", Msg::ErrImportTooLarge, None));
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i + 1;
        let get = |k: usize| r.get(idx[k]).map(|s| s.trim()).unwrap_or_default();
        let kind = match get(0).parse::<QuestionKind>() {
            Ok(k) => k,
            Err(_) => {
                errors.push(row_error(
                    row,
                    "kind",
                    Msg::ErrImportKind,
                    Some(get(0).to_owned()),
                ));
                continue;
            }
        };
        let mut correct = Vec::new();
        let mut bad_number = false;
        for n in get(3).split(['|', ',', ';', ' ']).filter(|x| !x.is_empty()) {
            match n.parse::<usize>() {
                Ok(n) => correct.push(n),
                Err(_) => bad_number = true,
            }
        }
        let options: Vec<QuestionOption> = split_list(get(2))
            .into_iter()
            .enumerate()
            .map(|(j, text)| QuestionOption {
                id: j as u32 + 1,
                text,
                correct: correct.contains(&(j + 1)),
            })
            .collect();
        if bad_number || correct.iter().any(|n| *n == 0 || *n > options.len()) {
            errors.push(row_error(
                row,
                "correct",
                Msg::ErrImportCorrect,
                Some(get(3).to_owned()),
            ));
            continue;
        }
        out.push((
            row,
            QuestionContent {
                kind,
                text: get(1).to_owned(),
                image_url: None,
                options,
                explanation: get(4).to_owned(),
                tags: split_list(get(5)),
            },
        ));
    }
    match errors.into_iter().next() {
        // The service reports the remaining rows' content errors; format errors come first.
        Some(e) => Err(e),
        None => Ok(out),
    }
}

pub fn to_json(questions: &[QuestionContent]) -> String {
    serde_json::to_string_pretty(questions).unwrap_or_else(|_| "[]".into())
}

pub fn to_csv(questions: &[QuestionContent]) -> String {
    let mut out = String::from(crate::csv::BOM);
    out.push_str(&crate::csv::row(&COLUMNS));
    for q in questions {
        let options: Vec<&str> = q.options.iter().map(|o| o.text.as_str()).collect();
        let correct: Vec<String> = q
            .options
            .iter()
            .enumerate()
            .filter(|(_, o)| o.correct && q.kind != QuestionKind::Ordering)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        out.push_str(&crate::csv::row(&[
            q.kind.as_str().to_owned(),
            q.text.clone(),
            crate::csv::list(&options),
            correct.join("|"),
            q.explanation.clone(),
            crate::csv::list(&q.tags),
        ]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_with_pipes_and_formulas_survive_an_export() {
        let q = QuestionContent {
            kind: QuestionKind::Single,
            text: "=HYPERLINK(\"x\")".into(),
            image_url: None,
            options: vec![
                QuestionOption {
                    id: 1,
                    text: "a | b".into(),
                    correct: true,
                },
                QuestionOption {
                    id: 2,
                    text: "-1".into(),
                    correct: false,
                },
            ],
            explanation: String::new(),
            tags: vec![],
        };
        let csv = to_csv(std::slice::from_ref(&q));
        assert!(csv.starts_with(crate::csv::BOM));
        assert!(csv.contains("'=HYPERLINK"), "{csv}");
        let back = parse_csv(&csv).unwrap();
        assert_eq!(back[0].1.text, q.text);
        assert_eq!(back[0].1.options, q.options);
    }

    #[test]
    fn a_csv_file_round_trips() {
        let csv = "kind,text,options,correct,explanation,tags\n\
                   single,Сколько будет 2+2?,3|4|5,2,Четыре,math|easy\n\
                   multiple,\"Чётные, выберите\",1|2|4,2|3,,math\n\
                   ordering,По возрастанию,1|2|3,,,\n";
        let rows = parse_csv(csv).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].1.options[1].text, "4");
        assert!(rows[0].1.options[1].correct);
        assert_eq!(rows[1].1.text, "Чётные, выберите");
        assert_eq!(rows[1].1.options.iter().filter(|o| o.correct).count(), 2);
        assert_eq!(rows[0].1.tags, vec!["math", "easy"]);
        let back = parse_csv(&to_csv(
            &rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        ))
        .unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[1].1.options, rows[1].1.options);
    }

    #[test]
    fn semicolon_separated_files_are_read() {
        let csv = "kind;text;options;correct;explanation;tags\nsingle;Q;a|b;1;;\n";
        assert_eq!(parse_csv(csv).unwrap().len(), 1);
    }

    #[test]
    fn bad_rows_are_reported_with_their_number() {
        let csv = "kind,text,options,correct,explanation,tags\n\
                   single,Q,a|b,1,,\n\
                   essay,Q,a|b,1,,\n";
        let e = parse_csv(csv).unwrap_err();
        assert_eq!(
            (e.row, e.field.as_str(), e.msg),
            (2, "kind", Msg::ErrImportKind)
        );
        let csv = "kind,text,options,correct,explanation,tags\nsingle,Q,a|b,7,,\n";
        assert_eq!(parse_csv(csv).unwrap_err().field, "correct");
        let e = parse_csv("question,answer\nx,y\n").unwrap_err();
        assert_eq!(e.msg, Msg::ErrImportHeader);
    }

    #[test]
    fn json_import_reads_the_export_shape() {
        let json = r#"[{"kind":"single","text":"Q","options":[{"text":"a","correct":true},{"text":"b"}]}]"#;
        let rows = parse_json(json).unwrap();
        assert_eq!(rows[0].1.options.len(), 2);
        assert!(rows[0].1.options[0].correct);
        let e = parse_json(r#"[{"kind":"single","text":"Q","options":[]}, {"kind":"poll"}]"#)
            .unwrap_err();
        assert_eq!(e.row, 2);
        assert_eq!(parse_json("{").unwrap_err().msg, Msg::ErrImportFormat);
    }
}

//! The one CSV reader and writer of every import and export (questions, users, the audit log,
//! analytics). Files are UTF-8 with a BOM, so Excel opens Cyrillic text right; fields are
//! quoted as RFC 4180 says; a field that a spreadsheet would run as a formula (`= + - @`, tab,
//! carriage return first) is written with a leading `'`, which reading takes off again.

/// Excel reads a file as UTF-8 only with this mark first.
pub const BOM: &str = "\u{feff}";

/// Characters that make a spreadsheet treat a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One field, neutralised and quoted as needed.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(FORMULA_START) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One record: the fields joined with commas and a line end.
pub fn row<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// A field as written by [`field`]: the `'` that neutralised a formula comes off.
pub fn unneutralize(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => s,
    }
}

/// A list inside one field: items separated by `|`; a `|` or `\` inside an item is escaped
/// with `\`.
pub fn list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|i| i.as_ref().replace('\\', "\\\\").replace('|', "\\|"))
        .collect::<Vec<_>>()
        .join("|")
}

/// The items of a [`list`] field, trimmed, empty ones left out.
pub fn split_list(s: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut item = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ ('|' | '\\')) => item.push(next),
                Some(other) => {
                    item.push('\\');
                    item.push(other);
                }
                None => item.push('\\'),
            },
            '|' => items.push(std::mem::take(&mut item)),
            c => item.push(c),
        }
    }
    items.push(item);
    items
        .into_iter()
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty())
        .collect()
}

/// Splits CSV text into records (RFC 4180: quotes, doubled quotes, line breaks in quotes); a
/// BOM is skipped and neutralised formulas are restored.
pub fn records(data: &str, delimiter: char) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = data.trim_start_matches('\u{feff}').chars().peekable();
    let mut line = 1;
    let take = |f: &mut String| unneutralize(&std::mem::take(f)).to_owned();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, c) if c == delimiter => record.push(take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                line += 1;
                record.push(take(&mut field));
                if !(record.len() == 1 && record[0].is_empty()) {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(format!("unclosed quote before line {line}"));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(take(&mut field));
        records.push(record);
    }
    Ok(records)
}

/// The column separator of a file: `;` when the header uses it and no comma (Excel in Russian
/// locales writes it), `,` otherwise.
pub fn delimiter_of(data: &str) -> char {
    let first_line = data
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default();
    if first_line.contains(';') && !first_line.contains(',') {
        ';'
    } else {
        ','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_handle_quotes_and_line_breaks() {
        let r = records("a,\"b,\"\"c\"\"\",\"d\ne\"\r\nx,y,z\n", ',').unwrap();
        assert_eq!(r, vec![vec!["a", "b,\"c\"", "d\ne"], vec!["x", "y", "z"]]);
        assert!(records("a,\"b", ',').is_err());
    }

    #[test]
    fn formulas_are_neutralised_and_restored() {
        for s in ["=1+1", "+7", "-5", "@SUM(A1)", "\tx"] {
            let written = field(s);
            assert!(
                written.trim_start_matches('"').starts_with('\''),
                "{s:?} → {written:?}"
            );
            let back = records(&row(&[s, "next"]), ',').unwrap();
            assert_eq!(back, vec![vec![s.to_owned(), "next".to_owned()]]);
        }
        assert_eq!(field("plain"), "plain");
        assert_eq!(unneutralize("'hello"), "'hello");
    }

    #[test]
    fn lists_keep_pipes_inside_items() {
        let items = ["a|b", "c\\d", " e "];
        let written = list(&items);
        assert_eq!(split_list(&written), vec!["a|b", "c\\d", "e"]);
        assert_eq!(split_list("x||y|"), vec!["x", "y"]);
    }

    #[test]
    fn a_row_reads_back_as_written() {
        let fields = ["Иванов, Пётр", "say \"hi\"", "line\nbreak", ""];
        let text = format!("{BOM}{}", row(&fields));
        assert_eq!(records(&text, ',').unwrap(), vec![fields.to_vec()]);
        assert_eq!(delimiter_of("a;b;c\n"), ';');
        assert_eq!(delimiter_of("a,b;c\n"), ',');
    }
}

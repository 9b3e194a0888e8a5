//! One shape for every table the admin panel exports (compliance, statistics, dashboard):
//! a title, translated headers and typed cells. The CSV comes from the shared writer
//! (`crate::csv`); the server writes the same table as XLSX.

use crate::domain::Timestamp;

/// More rows than this are refused as XLSX (a spreadsheet that size is no use; the CSV has
/// no cap).
pub const MAX_XLSX_ROWS: usize = 100_000;

#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    Text(String),
    Int(i64),
    Number(f64),
    /// 0–100.
    Percent(f64),
    /// Written in the display time zone.
    At(Timestamp),
    Empty,
}

impl ExportCell {
    pub fn text(s: impl Into<String>) -> Self {
        ExportCell::Text(s.into())
    }

    pub fn opt_percent(p: Option<impl Into<f64>>) -> Self {
        p.map_or(ExportCell::Empty, |p| ExportCell::Percent(p.into()))
    }

    /// The cell as CSV text.
    pub fn plain(&self, utc_offset_minutes: i32) -> String {
        match self {
            ExportCell::Text(s) => s.clone(),
            ExportCell::Int(n) => n.to_string(),
            ExportCell::Number(x) => format!("{x:.2}"),
            ExportCell::Percent(p) => format!("{p:.0}%"),
            ExportCell::At(t) => t.format_datetime(utc_offset_minutes),
            ExportCell::Empty => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportTable {
    /// The sheet's name and the file's base name (ASCII).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<ExportCell>>,
}

impl ExportTable {
    pub fn new(name: &str, headers: Vec<String>) -> Self {
        ExportTable {
            name: name.to_owned(),
            headers,
            rows: Vec::new(),
        }
    }

    /// CSV with a BOM, escaped and with formula prefixes neutralised.
    pub fn csv(&self, utc_offset_minutes: i32) -> String {
        let mut out = String::from(crate::csv::BOM);
        out.push_str(&crate::csv::row(&self.headers));
        for r in &self.rows {
            let line: Vec<String> = r.iter().map(|c| c.plain(utc_offset_minutes)).collect();
            out.push_str(&crate::csv::row(&line));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_the_bom_neutralises_formulas_and_formats_cells() {
        let mut t = ExportTable::new("x", vec!["Name".into(), "Score".into(), "When".into()]);
        t.rows.push(vec![
            ExportCell::text("=HYPERLINK(\"x\")"),
            ExportCell::Percent(85.0),
            ExportCell::At(Timestamp(0)),
        ]);
        t.rows.push(vec![
            ExportCell::Int(3),
            ExportCell::Empty,
            ExportCell::Number(0.5),
        ]);
        let csv = t.csv(180);
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Name,Score,When");
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"x\"\")\",85%,01.01.1970 03:00");
        assert_eq!(lines[2], "3,,0.50");
    }
}

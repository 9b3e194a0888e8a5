//! The one XLSX writer of the exports (`rust_xlsxwriter` in its constant-memory mode, which
//! streams rows to a temporary file instead of holding the sheet): a bold, frozen header
//! row, numbers as numbers, percentages as percentages and instants as Excel dates in the
//! display time zone. Text is always written as text, never as a formula.

use app::export::{ExportCell, ExportTable};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// Excel's longest sheet name.
const SHEET_NAME_MAX: usize = 31;

pub fn write(table: &ExportTable, utc_offset_minutes: i32) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_tempdir(std::env::temp_dir())?;
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0%");
    let number = Format::new().set_num_format("0.00");
    let date = Format::new().set_num_format("dd.mm.yyyy hh:mm");
    let sheet = book.add_worksheet_with_constant_memory()?;
    let name: String = table.name.chars().take(SHEET_NAME_MAX).collect();
    sheet.set_name(&name)?;
    for (c, h) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col(c)?, h, &bold)?;
        sheet.set_column_width(col(c)?, if c == 0 { 32 } else { 16 })?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, cells) in table.rows.iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = col(c)?;
            match cell {
                ExportCell::Text(s) => {
                    sheet.write_string(row, c, s)?;
                }
                ExportCell::Int(n) => {
                    sheet.write_number(row, c, *n as f64)?;
                }
                ExportCell::Number(x) => {
                    sheet.write_number_with_format(row, c, *x, &number)?;
                }
                ExportCell::Percent(p) => {
                    sheet.write_number_with_format(row, c, p / 100.0, &percent)?;
                }
                ExportCell::At(t) => {
                    let secs = t.0.div_euclid(1000) + i64::from(utc_offset_minutes) * 60;
                    let at = ExcelDateTime::from_timestamp(secs)?;
                    sheet.write_datetime_with_format(row, c, &at, &date)?;
                }
                ExportCell::Empty => {}
            }
        }
    }
    book.save_to_buffer()
}

fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

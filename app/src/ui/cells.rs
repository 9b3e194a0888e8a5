//! How a compliance cell looks: its words carry the meaning, the class only colours it.

use crate::domain::compliance::{Cell, CellKind};

pub fn cell_class(c: Cell) -> &'static str {
    match c.kind() {
        None => "cell",
        Some(CellKind::Passed) => "cell cell-passed",
        Some(CellKind::Failed) => "cell cell-failed",
        Some(CellKind::Overdue) => "cell cell-overdue",
        Some(CellKind::InProgress) => "cell cell-progress",
        Some(CellKind::NotStarted) => "cell cell-new",
    }
}

//! Pagination shared by lists and their components.

use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;
/// Pages beyond this are empty anyway; the cap keeps offsets far from overflowing.
pub const MAX_PAGE: i64 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// 1-based.
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// A requested page, clamped to sane bounds: `(limit, offset, page, per_page)`.
pub fn window(page: i64, per_page: i64) -> (i64, i64, i64, i64) {
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    let page = page.clamp(1, MAX_PAGE);
    (per_page, (page - 1) * per_page, page, per_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_clamped() {
        assert_eq!(window(0, 0), (1, 0, 1, 1));
        assert_eq!(window(3, 20), (20, 40, 3, 20));
        assert_eq!(window(1, 10_000).0, MAX_PER_PAGE);
        let (_, offset, page, _) = window(i64::MAX, i64::MAX);
        assert_eq!(page, MAX_PAGE);
        assert_eq!(offset, (MAX_PAGE - 1) * MAX_PER_PAGE);
        let p = Page::<u8> {
            items: vec![],
            total: 41,
            page: 1,
            per_page: 20,
        };
        assert_eq!(p.pages(), 3);
    }
}

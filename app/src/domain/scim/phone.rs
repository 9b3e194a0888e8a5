//! Phone numbers are matched by their digits: what an identity provider writes
//! (`+7 (999) 123-45-67`) and what Telegram shares (`79991234567`, sometimes with `+`) are the
//! same number. Telegram shares numbers with their country code; an HR system may keep a
//! Russian number in its national form (`8 999 ...`), so a shared `7…` also matches a stored
//! `8…` of the same length ([`national_form`]); nothing is rewritten, so other countries'
//! numbers (`84…` Vietnam, `81…` Japan) match only as they are.

/// The digits of a number, or `None` when there are too few to be one (E.164: 8 to 15).
pub fn digits(raw: &str) -> Option<String> {
    let d: String = raw.chars().filter(char::is_ascii_digit).collect();
    let d = match d.strip_prefix("00") {
        Some(rest) => rest.to_owned(),
        None => d,
    };
    (8..=15).contains(&d.len()).then_some(d)
}

/// The Russian national form (`8…`) of shared international digits (`7…`, 11 digits).
pub fn national_form(digits: &str) -> Option<String> {
    (digits.len() == 11)
        .then(|| digits.strip_prefix('7'))
        .flatten()
        .map(|rest| format!("8{rest}"))
}

#[cfg(test)]
mod tests {
    use super::{digits, national_form};

    #[test]
    fn the_same_number_written_differently_matches() {
        let want = Some("79991234567".to_owned());
        for raw in ["+7 (999) 123-45-67", "79991234567", "0079991234567"] {
            assert_eq!(digits(raw), want, "{raw}");
        }
        assert_eq!(digits("8 999 123 45 67").as_deref(), Some("89991234567"));
        assert_eq!(national_form("79991234567").as_deref(), Some("89991234567"));
        assert_eq!(
            digits("+84 912 345 678").as_deref(),
            Some("84912345678"),
            "not rewritten"
        );
        assert_eq!(national_form("84912345678"), None);
        assert_eq!(digits("12-34"), None, "too short to be a number");
        assert_eq!(digits(""), None);
    }
}

//! Phone numbers are matched by their digits: what an identity provider writes
//! (`+7 (999) 123-45-67`) and what Telegram shares (`79991234567`, sometimes with `+`) are the
//! same number. A Russian trunk prefix (`8 999 ...`, 11 digits) counts as `7`.

/// The digits of a number, or `None` when there are too few to be one (E.164: 8 to 15).
pub fn digits(raw: &str) -> Option<String> {
    let d: String = raw.chars().filter(char::is_ascii_digit).collect();
    let d = match d.strip_prefix("00") {
        Some(rest) => rest.to_owned(),
        None => d,
    };
    let d = if d.len() == 11 && d.starts_with('8') && !raw.trim_start().starts_with('+') {
        format!("7{}", &d[1..])
    } else {
        d
    };
    (8..=15).contains(&d.len()).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::digits;

    #[test]
    fn the_same_number_written_differently_matches() {
        let want = Some("79991234567".to_owned());
        for raw in [
            "+7 (999) 123-45-67",
            "79991234567",
            "8 999 123 45 67",
            "0079991234567",
        ] {
            assert_eq!(digits(raw), want, "{raw}");
        }
        assert_eq!(digits("+1 555 0100 123"), Some("15550100123".into()));
        assert_eq!(digits("12-34"), None, "too short to be a number");
        assert_eq!(digits(""), None);
    }
}

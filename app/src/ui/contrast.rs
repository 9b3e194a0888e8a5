//! Colour contrast (WCAG 2): Telegram's themes bring their own colours, and some pair a light
//! hint colour with a white background (#999 on white is 2.8:1). Secondary text must stay
//! readable (4.5:1), so the Mini App derives a darker (or, on dark themes, lighter) hint colour
//! when the theme's is too faint.

/// The minimum ratio for normal text.
pub const MIN_RATIO: f64 = 4.5;

pub fn parse_hex(s: &str) -> Option<(u8, u8, u8)> {
    let h = s.trim().strip_prefix('#')?;
    let h = match h.len() {
        3 => h.chars().flat_map(|c| [c, c]).collect::<String>(),
        6 => h.to_owned(),
        _ => return None,
    };
    let v = u32::from_str_radix(&h, 16).ok()?;
    Some(((v >> 16) as u8, (v >> 8) as u8, v as u8))
}

fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let ch = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)
}

pub fn ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

fn mix(a: (u8, u8, u8), b: (u8, u8, u8), t: f64) -> (u8, u8, u8) {
    let m = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t).round() as u8;
    (m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// A hint colour readable on `bg`: the theme's own when it is, otherwise the theme's moved
/// towards black (light backgrounds) or white (dark ones) just far enough.
pub fn readable_hint(hint: &str, bg: &str) -> Option<String> {
    let (h, b) = (parse_hex(hint)?, parse_hex(bg)?);
    if ratio(h, b) >= MIN_RATIO {
        return Some(format!("#{:02x}{:02x}{:02x}", h.0, h.1, h.2));
    }
    let target = if luminance(b) > 0.5 {
        (0, 0, 0)
    } else {
        (255, 255, 255)
    };
    let c = (1..=20)
        .map(|i| mix(h, target, f64::from(i) / 20.0))
        .find(|c| ratio(*c, b) >= MIN_RATIO)
        .unwrap_or(target);
    Some(format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_faint_hint_becomes_readable_and_a_good_one_stays() {
        let white = "#ffffff";
        assert!(ratio(parse_hex("#999999").unwrap(), (255, 255, 255)) < MIN_RATIO);
        let fixed = readable_hint("#999999", white).unwrap();
        assert!(
            ratio(parse_hex(&fixed).unwrap(), (255, 255, 255)) >= MIN_RATIO,
            "{fixed}"
        );
        assert_eq!(readable_hint("#5f6673", white).as_deref(), Some("#5f6673"));
        let dark = readable_hint("#444444", "#17212b").unwrap();
        assert!(ratio(parse_hex(&dark).unwrap(), parse_hex("#17212b").unwrap()) >= MIN_RATIO);
        assert_eq!(readable_hint("nope", white), None);
        assert_eq!(parse_hex("#abc"), Some((0xaa, 0xbb, 0xcc)));
    }
}

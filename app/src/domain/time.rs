//! Instants are milliseconds since the Unix epoch (UTC) everywhere: in the database, on the
//! wire and in rules. One integer type keeps SQL portable between SQLite and PostgreSQL and
//! lets every rule take "now" from an injectable clock.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch (UTC), in the API as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(sqlx::Type, utoipa::ToSchema),
    sqlx(transparent)
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    pub const fn plus_secs(self, secs: i64) -> Self {
        Self(self.0 + secs * 1000)
    }

    pub const fn minus_secs(self, secs: i64) -> Self {
        Self(self.0 - secs * 1000)
    }

    /// Calendar date and time in the given UTC offset, as `DD.MM.YYYY HH:MM`.
    /// The server and the browser format the same way, so hydration never disagrees.
    pub fn format_datetime(self, utc_offset_minutes: i32) -> String {
        let (y, mo, d, h, mi) = self.civil(utc_offset_minutes);
        format!("{d:02}.{mo:02}.{y:04} {h:02}:{mi:02}")
    }

    /// Calendar date in the given UTC offset, as `DD.MM.YYYY`.
    pub fn format_date(self, utc_offset_minutes: i32) -> String {
        let (y, mo, d, _, _) = self.civil(utc_offset_minutes);
        format!("{d:02}.{mo:02}.{y:04}")
    }

    /// RFC 3339 in UTC with seconds (`2026-12-01T10:02:03Z`): exports and APIs.
    pub fn to_rfc3339(self) -> String {
        let (y, mo, d, h, mi) = self.civil(0);
        let s = self.0.div_euclid(1000).rem_euclid(60);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// Parses RFC 3339 (`2026-12-01T10:00:00Z`, `2026-12-01T13:00:00.250+03:00`): seconds and
    /// a zone are required, a fraction is kept to the millisecond.
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        if s.len() < 20 || !s.is_char_boundary(10) || !s.is_char_boundary(19) {
            return None;
        }
        let (date_time, rest) = s.split_at(19);
        let bytes = date_time.as_bytes();
        if !matches!(bytes[10], b'T' | b't' | b' ')
            || bytes[4] != b'-'
            || bytes[7] != b'-'
            || bytes[13] != b':'
            || bytes[16] != b':'
            || !date_time
                .bytes()
                .enumerate()
                .all(|(i, b)| matches!(i, 4 | 7 | 10 | 13 | 16) || b.is_ascii_digit())
        {
            return None;
        }
        let (fraction, zone) = match rest.strip_prefix('.') {
            Some(f) => {
                let digits = f.bytes().take_while(u8::is_ascii_digit).count();
                if digits == 0 {
                    return None;
                }
                (&f[..digits], &f[digits..])
            }
            None => ("", rest),
        };
        let offset_min: i32 = match zone {
            "Z" | "z" => 0,
            z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && &z[3..4] == ":" => {
                let h: i32 = z[1..3].parse().ok()?;
                let m: i32 = z[4..6].parse().ok()?;
                if h > 23 || m > 59 {
                    return None;
                }
                let total = h * 60 + m;
                if z.starts_with('-') { -total } else { total }
            }
            _ => return None,
        };
        let sec: i64 = date_time[17..19].parse().ok()?;
        if sec > 60 {
            return None;
        }
        let base = Timestamp::from_local_input(&date_time.replace([' ', 't'], "T"), offset_min)?;
        let ms = fraction
            .chars()
            .chain(std::iter::repeat('0'))
            .take(3)
            .collect::<String>()
            .parse::<i64>()
            .ok()?;
        Some(Timestamp(base.0 + ms))
    }

    /// The value of an `<input type="datetime-local">`: `YYYY-MM-DDTHH:MM` in the offset.
    pub fn to_local_input(self, utc_offset_minutes: i32) -> String {
        let (y, mo, d, h, mi) = self.civil(utc_offset_minutes);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}")
    }

    /// Parses a `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`) given in the offset.
    pub fn from_local_input(s: &str, utc_offset_minutes: i32) -> Option<Timestamp> {
        let (date, time) = s.trim().split_once('T')?;
        let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
        let (y, m, day) = (d.next()??, d.next()??, d.next()??);
        let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
        let (h, mi) = (t.next()??, t.next()??);
        let sec = t.next().flatten().unwrap_or(0);
        if !(1..=12).contains(&m)
            || !(1..=31).contains(&day)
            || !(0..24).contains(&h)
            || !(0..60).contains(&mi)
        {
            return None;
        }
        // Howard Hinnant's days-from-civil.
        let y2 = if m <= 2 { y - 1 } else { y };
        let era = y2.div_euclid(400);
        let yoe = y2.rem_euclid(400);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        let secs = days * 86_400 + h * 3600 + mi * 60 + sec - i64::from(utc_offset_minutes) * 60;
        Some(Timestamp(secs * 1000))
    }

    fn civil(self, utc_offset_minutes: i32) -> (i64, u32, u32, u32, u32) {
        let secs = self.0.div_euclid(1000) + i64::from(utc_offset_minutes) * 60;
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        // Howard Hinnant's days-from-civil inverse.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d, (sod / 3600) as u32, ((sod % 3600) / 60) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_epoch_and_a_known_instant() {
        assert_eq!(Timestamp(0).format_datetime(0), "01.01.1970 00:00");
        assert_eq!(
            Timestamp(1_709_242_205_999).to_rfc3339(),
            "2024-02-29T21:30:05Z"
        );
        // 2024-02-29T21:30:00Z is 2024-03-01 00:30 in Moscow (UTC+3).
        assert_eq!(
            Timestamp(1_709_242_200_000).format_datetime(180),
            "01.03.2024 00:30"
        );
        assert_eq!(Timestamp(1_709_242_200_000).format_date(0), "29.02.2024");
    }

    #[test]
    fn rfc3339_parses_zones_and_fractions_and_refuses_the_rest() {
        let t = Timestamp(1_709_242_205_000);
        assert_eq!(Timestamp::parse_rfc3339("2024-02-29T21:30:05Z"), Some(t));
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()), Some(t));
        assert_eq!(
            Timestamp::parse_rfc3339("2024-03-01T00:30:05+03:00"),
            Some(t)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2024-02-29T20:30:05-01:00"),
            Some(t)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2024-02-29t21:30:05.25z"),
            Some(Timestamp(t.0 + 250))
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2024-02-29T21:30:05.123456Z"),
            Some(Timestamp(t.0 + 123))
        );
        for bad in [
            "",
            "2024-02-29",
            "2024-02-29T21:30Z",
            "2024-02-29T21:30:05",
            "2024-02-29T21:30:05+3",
            "2024-13-01T00:00:00Z",
            "2024-02-29T25:00:00Z",
            "2024-02-29T21:30:05.Z",
            "yesterday",
            "2024-02-29T21:30:05Zjunk",
            "１９７０-01-01T00:00:00Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn datetime_inputs_round_trip_in_the_display_offset() {
        let t = Timestamp(1_709_242_200_000);
        assert_eq!(t.to_local_input(180), "2024-03-01T00:30");
        assert_eq!(
            Timestamp::from_local_input("2024-03-01T00:30", 180),
            Some(t)
        );
        assert_eq!(
            Timestamp::from_local_input("2024-02-29T21:30:00", 0),
            Some(t)
        );
        assert_eq!(Timestamp::from_local_input("2024-13-01T00:00", 0), None);
        assert_eq!(Timestamp::from_local_input("garbage", 0), None);
    }

    #[test]
    fn negative_instants_format_before_the_epoch() {
        assert_eq!(Timestamp(-1000).format_datetime(0), "31.12.1969 23:59");
    }
}

//! Dates of the Gregorian calendar as days since 1970-01-01, both ways (Howard Hinnant's
//! algorithms, for any year), and RFC 3339 text of a moment.

/// Days since 1970-01-01 of a date (`m` 1 to 12, `d` 1 to 31).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day counted from 1970-01-01: `(year, month, day)`.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Milliseconds since the epoch as RFC 3339 UTC with seconds, e.g. `2026-11-28T03:15:00Z`;
/// `None` outside the years 0000 to 9999, which RFC 3339 cannot write.
pub fn rfc3339(ms: i64) -> Option<String> {
    let secs = ms.div_euclid(1000);
    let (days, in_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    (0..=9999).contains(&y).then(|| {
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            in_day / 3600,
            in_day / 60 % 60,
            in_day % 60
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_835_700_000).unwrap(), "2026-11-28T03:15:00Z");
        assert_eq!(rfc3339(951_782_400_000).unwrap(), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(951_868_799_999).unwrap(), "2000-02-29T23:59:59Z");
        assert_eq!(rfc3339(-1).unwrap(), "1969-12-31T23:59:59Z");
        assert_eq!(
            rfc3339(-62_167_219_200_000).unwrap(),
            "0000-01-01T00:00:00Z"
        );
        assert_eq!(
            rfc3339(253_402_300_799_999).unwrap(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(rfc3339(253_402_300_800_000), None);
        assert_eq!(rfc3339(-62_167_219_200_001), None);
        assert_eq!(rfc3339(i64::MAX), None);
        assert_eq!(rfc3339(i64::MIN), None);
    }

    #[test]
    fn every_day_of_four_centuries_follows_the_one_before() {
        // 1970-01-01 is day 0, 2026-11-29 is day 20786; in between, dates only move forward by
        // one day at a time.
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
        let mut prev = civil_from_days(-719_468);
        assert_eq!(prev, (0, 3, 1));
        for z in -719_467..146_097 {
            let next = civil_from_days(z);
            let (y, m, d) = prev;
            let expected_next_day = next == (y, m, d + 1);
            let month_ended = next == (y, m + 1, 1) && d >= 28;
            let year_ended = next == (y + 1, 1, 1) && (m, d) == (12, 31);
            assert!(
                expected_next_day || month_ended || year_ended,
                "{prev:?} -> {next:?}"
            );
            prev = next;
        }
    }

    #[test]
    fn dates_match_known_epochs() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 29), 20_786);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(0, 3, 1), -719_468);
    }

    #[test]
    fn both_directions_agree_on_every_day_from_year_0_to_9999() {
        let first = days_from_civil(0, 1, 1);
        let last = days_from_civil(9999, 12, 31);
        for z in first..=last {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z, "{y:04}-{m:02}-{d:02}");
        }
        assert_eq!(civil_from_days(first), (0, 1, 1));
        assert_eq!(civil_from_days(last), (9999, 12, 31));
    }
}

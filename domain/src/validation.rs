//! Rule violations and field errors, collected so that a caller learns every problem at once.

use crate::codes::Code;
use std::borrow::Cow;

use chrono::NaiveDate;

/// A broken rule: a stable code (`credit_code.check_character`) and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleViolation {
    pub code: Code,
    pub message: Cow<'static, str>,
}

impl RuleViolation {
    pub fn new(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RuleViolation {}

/// A rule violation located at a field, named by a JSON pointer (`/credit_code`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub pointer: String,
    pub violation: RuleViolation,
}

/// Collects field errors while a request is turned into domain values.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of `result` at `field` and returns its value, if any.
    pub fn check<T>(&mut self, field: &str, result: Result<T, RuleViolation>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(violation) => {
                self.push(field, violation);
                None
            }
        }
    }

    /// Like [`Errors::check`] for an optional input.
    pub fn check_opt<T, F>(&mut self, field: &str, value: Option<&str>, parse: F) -> Option<T>
    where
        F: FnOnce(&str) -> Result<T, RuleViolation>,
    {
        value.and_then(|v| self.check(field, parse(v)))
    }

    pub fn push(&mut self, field: &str, violation: RuleViolation) {
        let pointer = if field.starts_with('/') {
            field.to_owned()
        } else {
            format!("/{field}")
        };
        self.0.push(FieldError { pointer, violation });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was recorded, the collected errors otherwise.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// Trimmed, non-empty text of at most `max` characters.
pub fn text(value: &str, max: usize) -> Result<String, RuleViolation> {
    let t = value.trim();
    if t.is_empty() {
        return Err(RuleViolation::new(Code::TextEmpty, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(RuleViolation::new(
            Code::TextTooLong,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

/// A period of days from `from` to `to`, both included: `to` not before `from`, and at most
/// `max_days` days after it.
pub fn period(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    max_days: i64,
) -> Result<(), RuleViolation> {
    if to < from || (to - from).num_days() > max_days {
        return Err(RuleViolation::new(
            Code::DateOrder,
            if max_days > 366 {
                "`to` is on or after `from`, at most 3 years later".to_owned()
            } else {
                format!("`to` is on or after `from`, at most {max_days} days later")
            },
        ));
    }
    Ok(())
}

/// The longest period a list or statistic covers: three years.
pub const MAX_PERIOD_DAYS: i64 = 3 * 366;

/// A mainland mobile number: 11 digits, `1[3-9]…`.
pub fn mobile(value: &str) -> Result<String, RuleViolation> {
    let b = value.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(value.to_owned())
    } else {
        Err(RuleViolation::new(
            Code::PhoneMobileFormat,
            "a mobile number has 11 digits and starts with 13–19",
        ))
    }
}

/// A contact phone: a mobile number or a landline such as `0531-12345678` or `12345`.
pub fn phone(value: &str) -> Result<String, RuleViolation> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    if (3..=20).contains(&digits)
        && v.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')'))
    {
        Ok(v.to_owned())
    } else {
        Err(RuleViolation::new(
            Code::PhoneFormat,
            "a phone number has 3 to 20 digits and may contain - + ( ) and spaces",
        ))
    }
}

/// A plausible e-mail address: one `@`, a local part and a dotted domain.
pub fn email(value: &str) -> Result<String, RuleViolation> {
    let v = value.trim();
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.contains(char::is_whitespace)
        });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(RuleViolation::new(
            Code::EmailFormat,
            "not an e-mail address",
        ))
    }
}

/// The day something already happened, as a caller states it (a receipt, a delivery, a
/// filing, a decision): never after `today`, and never before `after.0`, the day of the
/// event it follows (named by `after.1`, e.g. "the decision"). Every backdatable date of the
/// API goes through this one check.
pub fn event_date(
    on: NaiveDate,
    after: Option<(NaiveDate, &str)>,
    today: NaiveDate,
) -> Result<NaiveDate, RuleViolation> {
    if on > today {
        return Err(RuleViolation::new(
            Code::DateFuture,
            format!("{on} is after today ({today}): a date of something done cannot lie ahead"),
        ));
    }
    match after {
        Some((first, what)) if on < first => Err(RuleViolation::new(
            Code::DateOrder,
            format!("{on} is before {what} ({first})"),
        )),
        _ => Ok(on),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_dates_lie_between_what_they_follow_and_today() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        let today = d("2025-10-16");
        let decided = Some((d("2025-09-25"), "the decision"));
        assert_eq!(
            event_date(d("2025-10-16"), decided, today),
            Ok(d("2025-10-16"))
        );
        assert_eq!(
            event_date(d("2025-09-25"), decided, today),
            Ok(d("2025-09-25"))
        );
        assert_eq!(
            event_date(d("2025-09-24"), decided, today).map_err(|e| e.code),
            Err(Code::DateOrder)
        );
        assert_eq!(
            event_date(d("2025-10-17"), decided, today).map_err(|e| e.code),
            Err(Code::DateFuture)
        );
        assert_eq!(
            event_date(d("2025-10-17"), None, today).map_err(|e| e.code),
            Err(Code::DateFuture)
        );
    }

    #[test]
    fn mobiles() {
        assert!(mobile("13812345678").is_ok());
        assert!(mobile("12812345678").is_err());
        assert!(mobile("1381234567").is_err());
        assert!(mobile("1381234567a").is_err());
    }

    #[test]
    fn phones_and_emails() {
        assert!(phone("0531-86081234").is_ok());
        assert!(phone("12345").is_ok());
        assert!(phone("call me").is_err());
        assert!(email("office@jinan.gov.cn").is_ok());
        assert!(email("office@gov").is_err());
        assert!(email("a b@gov.cn").is_err());
    }

    #[test]
    fn errors_collect_every_field() {
        let mut e = Errors::new();
        assert_eq!(e.check("name", text("  ", 10)), None);
        assert_eq!(e.check("phone", phone("12345")), Some("12345".to_owned()));
        e.push(
            "/nested/0/code",
            RuleViolation::new(Code::ValueInvalid, "y"),
        );
        let errs = e.finish().err().unwrap_or_default();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].pointer, "/name");
        assert_eq!(errs[0].violation.code, Code::TextEmpty);
        assert_eq!(errs[1].pointer, "/nested/0/code");
    }
}

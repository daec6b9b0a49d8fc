//! Personal data in text that is to be published (去标识化): resident ID numbers, mobile
//! numbers, bank card numbers and e-mail addresses, found and masked.
//!
//! Numbers are taken as whole runs of digits, so a longer number never yields a shorter
//! finding inside it; ID numbers count only with a valid ISO 7064 MOD 11-2 check character
//! and a real birth date, card numbers only when Luhn-valid. Office phone numbers
//! (`0531-86081234`), dates, amounts and document numbers are not personal data.

use chrono::NaiveDate;

use crate::labeled_enum;

labeled_enum! {
    /// Kind of personal data.
    pub enum PiiKind {
        IdNumber = ("id_number", "居民身份证号码"),
        Mobile = ("mobile", "手机号码"),
        BankCard = ("bank_card", "银行卡号"),
        Email = ("email", "电子邮箱"),
    }
}

labeled_enum! {
    /// Why content with personal data may be published unmasked.
    pub enum PiiExceptionGround {
        PunitiveNotice = ("punitive_notice", "惩戒性公示"),
        MandatoryDisclosure = ("mandatory_disclosure", "法定强制公开"),
    }
}

/// One piece of personal data: where it is (character offsets) and its masked form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: PiiKind,
    /// Offset of the first character, counted in Unicode characters.
    pub offset: usize,
    /// Length in characters.
    pub length: usize,
    pub masked: String,
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Whether an 18-character string is a resident ID number: region, birth date and the
/// ISO 7064 MOD 11-2 check character.
pub fn is_id_number(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || b[0] == b'0' {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    if ID_CHECK[(sum % 11) as usize] != b[17].to_ascii_uppercase() {
        return false;
    }
    let year: i32 = s[6..10].parse().unwrap_or(0);
    let month: u32 = s[10..12].parse().unwrap_or(0);
    let day: u32 = s[12..14].parse().unwrap_or(0);
    (1900..=2100).contains(&year) && NaiveDate::from_ymd_opt(year, month, day).is_some()
}

/// The Luhn check of a card number.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn stars(n: usize) -> String {
    "*".repeat(n)
}

fn classify_digits(run: &str) -> Option<(PiiKind, String)> {
    let n = run.len();
    if n == 18 && is_id_number(run) {
        return Some((
            PiiKind::IdNumber,
            format!("{}{}{}", &run[..6], stars(8), &run[14..]),
        ));
    }
    if n == 11 && run.starts_with('1') && (b'3'..=b'9').contains(&run.as_bytes()[1]) {
        return Some((
            PiiKind::Mobile,
            format!("{}{}{}", &run[..3], stars(4), &run[7..]),
        ));
    }
    let all_same = run.bytes().all(|b| b == run.as_bytes()[0]);
    if (16..=19).contains(&n) && !all_same && luhn(run) {
        return Some((
            PiiKind::BankCard,
            format!("{}{}{}", &run[..6], stars(n - 10), &run[n - 4..]),
        ));
    }
    None
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// Every finding in `text`, in order.
pub fn scan(text: &str) -> Vec<Finding> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            // An ID number may end in X.
            let mut end = i;
            if end - start == 17 && end < chars.len() && matches!(chars[end], 'X' | 'x') {
                end += 1;
            }
            // Digits glued to letters or to an e-mail's local part are not numbers on their own.
            let glued = (start > 0 && chars[start - 1].is_ascii_alphabetic())
                || (end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '@'));
            let run: String = chars[start..end].iter().collect();
            if let Some((kind, masked)) = classify_digits(&run).filter(|_| !glued) {
                out.push(Finding {
                    kind,
                    offset: start,
                    length: end - start,
                    masked,
                });
            }
            i = end.max(i);
            continue;
        }
        if c == '@' {
            let mut s = i;
            while s > 0 && is_local_char(chars[s - 1]) {
                s -= 1;
            }
            let mut e = i + 1;
            while e < chars.len() && is_domain_char(chars[e]) {
                e += 1;
            }
            // Trailing dots belong to the sentence, not the domain.
            while e > i + 1 && chars[e - 1] == '.' {
                e -= 1;
            }
            let local: String = chars[s..i].iter().collect();
            let domain: String = chars[i + 1..e].iter().collect();
            let tld_ok = domain
                .rsplit('.')
                .next()
                .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
            if !local.is_empty() && domain.contains('.') && tld_ok && !domain.starts_with('.') {
                // Digits of the local part were skipped above only when glued to the '@'.
                out.retain(|f: &Finding| f.offset + f.length <= s);
                let first = local.chars().next().unwrap_or('*');
                out.push(Finding {
                    kind: PiiKind::Email,
                    offset: s,
                    length: e - s,
                    masked: format!("{first}***@{domain}"),
                });
                i = e;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// `text` with every finding replaced by its masked form.
pub fn mask(text: &str, findings: &[Finding]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for f in findings {
        if f.offset < pos || f.offset + f.length > chars.len() {
            continue;
        }
        out.extend(&chars[pos..f.offset]);
        out.push_str(&f.masked);
        pos = f.offset + f.length;
    }
    out.extend(&chars[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<PiiKind> {
        scan(text).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn id_numbers_need_a_valid_check_character_and_birth_date() {
        // 11010519491231002X is the standard's own example.
        assert!(is_id_number("11010519491231002X"));
        assert!(is_id_number("11010519491231002x"));
        assert!(!is_id_number("110105194912310021"));
        assert!(!is_id_number("110105194913310027"), "month 13");
        let found = scan("申请人张某，身份证号11010519491231002X，现住历下区。");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, PiiKind::IdNumber);
        assert_eq!(found[0].offset, 10);
        assert_eq!(found[0].length, 18);
        assert_eq!(found[0].masked, "110105********002X");
        assert!(kinds("编号110105194912310021").is_empty());
    }

    #[test]
    fn mobiles_but_not_office_phones() {
        let f = scan("联系电话：13812345678。");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].masked, "138****5678");
        assert_eq!(kinds("+86 13812345678"), vec![PiiKind::Mobile]);
        assert!(kinds("咨询电话：0531-86081234，传真 0531-86081235").is_empty());
        assert!(kinds("12345热线").is_empty());
        assert!(
            kinds("流水号 213812345678").is_empty(),
            "12 digits are no mobile"
        );
    }

    #[test]
    fn bank_cards_must_pass_luhn() {
        let f = scan("收款账号 6222021234567890128 。");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, PiiKind::BankCard);
        assert_eq!(f[0].masked, "622202*********0128");
        assert!(kinds("账号 6222021234567890129").is_empty(), "Luhn-invalid");
        assert!(kinds("0000000000000000").is_empty());
    }

    #[test]
    fn emails() {
        let f = scan("来信请寄 zhang.san@example.com.");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, PiiKind::Email);
        assert_eq!(f[0].masked, "z***@example.com");
        assert!(kinds("@人民网 转发").is_empty());
        assert!(kinds("a@b").is_empty());
    }

    #[test]
    fn ordinary_numbers_are_not_personal_data() {
        let text = "根据柳政办发〔2018〕12号文件，2025年10月30日前拨付资金1234567.89元，\
                    项目编号20250926001，统一社会信用代码91350100M000100Y43，\
                    索引号11370100MB1234567X/2024-00012。";
        assert_eq!(scan(text), vec![]);
    }

    #[test]
    fn masking_replaces_every_finding() {
        let text = "张三 13812345678，李四 11010519491231002X，邮箱 li.si@example.cn";
        let masked = mask(text, &scan(text));
        assert_eq!(
            masked,
            "张三 138****5678，李四 110105********002X，邮箱 l***@example.cn"
        );
        assert!(scan(&masked).is_empty());
    }
}

//! The standard catalogue, category codes and index numbers (索引号).

use super::DocumentKind;
use crate::codes::Code;
use crate::org::{OrgKind, OrgLevel};
use crate::validation::RuleViolation;

/// A catalogue category's code: 1 to 12 ASCII letters, digits, `-` or `_`.
pub fn category_code(code: &str) -> Result<String, RuleViolation> {
    let ok = (1..=12).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(code.to_owned())
    } else {
        Err(RuleViolation::new(
            Code::CategoryCodeFormat,
            "1 to 12 letters, digits, - or _",
        ))
    }
}

/// The standard catalogue categories of a new organisation: code and name.
/// Every organisation gets the OGI Art.20 categories; governments of a city, county or
/// township also the Art.21 local ones; village governments the village topics.
pub fn standard_catalogue(kind: OrgKind, level: OrgLevel) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![
        ("01", "法规规章和规范性文件"),
        ("02", "机构职能"),
        ("03", "规划计划"),
        ("04", "统计信息"),
        ("05", "行政许可"),
        ("06", "行政处罚和行政强制"),
        ("07", "财政预决算"),
        ("08", "行政事业性收费"),
        ("09", "政府集中采购"),
        ("10", "重大建设项目"),
        ("11", "扶贫、教育、医疗、社会保障、促进就业"),
        ("12", "突发公共事件应急预案"),
        (
            "13",
            "环境保护、公共卫生、安全生产、食品药品、产品质量监督检查",
        ),
        ("14", "公务员招考录用"),
    ];
    if kind == OrgKind::RegionGovernment {
        if level == OrgLevel::Village {
            out.extend([("24", "村务公开"), ("25", "“三资”管理"), ("21", "惠农资金")]);
        } else {
            out.extend([
                ("16", "城乡建设"),
                ("17", "土地征收"),
                ("18", "房屋征收"),
                ("19", "社会救助"),
                ("20", "人事任免"),
                ("21", "惠农资金"),
                ("22", "保障性住房"),
                ("23", "医疗服务收费"),
            ]);
        }
    }
    if kind == OrgKind::PublicInstitution {
        out.push(("26", "办事公开"));
    }
    out.push(("99", "其他"));
    out
}

/// The standard sub-categories of category 01 (法规规章和规范性文件) that tell the kinds of
/// document apart: code and name, with their kind.
pub const STANDARD_DOCUMENT_CATEGORIES: [(&str, &str, DocumentKind); 2] = [
    ("0101", "规章", DocumentKind::Regulation),
    ("0102", "行政规范性文件", DocumentKind::NormativeDocument),
];

/// The default index-number format: `11370100MB1234567X/2024-00012`.
pub const DEFAULT_INDEX_FORMAT: &str = "{org_code}/{year}-{serial:05}";

/// An index number format (索引号) with the placeholders `{org_code}`, `{category}`,
/// `{year}` and `{serial}` (or `{serial:0N}`, zero-padded to N digits). It must contain
/// `{year}` and a serial, so that numbers are unique per organisation and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFormat(String);

impl IndexFormat {
    pub fn parse(format: &str) -> Result<Self, RuleViolation> {
        let mut rest = format;
        let mut has_year = false;
        let mut has_serial = false;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else {
                return Err(bad_format("an opening brace is not closed"));
            };
            let name = &rest[open + 1..open + close];
            match name {
                "org_code" | "category" => {}
                "year" => has_year = true,
                "serial" => has_serial = true,
                n if n.starts_with("serial:0")
                    && n["serial:0".len()..]
                        .parse::<u8>()
                        .is_ok_and(|w| (1..=9).contains(&w)) =>
                {
                    has_serial = true
                }
                _ => return Err(bad_format("unknown placeholder")),
            }
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(bad_format("a closing brace has no opening one"));
        }
        if !has_year || !has_serial {
            return Err(bad_format("the format needs {year} and {serial}"));
        }
        if format.chars().count() > 100 {
            return Err(bad_format("the format is too long"));
        }
        Ok(Self(format.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn render(&self, org_code: &str, category: &str, year: i32, serial: u32) -> String {
        let mut out = String::new();
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            let name = &rest[open + 1..close.min(rest.len())];
            match name {
                "org_code" => out.push_str(org_code),
                "category" => out.push_str(category),
                "year" => out.push_str(&year.to_string()),
                "serial" => out.push_str(&serial.to_string()),
                n => {
                    let width = n
                        .strip_prefix("serial:0")
                        .and_then(|w| w.parse::<usize>().ok())
                        .unwrap_or(1);
                    out.push_str(&format!("{serial:0width$}"));
                }
            }
            rest = rest.get(close + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }
}

impl Default for IndexFormat {
    fn default() -> Self {
        Self(DEFAULT_INDEX_FORMAT.to_owned())
    }
}

fn bad_format(why: &'static str) -> RuleViolation {
    RuleViolation::new(Code::IndexFormatInvalid, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_codes() {
        for good in ["05", "05-01", "a_b", "ABCDEFGHIJKL"] {
            assert_eq!(category_code(good).as_deref(), Ok(good));
        }
        for bad in ["", "ABCDEFGHIJKLM", "05 01", "０５", "05/01"] {
            assert!(category_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn catalogues_by_kind_and_level() {
        let city = standard_catalogue(OrgKind::RegionGovernment, OrgLevel::City);
        assert!(
            city.iter()
                .any(|(c, n)| *c == "01" && *n == "法规规章和规范性文件")
        );
        assert!(city.iter().any(|(_, n)| *n == "土地征收"));
        let dept = standard_catalogue(OrgKind::Department, OrgLevel::County);
        assert!(!dept.iter().any(|(_, n)| *n == "土地征收"));
        assert_eq!(dept.last().map(|(c, _)| *c), Some("99"));
        let village = standard_catalogue(OrgKind::RegionGovernment, OrgLevel::Village);
        assert!(village.iter().any(|(_, n)| *n == "村务公开"));
        let mut codes: Vec<_> = city.iter().map(|(c, _)| *c).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), city.len(), "codes are unique");
    }

    #[test]
    fn index_numbers() {
        let f = IndexFormat::default();
        assert_eq!(
            f.render("11370100MB1234567X", "01", 2024, 12),
            "11370100MB1234567X/2024-00012"
        );
        let g = IndexFormat::parse("{org_code}-{category}-{year}-{serial}").unwrap_or_default();
        assert_eq!(g.render("A", "05", 2025, 7), "A-05-2025-7");
        for bad in [
            "{org_code}/{serial}",
            "{year}",
            "{year}-{serial:5}",
            "{year}{serial}{x}",
            "{year}-{serial",
        ] {
            assert!(IndexFormat::parse(bad).is_err(), "{bad}");
        }
    }
}

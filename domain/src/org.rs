//! Organisations (组织机构): the tree of governments, departments, institutions and halls.

use crate::access::Forbidden;
use crate::account::Role;
use crate::codes::Code;
use crate::labeled_enum;
use crate::validation::{Errors, RuleViolation};

labeled_enum! {
    /// What kind of body an organisation is.
    pub enum OrgKind {
        RegionGovernment = ("region_government", "人民政府"),
        Department = ("department", "政府部门"),
        PublicInstitution = ("public_institution", "公共企事业单位"),
        Hall = ("hall", "政务服务大厅"),
    }
}

labeled_enum! {
    /// The administrative level (四级).
    pub enum OrgLevel {
        City = ("city", "市级"),
        County = ("county", "县级"),
        Township = ("township", "乡镇（街道）级"),
        Village = ("village", "村（社区）级"),
    }
}

impl OrgLevel {
    /// 0 for a city, 3 for a village.
    pub fn depth(self) -> u8 {
        match self {
            OrgLevel::City => 0,
            OrgLevel::County => 1,
            OrgLevel::Township => 2,
            OrgLevel::Village => 3,
        }
    }
}

/// Checks that an organisation of `kind` and `level` may sit under `parent` (`None`: a root).
pub fn check_placement(
    kind: OrgKind,
    level: OrgLevel,
    parent: Option<(OrgKind, OrgLevel)>,
) -> Result<(), RuleViolation> {
    let Some((parent_kind, parent_level)) = parent else {
        return if kind == OrgKind::RegionGovernment {
            Ok(())
        } else {
            Err(RuleViolation::new(
                Code::OrgRootMustBeGovernment,
                "only a region government can be the root of an organisation tree",
            ))
        };
    };
    if level.depth() < parent_level.depth() {
        return Err(RuleViolation::new(
            Code::OrgLevelAboveParent,
            "an organisation cannot be of a higher level than its parent",
        ));
    }
    let allowed = match kind {
        OrgKind::RegionGovernment => {
            parent_kind == OrgKind::RegionGovernment && level.depth() == parent_level.depth() + 1
        }
        OrgKind::Department => {
            matches!(parent_kind, OrgKind::RegionGovernment | OrgKind::Department)
                && level == parent_level
        }
        OrgKind::PublicInstitution => {
            matches!(parent_kind, OrgKind::RegionGovernment | OrgKind::Department)
        }
        OrgKind::Hall => matches!(parent_kind, OrgKind::RegionGovernment | OrgKind::Hall),
    };
    if allowed {
        Ok(())
    } else {
        Err(RuleViolation::new(
            Code::OrgInvalidParent,
            match kind {
                OrgKind::RegionGovernment => {
                    "a region government must sit directly under the government one level above"
                }
                OrgKind::Department => {
                    "a department must sit under a government or department of the same level"
                }
                OrgKind::PublicInstitution => {
                    "a public institution must sit under a government or a department"
                }
                OrgKind::Hall => "a hall must sit under a government or under another hall (分厅)",
            },
        ))
    }
}

pub const PROVINCE_PREFIXES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// An administrative division code (行政区划代码): 6 digits (GB/T 2260) or 12 digits
/// (the statistical division code that extends it to townships and villages).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(value: &str) -> Result<Self, RuleViolation> {
        if !(value.len() == 6 || value.len() == 12) || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RuleViolation::new(
                Code::DivisionCodeFormat,
                "an administrative division code has 6 or 12 digits",
            ));
        }
        if !PROVINCE_PREFIXES.contains(&&value[..2]) {
            return Err(RuleViolation::new(
                Code::DivisionCodeProvince,
                "the first two digits must name a province-level division",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const CREDIT_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from the
/// 31-character set without I, O, Z, S and V, the last a MOD 31 check character.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(value: &str) -> Result<Self, RuleViolation> {
        let bytes = value.as_bytes();
        if bytes.len() != 18 {
            return Err(RuleViolation::new(
                Code::CreditCodeLength,
                "a unified social credit code has 18 characters",
            ));
        }
        let mut digits = [0u32; 18];
        for (i, b) in bytes.iter().enumerate() {
            match CREDIT_CHARSET.iter().position(|c| c == b) {
                Some(p) => digits[i] = p as u32,
                None => {
                    return Err(RuleViolation::new(
                        Code::CreditCodeCharset,
                        "only digits and the upper-case letters except I, O, Z, S and V are \
                            allowed",
                    ));
                }
            }
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(RuleViolation::new(
                Code::CreditCodeDivision,
                "characters 3 to 8 must be the digits of an administrative division code",
            ));
        }
        if Self::check_char(&value[..17]) != Some(bytes[17]) {
            return Err(RuleViolation::new(
                Code::CreditCodeCheckCharacter,
                "the check character (the 18th) does not match GB 32100",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The GB 32100 check character for the first 17 characters.
    pub fn check_char(first17: &str) -> Option<u8> {
        if first17.len() != 17 {
            return None;
        }
        let mut sum = 0u32;
        for (i, b) in first17.bytes().enumerate() {
            let v = CREDIT_CHARSET.iter().position(|c| *c == b)? as u32;
            sum += v * CREDIT_WEIGHTS[i];
        }
        let check = (31 - sum % 31) % 31;
        Some(CREDIT_CHARSET[check as usize])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The position of an organisation in the tree: the ids from the root down to it.
/// Staff act only inside the subtree of their own organisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of a root organisation.
    pub fn root(id: crate::ids::OrganizationId) -> Self {
        Self(format!("/{id}/"))
    }

    /// The path of a child of this organisation.
    pub fn child(&self, id: crate::ids::OrganizationId) -> Self {
        Self(format!("{}{id}/", self.0))
    }

    pub fn from_stored(path: String) -> Self {
        Self(path)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` is this organisation or one below it.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The organisation above this one; `None` for a root.
    pub fn parent(&self) -> Option<OrgPath> {
        let inner = self.0.strip_suffix('/')?;
        let cut = inner.rfind('/')?;
        (cut > 0).then(|| Self(self.0[..=cut].to_owned()))
    }

    /// The ids from the root down to this organisation.
    pub fn ids(&self) -> Vec<crate::ids::OrganizationId> {
        self.0
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| uuid::Uuid::parse_str(s).ok())
            .map(crate::ids::OrganizationId)
            .collect()
    }
}

/// The descriptive fields of an organisation, each trimmed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDetails {
    pub name: String,
    pub short_name: Option<String>,
    /// 行政区划代码, normalised.
    pub division_code: Option<String>,
    /// 统一社会信用代码, normalised.
    pub credit_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub office_hours: Option<String>,
}

/// The descriptive fields as a request gives them, not yet checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrgDetailsInput<'a> {
    pub name: &'a str,
    pub short_name: Option<&'a str>,
    pub division_code: Option<&'a str>,
    pub credit_code: Option<&'a str>,
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub office_hours: Option<&'a str>,
}

/// The parsers of the fields, one per field, shared by creation and change.
pub mod field {
    use super::{CreditCode, DivisionCode};
    use crate::validation::{self, RuleViolation};

    pub fn name(v: &str) -> Result<String, RuleViolation> {
        validation::text(v, 200)
    }
    pub fn short_name(v: &str) -> Result<String, RuleViolation> {
        validation::text(v, 50)
    }
    pub fn division_code(v: &str) -> Result<String, RuleViolation> {
        DivisionCode::parse(v).map(|c| c.as_str().to_owned())
    }
    pub fn credit_code(v: &str) -> Result<String, RuleViolation> {
        CreditCode::parse(v).map(|c| c.as_str().to_owned())
    }
    pub fn address(v: &str) -> Result<String, RuleViolation> {
        validation::text(v, 300)
    }
    pub fn phone(v: &str) -> Result<String, RuleViolation> {
        validation::phone(v)
    }
    pub fn office_hours(v: &str) -> Result<String, RuleViolation> {
        validation::text(v, 200)
    }
}

impl OrgDetails {
    /// Parses the fields of an organisation of `kind`, collecting every field error.
    pub fn parse(e: &mut Errors, kind: OrgKind, i: OrgDetailsInput<'_>) -> Option<Self> {
        let name = e.check("name", field::name(i.name));
        let short_name = e.check_opt("short_name", i.short_name, field::short_name);
        let division_code = e.check_opt("division_code", i.division_code, field::division_code);
        if e.is_empty()
            && let Err(v) = require_division_code(kind, division_code.as_deref())
        {
            e.push("division_code", v);
        }
        let credit_code = e.check_opt("credit_code", i.credit_code, field::credit_code);
        let address = e.check_opt("address", i.address, field::address);
        let phone = e.check_opt("phone", i.phone, field::phone);
        let office_hours = e.check_opt("office_hours", i.office_hours, field::office_hours);
        Some(Self {
            name: name?,
            short_name,
            division_code,
            credit_code,
            address,
            phone,
            office_hours,
        })
    }

    /// The fields after a change: absent fields stay, `Some(None)` clears.
    pub fn changed(self, c: OrgDetailsChange) -> Self {
        Self {
            name: c.name.unwrap_or(self.name),
            short_name: c.short_name.unwrap_or(self.short_name),
            division_code: c.division_code.unwrap_or(self.division_code),
            credit_code: c.credit_code.unwrap_or(self.credit_code),
            address: c.address.unwrap_or(self.address),
            phone: c.phone.unwrap_or(self.phone),
            office_hours: c.office_hours.unwrap_or(self.office_hours),
        }
    }
}

/// A change of the descriptive fields, each given one parsed: absent stays, `Some(None)`
/// clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgDetailsChange {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub division_code: Option<Option<String>>,
    pub credit_code: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub office_hours: Option<Option<String>>,
}

/// A region government names its administrative division.
pub fn require_division_code(kind: OrgKind, code: Option<&str>) -> Result<(), RuleViolation> {
    if kind == OrgKind::RegionGovernment && code.is_none() {
        Err(RuleViolation::new(
            Code::DivisionCodeRequired,
            "a region government needs its administrative division code",
        ))
    } else {
        Ok(())
    }
}

/// An organisation administrator neither moves nor deactivates their own organisation
/// (they would lose it from their scope).
pub fn check_own_change(
    actor: Role,
    own: bool,
    moves: bool,
    deactivates: bool,
) -> Result<(), Forbidden> {
    if own && actor != Role::SysAdmin && (moves || deactivates) {
        return Err(Forbidden(RuleViolation::new(
            Code::AuthForbidden,
            "you cannot move or deactivate your own organisation",
        )));
    }
    Ok(())
}

/// Only a system administrator plants the root of a tree.
pub fn check_root_creation(actor: Role) -> Result<(), Forbidden> {
    if actor == Role::SysAdmin {
        Ok(())
    } else {
        Err(Forbidden(RuleViolation::new(
            Code::AuthForbidden,
            "only a system administrator creates the root of a tree",
        )))
    }
}

/// Whether moving the organisation at `path` below `new_parent` would close a cycle.
pub fn check_move(path: &OrgPath, new_parent: &OrgPath) -> Result<(), RuleViolation> {
    if path.contains(new_parent) {
        Err(RuleViolation::new(
            Code::OrgCycle,
            "an organisation cannot move below itself",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrganizationId;

    fn with_check(first17: &str) -> String {
        let c = CreditCode::check_char(first17)
            .map(char::from)
            .unwrap_or('?');
        format!("{first17}{c}")
    }

    #[test]
    fn a_path_knows_its_parent() {
        let (a, b) = (
            OrganizationId(uuid::Uuid::from_u128(1)),
            OrganizationId(uuid::Uuid::from_u128(2)),
        );
        let root = OrgPath::root(a);
        let child = root.child(b);
        assert_eq!(child.parent(), Some(root.clone()));
        assert_eq!(root.parent(), None);
    }

    #[test]
    fn credit_code_accepts_published_codes() {
        // Codes printed on real business licences.
        for code in [
            "91350100M000100Y43",
            "11100000000013127D",
            "91110108551385082Q",
        ] {
            assert!(CreditCode::parse(code).is_ok(), "{code} should be valid");
        }
    }

    #[test]
    fn credit_code_rejects_a_wrong_check_character() {
        let err = CreditCode::parse("91350100M000100Y44").err();
        assert_eq!(err.map(|e| e.code), Some(Code::CreditCodeCheckCharacter));
        let good = with_check("11370100MB1234567");
        assert!(CreditCode::parse(&good).is_ok());
        let last = good.chars().last().unwrap_or('0');
        let other = if last == '0' { '1' } else { '0' };
        let bad = format!("{}{other}", &good[..17]);
        assert_eq!(
            CreditCode::parse(&bad).err().map(|e| e.code),
            Some(Code::CreditCodeCheckCharacter)
        );
    }

    #[test]
    fn credit_code_rejects_bad_shapes() {
        assert_eq!(
            CreditCode::parse("9135010").err().map(|e| e.code),
            Some(Code::CreditCodeLength)
        );
        // I, O, Z, S, V are not in the character set; lower case is not either.
        assert_eq!(
            CreditCode::parse("91350100M000100I43")
                .err()
                .map(|e| e.code),
            Some(Code::CreditCodeCharset)
        );
        assert_eq!(
            CreditCode::parse("91350100m000100Y43")
                .err()
                .map(|e| e.code),
            Some(Code::CreditCodeCharset)
        );
        assert_eq!(
            CreditCode::parse("91A50100M000100Y43")
                .err()
                .map(|e| e.code),
            Some(Code::CreditCodeDivision)
        );
    }

    #[test]
    fn division_codes() {
        assert!(DivisionCode::parse("370100").is_ok());
        assert!(DivisionCode::parse("370102001000").is_ok());
        assert_eq!(
            DivisionCode::parse("37010").err().map(|e| e.code),
            Some(Code::DivisionCodeFormat)
        );
        assert_eq!(
            DivisionCode::parse("3701020010").err().map(|e| e.code),
            Some(Code::DivisionCodeFormat)
        );
        assert_eq!(
            DivisionCode::parse("37010a").err().map(|e| e.code),
            Some(Code::DivisionCodeFormat)
        );
        assert_eq!(
            DivisionCode::parse("990100").err().map(|e| e.code),
            Some(Code::DivisionCodeProvince)
        );
    }

    #[test]
    fn placement_rules() {
        use OrgKind::*;
        use OrgLevel::*;
        assert!(check_placement(RegionGovernment, City, None).is_ok());
        assert!(check_placement(Department, City, None).is_err());
        assert!(check_placement(RegionGovernment, County, Some((RegionGovernment, City))).is_ok());
        assert!(
            check_placement(RegionGovernment, Township, Some((RegionGovernment, City))).is_err()
        );
        assert!(check_placement(Department, County, Some((RegionGovernment, County))).is_ok());
        assert!(check_placement(Department, Township, Some((RegionGovernment, County))).is_err());
        assert!(check_placement(Hall, County, Some((RegionGovernment, County))).is_ok());
        assert!(check_placement(Hall, County, Some((Hall, County))).is_ok());
        assert!(check_placement(Hall, County, Some((Department, County))).is_err());
        assert!(check_placement(Department, City, Some((RegionGovernment, County))).is_err());
        assert!(check_placement(PublicInstitution, County, Some((Department, County))).is_ok());
    }

    #[test]
    fn paths_contain_their_subtree_only() {
        let city = OrganizationId::new();
        let county_a = OrganizationId::new();
        let county_b = OrganizationId::new();
        let root = OrgPath::root(city);
        let a = root.child(county_a);
        let b = root.child(county_b);
        assert!(root.contains(&a));
        assert!(a.contains(&a));
        assert!(!a.contains(&b));
        assert!(!a.contains(&root));
        assert_eq!(a.ids(), vec![city, county_a]);
    }
    #[test]
    fn details_are_trimmed_and_a_region_government_needs_its_division() {
        let mut e = Errors::new();
        let input = OrgDetailsInput {
            name: "  历下区人民政府 ",
            phone: Some(" 0531-66661234 "),
            ..Default::default()
        };
        let parsed = OrgDetails::parse(&mut e, OrgKind::Department, input);
        assert!(e.is_empty());
        let Some(d) = parsed else {
            panic!("the details should parse")
        };
        assert_eq!(d.name, "历下区人民政府");
        assert_eq!(d.phone.as_deref(), Some("0531-66661234"));
        let mut e = Errors::new();
        OrgDetails::parse(&mut e, OrgKind::RegionGovernment, input);
        assert!(!e.is_empty());
        let cleared = d.clone().changed(OrgDetailsChange {
            phone: Some(None),
            name: Some("新名".into()),
            ..Default::default()
        });
        assert_eq!((cleared.name.as_str(), cleared.phone), ("新名", None));
        assert_eq!(cleared.address, d.address);
        assert!(require_division_code(OrgKind::RegionGovernment, Some("370102")).is_ok());
    }

    #[test]
    fn an_org_admin_keeps_their_own_organisation_in_place() {
        assert!(check_own_change(Role::OrgAdmin, true, true, false).is_err());
        assert!(check_own_change(Role::OrgAdmin, true, false, true).is_err());
        assert!(check_own_change(Role::OrgAdmin, true, false, false).is_ok());
        assert!(check_own_change(Role::OrgAdmin, false, true, true).is_ok());
        assert!(check_own_change(Role::SysAdmin, true, true, true).is_ok());
        assert!(check_root_creation(Role::OrgAdmin).is_err());
        assert!(check_root_creation(Role::SysAdmin).is_ok());
        let a = OrgPath::root(OrganizationId(uuid::Uuid::from_u128(1)));
        let b = a.child(OrganizationId(uuid::Uuid::from_u128(2)));
        assert!(check_move(&a, &b).is_err());
        assert!(check_move(&a, &a).is_err());
        assert!(check_move(&b, &a).is_ok());
    }
}

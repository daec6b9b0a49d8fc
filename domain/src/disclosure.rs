//! Proactive disclosure (主动公开): items, their workflow, the standard catalogue and index
//! numbers (OGI = 政府信息公开条例, State Council Decree 711).

use crate::access::Forbidden;
use crate::account::Role;
use crate::labeled_enum;
use crate::org::{OrgKind, OrgLevel};
use crate::validation::RuleViolation;
use crate::workflow::{Next, Rule, Workflow};

labeled_enum! {
    /// What a disclosure item is.
    pub enum ItemKind {
        Document = ("document", "政府信息"),
        Interpretation = ("interpretation", "政策解读"),
    }
}

labeled_enum! {
    /// Disclosure attribute (公开属性).
    pub enum Attribute {
        Proactive = ("proactive", "主动公开"),
        OnApplication = ("on_application", "依申请公开"),
        NotDisclosed = ("not_disclosed", "不予公开"),
    }
}

labeled_enum! {
    /// Legal ground for not disclosing (OGI Art.14–16).
    pub enum NonDisclosureGround {
        StateSecret = ("state_secret", "国家秘密"),
        ProhibitedByLaw = ("prohibited_by_law", "其他法律行政法规禁止公开"),
        EndangersSecurity = ("endangers_security", "危及“三安全一稳定”"),
        ThirdPartyRights = ("third_party_rights", "保护第三方合法权益"),
        InternalAffairs = ("internal_affairs", "三类内部事务信息"),
        ProcessInformation = ("process_information", "四类过程性信息"),
        EnforcementFiles = ("enforcement_files", "行政执法案卷"),
        AdministrativeInquiry = ("administrative_inquiry", "行政查询事项"),
    }
}

labeled_enum! {
    /// Publication channel (公开渠道).
    pub enum Channel {
        Portal = ("portal", "政府门户网站"),
        NoticeBoard = ("notice_board", "公开栏"),
        TouchScreen = ("touch_screen", "触摸屏"),
        Weibo = ("weibo", "政务微博"),
        Wechat = ("wechat", "政务微信"),
        PressConference = ("press_conference", "新闻发布会"),
        Gazette = ("gazette", "政府公报"),
        Handbook = ("handbook", "便民手册"),
    }
}

labeled_enum! {
    /// Validity of a document (效力状态).
    pub enum Validity {
        Valid = ("valid", "有效"),
        Expired = ("expired", "失效"),
        Repealed = ("repealed", "废止"),
    }
}

labeled_enum! {
    /// The kinds of normative document the annual report counts apart (国办公开办函〔2021〕30号,
    /// table 2): a catalogue category of this kind files documents of it, as do the
    /// categories below it.
    pub enum DocumentKind {
        Regulation = ("regulation", "规章"),
        NormativeDocument = ("normative_document", "行政规范性文件"),
    }
}

labeled_enum! {
    /// How often the content is disclosed (公开时限类型).
    pub enum Cadence {
        LongTerm = ("long_term", "固定内容长期公开"),
        Periodic = ("periodic", "阶段工作定期公开"),
        Dynamic = ("dynamic", "动态工作随时公开"),
    }
}

labeled_enum! {
    /// Text format of the content.
    pub enum ContentFormat {
        Plain = ("plain", "纯文本"),
        Markdown = ("markdown", "Markdown"),
    }
}

labeled_enum! {
    /// State of the working copy of an item.
    pub enum ItemState {
        Draft = ("draft", "草稿"),
        Submitted = ("submitted", "待审核"),
        Approved = ("approved", "审核通过"),
        Published = ("published", "已发布"),
        Withdrawn = ("withdrawn", "已撤回"),
    }
}

labeled_enum! {
    /// A step of the review and publication workflow.
    pub enum Transition {
        Submit = ("submit", "提交审核"),
        Approve = ("approve", "审核通过"),
        Reject = ("reject", "退回修改"),
        Publish = ("publish", "发布"),
        Revise = ("revise", "修订"),
        Withdraw = ("withdraw", "撤回"),
    }
}

impl ItemState {
    /// Whether the working copy may be edited.
    pub fn editable(self) -> bool {
        self == ItemState::Draft
    }
}

/// What a step of the workflow needs to know beyond the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    /// For an interpretation: whether the policy it interprets has a published version.
    /// `true` for a document (it interprets nothing).
    pub policy_published: bool,
}

impl ItemFacts {
    /// The facts of an item whose policy, if it has one, is published.
    pub const READY: ItemFacts = ItemFacts {
        policy_published: true,
    };
}

/// An interpretation is published with or after its policy, never before.
fn policy_published(f: &ItemFacts) -> Result<(), RuleViolation> {
    if f.policy_published {
        Ok(())
    } else {
        Err(RuleViolation::new(
            "disclosure.policy_not_published",
            "an interpretation is published with or after its policy, never before",
        ))
    }
}

const OFFICERS: &[Role] = &[Role::DisclosureOfficer];
const REVIEWERS: &[Role] = &[Role::Reviewer];
const WITHDRAWERS: &[Role] = &[Role::DisclosureOfficer, Role::OrgAdmin, Role::SysAdmin];

/// The roles that draft, edit, mask and attach (the working copy's authors).
pub const EDITORS: &[Role] = OFFICERS;

/// The review and publication workflow of an item (审核与发布).
///
/// draft → submit → submitted → approve → approved → publish → published;
/// submitted → reject → draft; published → revise → draft (the published version stays
/// public until the revision is published); published → withdraw → withdrawn;
/// withdrawn → revise → draft. Review is by a reviewer who is not the author
/// ([`check_reviewer`]).
pub static ITEM_FLOW: Workflow<ItemState, Transition, ItemFacts> = Workflow {
    name: "disclosure",
    noun: "disclosure item",
    rules: &[
        Rule {
            action: Transition::Submit,
            from: &[ItemState::Draft],
            to: Next::To(ItemState::Submitted),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: Transition::Approve,
            from: &[ItemState::Submitted],
            to: Next::To(ItemState::Approved),
            roles: REVIEWERS,
            guards: &[],
        },
        Rule {
            action: Transition::Reject,
            from: &[ItemState::Submitted],
            to: Next::To(ItemState::Draft),
            roles: REVIEWERS,
            guards: &[],
        },
        Rule {
            action: Transition::Publish,
            from: &[ItemState::Approved],
            to: Next::To(ItemState::Published),
            roles: OFFICERS,
            guards: &[policy_published],
        },
        Rule {
            action: Transition::Revise,
            from: &[ItemState::Published, ItemState::Withdrawn],
            to: Next::To(ItemState::Draft),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: Transition::Withdraw,
            from: &[ItemState::Published],
            to: Next::To(ItemState::Withdrawn),
            roles: WITHDRAWERS,
            guards: &[],
        },
    ],
};

/// Review is by someone other than the author (审核与起草分离): a refusal for the
/// reviewer's relation to the item (403).
pub fn check_reviewer<T: PartialEq>(author: &T, reviewer: &T) -> Result<(), Forbidden> {
    if author == reviewer {
        Err(Forbidden(RuleViolation::new(
            "disclosure.author_cannot_review",
            "the author of an item cannot review it",
        )))
    } else {
        Ok(())
    }
}

/// Not disclosed needs its legal ground; the other attributes have none.
pub fn check_attribute(
    attribute: Attribute,
    ground: Option<NonDisclosureGround>,
) -> Result<(), RuleViolation> {
    match (attribute, ground) {
        (Attribute::NotDisclosed, None) => Err(RuleViolation::new(
            "disclosure.ground_required",
            "an item that is not disclosed needs its legal ground",
        )),
        (Attribute::NotDisclosed, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(RuleViolation::new(
            "disclosure.ground_without_refusal",
            "only an item that is not disclosed has a non-disclosure ground",
        )),
    }
}

/// An interpretation names the policy it interprets; a document interprets nothing.
pub fn check_interprets<T>(kind: ItemKind, interprets: Option<&T>) -> Result<(), RuleViolation> {
    match (kind, interprets) {
        (ItemKind::Interpretation, None) => Err(RuleViolation::new(
            "disclosure.interprets_required",
            "an interpretation names the policy it interprets",
        )),
        (ItemKind::Document, Some(_)) => Err(RuleViolation::new(
            "disclosure.interprets_only_for_interpretation",
            "only an interpretation interprets a policy",
        )),
        _ => Ok(()),
    }
}

/// Whether the publication duty of an item is missed: proactive, never published, and
/// its due day is over.
pub fn publication_overdue(
    attribute: Attribute,
    ever_published: bool,
    due: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> bool {
    !ever_published && attribute == Attribute::Proactive && due < today
}

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
            "category.code_format",
            "1 to 12 letters, digits, - or _",
        ))
    }
}

/// The working days within which proactive information is published (OGI Art.26).
pub const PUBLICATION_DUTY_WORKING_DAYS: u32 = 20;

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
    RuleViolation::new("index_format.invalid", why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    #[test]
    fn the_table_is_whole() {
        assert_eq!(ITEM_FLOW.check_table(Transition::ALL), Ok(()));
    }

    /// A role that may take the step (the first the table names).
    fn role_of(t: Transition) -> Role {
        ITEM_FLOW.roles(t)[0]
    }

    #[test]
    fn every_legal_and_illegal_transition() {
        use ItemState::*;
        use Transition::*;
        let legal = [
            (Draft, Submit, Submitted),
            (Submitted, Approve, Approved),
            (Submitted, Reject, Draft),
            (Approved, Publish, Published),
            (Published, Revise, Draft),
            (Withdrawn, Revise, Draft),
            (Published, Withdraw, Withdrawn),
        ];
        let ready = ItemFacts::READY;
        for (from, t, to) in legal {
            assert_eq!(
                ITEM_FLOW.decide(from, t, role_of(t), &ready),
                Ok(to),
                "{from} --{t}-->"
            );
        }
        // Everything else is refused with the current state and the step.
        for from in ItemState::ALL {
            for t in Transition::ALL {
                if legal.iter().any(|(f, tr, _)| f == from && tr == t) {
                    continue;
                }
                assert_eq!(
                    ITEM_FLOW.decide(*from, *t, role_of(*t), &ready),
                    Err(Refusal::State {
                        workflow: "disclosure",
                        noun: "disclosure item",
                        action: *t,
                        state: *from
                    }),
                    "{from} --{t}--> should be refused"
                );
            }
        }
    }

    #[test]
    fn roles_of_the_steps() {
        use ItemState::*;
        use Transition::*;
        let ready = ItemFacts::READY;
        let refused =
            |s, t, r| matches!(ITEM_FLOW.decide(s, t, r, &ready), Err(Refusal::Role { .. }));
        assert!(refused(Submitted, Approve, Role::DisclosureOfficer));
        assert!(refused(Submitted, Reject, Role::DisclosureOfficer));
        assert!(refused(Draft, Submit, Role::Reviewer));
        assert!(refused(Approved, Publish, Role::OrgAdmin));
        assert!(refused(Published, Withdraw, Role::Reviewer));
        for r in [Role::DisclosureOfficer, Role::OrgAdmin, Role::SysAdmin] {
            assert_eq!(
                ITEM_FLOW.decide(Published, Withdraw, r, &ready),
                Ok(Withdrawn)
            );
        }
    }

    #[test]
    fn an_interpretation_waits_for_its_policy() {
        let waiting = ItemFacts {
            policy_published: false,
        };
        let officer = Role::DisclosureOfficer;
        let publish = |s| ITEM_FLOW.decide(s, Transition::Publish, officer, &waiting);
        assert!(matches!(
            publish(ItemState::Approved),
            Err(Refusal::Guard(v)) if v.code == "disclosure.policy_not_published"
        ));
        // The state is refused before the guard is asked.
        assert!(matches!(
            publish(ItemState::Draft),
            Err(Refusal::State { .. })
        ));
    }

    #[test]
    fn the_author_cannot_review() {
        assert!(matches!(
            check_reviewer(&1, &1),
            Err(Forbidden(v)) if v.code == "disclosure.author_cannot_review"
        ));
        assert!(check_reviewer(&1, &2).is_ok());
    }

    #[test]
    fn attributes_and_grounds() {
        use Attribute::*;
        assert!(check_attribute(Proactive, None).is_ok());
        assert!(check_attribute(NotDisclosed, None).is_err());
        assert!(check_attribute(NotDisclosed, Some(NonDisclosureGround::StateSecret)).is_ok());
        assert!(check_attribute(Proactive, Some(NonDisclosureGround::StateSecret)).is_err());
    }

    #[test]
    fn interpretations_name_their_policy() {
        use ItemKind::*;
        assert!(check_interprets::<u8>(Document, None).is_ok());
        assert!(check_interprets(Interpretation, Some(&1)).is_ok());
        let code = |r: Result<(), RuleViolation>| r.err().map(|v| v.code);
        assert_eq!(
            code(check_interprets::<u8>(Interpretation, None)),
            Some("disclosure.interprets_required")
        );
        assert_eq!(
            code(check_interprets(Document, Some(&1))),
            Some("disclosure.interprets_only_for_interpretation")
        );
    }

    #[test]
    fn the_publication_duty() {
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default();
        let (due, after, on) = (day(10), day(11), day(10));
        assert!(publication_overdue(Attribute::Proactive, false, due, after));
        assert!(!publication_overdue(Attribute::Proactive, false, due, on));
        assert!(!publication_overdue(Attribute::Proactive, true, due, after));
        assert!(!publication_overdue(
            Attribute::OnApplication,
            false,
            due,
            after
        ));
    }

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

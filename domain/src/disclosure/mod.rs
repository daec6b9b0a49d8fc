//! Proactive disclosure (主动公开): items, their workflow, the standard catalogue and index
//! numbers (OGI = 政府信息公开条例, State Council Decree 711).

use crate::codes::Code;
use crate::labeled_enum;
use crate::validation::RuleViolation;

mod catalogue;
mod workflow;

pub use self::catalogue::*;
pub use self::workflow::*;

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

/// Not disclosed needs its legal ground; the other attributes have none.
pub fn check_attribute(
    attribute: Attribute,
    ground: Option<NonDisclosureGround>,
) -> Result<(), RuleViolation> {
    match (attribute, ground) {
        (Attribute::NotDisclosed, None) => Err(RuleViolation::new(
            Code::DisclosureGroundRequired,
            "an item that is not disclosed needs its legal ground",
        )),
        (Attribute::NotDisclosed, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(RuleViolation::new(
            Code::DisclosureGroundWithoutRefusal,
            "only an item that is not disclosed has a non-disclosure ground",
        )),
    }
}

/// An interpretation names the policy it interprets; a document interprets nothing.
pub fn check_interprets<T>(kind: ItemKind, interprets: Option<&T>) -> Result<(), RuleViolation> {
    match (kind, interprets) {
        (ItemKind::Interpretation, None) => Err(RuleViolation::new(
            Code::DisclosureInterpretsRequired,
            "an interpretation names the policy it interprets",
        )),
        (ItemKind::Document, Some(_)) => Err(RuleViolation::new(
            Code::DisclosureInterpretsOnlyForInterpretation,
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

/// The working days within which proactive information is published (OGI Art.26).
pub const PUBLICATION_DUTY_WORKING_DAYS: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

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
            Some(Code::DisclosureInterpretsRequired)
        );
        assert_eq!(
            code(check_interprets(Document, Some(&1))),
            Some(Code::DisclosureInterpretsOnlyForInterpretation)
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
}

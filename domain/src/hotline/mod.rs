//! The 12345 hotline (便民服务热线, 国办发〔2020〕53号): tickets (工单)
//! dispatched to the responsible department with a time limit by kind, returned, extended,
//! replied, called back and reopened, merged when duplicated; and the question-and-answer
//! knowledge base.

use crate::labeled_enum;

pub mod commands;
pub mod flow;
pub mod stats;

pub use flow::{ENTRY_FLOW, TICKET_FLOW};

labeled_enum! {
    pub enum TicketKind {
        Consultation = ("consultation", "咨询"),
        Help = ("help", "求助"),
        Complaint = ("complaint", "投诉"),
        Report = ("report", "举报"),
        Suggestion = ("suggestion", "建议"),
        Praise = ("praise", "表扬"),
    }
}

labeled_enum! {
    pub enum Urgency {
        Normal = ("normal", "一般"),
        Urgent = ("urgent", "紧急"),
        /// Handled the same day whatever the kind.
        Emergency = ("emergency", "特急"),
    }
}

labeled_enum! {
    /// Where a ticket came from.
    pub enum TicketChannel {
        Phone = ("phone", "电话"),
        Message = ("message", "短信、微信留言"),
        Web = ("web", "网站、App"),
    }
}

labeled_enum! {
    pub enum TicketState {
        Received = ("received", "已受理"),
        Dispatched = ("dispatched", "已派单"),
        Returned = ("returned", "已退单"),
        Replied = ("replied", "已回复"),
        CalledBack = ("called_back", "已回访"),
        Reopened = ("reopened", "重办"),
        Closed = ("closed", "已办结"),
        Merged = ("merged", "已合并"),
    }
}

labeled_enum! {
    pub enum TicketAction {
        Dispatch = ("dispatch", "派单"),
        Return = ("return", "退单"),
        RequestExtension = ("request_extension", "申请延期"),
        DecideExtension = ("decide_extension", "审批延期"),
        Reply = ("reply", "回复"),
        Callback = ("callback", "回访"),
        Close = ("close", "办结"),
        Merge = ("merge", "合并"),
    }
}

impl TicketState {
    /// Whether the department's deadline runs.
    pub fn with_department(self) -> bool {
        matches!(self, TicketState::Dispatched | TicketState::Reopened)
    }
}

/// Working days to reply, by kind; an emergency ticket is due the same day. Configuration
/// of each organisation (part of its supervision rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TicketLimits {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub consultation: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub help: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub complaint: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub report: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub suggestion: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub praise: u32,
    /// Emergencies, whatever the kind (0 = the same day).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 60))]
    pub emergency: u32,
    /// A reopened ticket (重办) gets this many working days again.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 60))]
    pub reopened: u32,
}

impl Default for TicketLimits {
    fn default() -> Self {
        Self {
            consultation: 3,
            help: 3,
            complaint: 13,
            report: 13,
            suggestion: 13,
            praise: 3,
            emergency: 0,
            reopened: 5,
        }
    }
}

impl TicketLimits {
    /// The working days a ticket of this kind and urgency is given.
    pub fn days(&self, kind: TicketKind, urgency: Urgency) -> u32 {
        if urgency == Urgency::Emergency {
            return self.emergency;
        }
        match kind {
            TicketKind::Consultation => self.consultation,
            TicketKind::Help => self.help,
            TicketKind::Complaint => self.complaint,
            TicketKind::Report => self.report,
            TicketKind::Suggestion => self.suggestion,
            TicketKind::Praise => self.praise,
        }
    }

    /// Fields out of range (0–60 working days; kinds other than emergency at least 1).
    pub fn problems(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (name, v, min) in [
            ("consultation", self.consultation, 1),
            ("help", self.help, 1),
            ("complaint", self.complaint, 1),
            ("report", self.report, 1),
            ("suggestion", self.suggestion, 1),
            ("praise", self.praise, 1),
            ("emergency", self.emergency, 0),
            ("reopened", self.reopened, 1),
        ] {
            if !(min..=60).contains(&v) {
                out.push(name);
            }
        }
        out
    }
}

labeled_enum! {
    pub enum EntryState {
        Draft = ("draft", "草稿"),
        Submitted = ("submitted", "待审核"),
        Published = ("published", "已发布"),
        Retired = ("retired", "已停用"),
    }
}

labeled_enum! {
    pub enum EntryAction {
        Submit = ("submit", "提交审核"),
        Publish = ("publish", "审核发布"),
        Reject = ("reject", "退回"),
        Retire = ("retire", "停用"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_kind_and_urgency() {
        let l = TicketLimits::default();
        assert_eq!(l.days(TicketKind::Consultation, Urgency::Normal), 3);
        assert_eq!(l.days(TicketKind::Help, Urgency::Urgent), 3);
        assert_eq!(l.days(TicketKind::Complaint, Urgency::Normal), 13);
        assert_eq!(l.days(TicketKind::Suggestion, Urgency::Normal), 13);
        assert_eq!(l.days(TicketKind::Complaint, Urgency::Emergency), 0);
        assert!(l.problems().is_empty());
        let bad = TicketLimits {
            help: 0,
            reopened: 61,
            ..l
        };
        assert_eq!(bad.problems(), ["help", "reopened"]);
    }
}

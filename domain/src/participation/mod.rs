//! Participation (政民互动): public consultations (征求意见), topic requests (点题公开) and
//! messages to leaders (领导信箱), answered on the echo wall (回音壁).

use crate::codes::Code;
use chrono::{DateTime, Utc};

use crate::account::Role;
use crate::labeled_enum;
use crate::validation::RuleViolation;
use crate::workflow::{Next, Rule, Workflow};

pub mod commands;

labeled_enum! {
    pub enum ConsultationState {
        Draft = ("draft", "草稿"),
        Open = ("open", "征集中"),
        Closed = ("closed", "已截止"),
        Summarized = ("summarized", "已反馈"),
    }
}

labeled_enum! {
    pub enum CommentState {
        Pending = ("pending", "待审核"),
        Approved = ("approved", "已通过"),
        Rejected = ("rejected", "未通过"),
    }
}

/// Whether a comment may be made at `now`: the consultation is open and `now` lies in
/// [opens_at, closes_at). The server's clock decides, never the client's.
pub fn accepts_comments(
    state: ConsultationState,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), RuleViolation> {
    if state != ConsultationState::Open || now < opens_at {
        return Err(RuleViolation::new(
            Code::ConsultationNotOpen,
            "the consultation is not open for comments",
        ));
    }
    if now >= closes_at {
        return Err(RuleViolation::new(
            Code::ConsultationClosed,
            "the consultation closed for comments",
        ));
    }
    Ok(())
}

labeled_enum! {
    /// One mechanism for the public's questions.
    pub enum MessageKind {
        TopicRequest = ("topic_request", "点题公开"),
        LeaderMessage = ("leader_message", "领导信箱"),
    }
}

labeled_enum! {
    pub enum MessageState {
        Submitted = ("submitted", "已提交"),
        Forwarded = ("forwarded", "已转办"),
        Answered = ("answered", "已答复"),
        Published = ("published", "已公开"),
    }
}

labeled_enum! {
    pub enum MessageAction {
        Forward = ("forward", "转办"),
        Answer = ("answer", "答复"),
        Publish = ("publish", "在回音壁公开"),
    }
}

labeled_enum! {
    /// How a topic request was answered.
    pub enum AnswerKind {
        Disclosed = ("disclosed", "已公开"),
        NotDisclosed = ("not_disclosed", "不予公开"),
        Replied = ("replied", "已答复"),
    }
}

/// Who runs consultations, moderates comments, forwards and publishes messages.
pub const OFFICERS: &[Role] = &[Role::DisclosureOfficer];
/// Who answers a forwarded message.
pub const ANSWERERS: &[Role] = &[
    Role::DisclosureOfficer,
    Role::OrgAdmin,
    Role::Reviewer,
    Role::Clerk,
];

labeled_enum! {
    /// What is done to a consultation.
    pub enum ConsultationAction {
        Open = ("open", "开始征集"),
        Close = ("close", "截止征集"),
        Summarize = ("summarize", "发布采纳情况"),
    }
}

/// What the guards of [`CONSULTATION_FLOW`] decide on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsultationFacts {
    /// Its closing time has passed.
    pub closing_passed: bool,
}

impl ConsultationFacts {
    pub fn at(closes_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        Self {
            closing_passed: closes_at <= now,
        }
    }
}

fn closing_ahead(f: &ConsultationFacts) -> Result<(), RuleViolation> {
    if f.closing_passed {
        return Err(RuleViolation::new(
            Code::ConsultationAlreadyPast,
            "its closing time has passed",
        ));
    }
    Ok(())
}

/// draft → open → closed → summarized.
pub static CONSULTATION_FLOW: Workflow<ConsultationState, ConsultationAction, ConsultationFacts> =
    Workflow {
        illegal: Code::ConsultationIllegalTransition,
        noun: "consultation",
        rules: &[
            Rule {
                action: ConsultationAction::Open,
                from: &[ConsultationState::Draft],
                to: Next::To(ConsultationState::Open),
                roles: OFFICERS,
                guards: &[closing_ahead],
            },
            Rule {
                action: ConsultationAction::Close,
                from: &[ConsultationState::Open],
                to: Next::To(ConsultationState::Closed),
                roles: OFFICERS,
                guards: &[],
            },
            Rule {
                action: ConsultationAction::Summarize,
                from: &[ConsultationState::Closed],
                to: Next::To(ConsultationState::Summarized),
                roles: OFFICERS,
                guards: &[],
            },
        ],
    };

/// submitted → forward → forwarded → answer → answered → publish → published.
pub static MESSAGE_FLOW: Workflow<MessageState, MessageAction> = Workflow {
    illegal: Code::MessageIllegalTransition,
    noun: "message",
    rules: &[
        Rule {
            action: MessageAction::Forward,
            from: &[MessageState::Submitted],
            to: Next::To(MessageState::Forwarded),
            roles: OFFICERS,
            guards: &[],
        },
        Rule {
            action: MessageAction::Answer,
            from: &[MessageState::Forwarded],
            to: Next::To(MessageState::Answered),
            roles: ANSWERERS,
            guards: &[],
        },
        Rule {
            action: MessageAction::Publish,
            from: &[MessageState::Answered],
            to: Next::To(MessageState::Published),
            roles: OFFICERS,
            guards: &[],
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Refusal;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|x| x.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn comments_only_while_open() {
        let (o, c) = (t("2026-06-01T00:00:00Z"), t("2026-06-06T03:00:00Z"));
        use ConsultationState::*;
        assert!(accepts_comments(Open, o, c, t("2026-06-03T00:00:00Z")).is_ok());
        assert!(accepts_comments(Open, o, c, t("2026-05-31T23:59:59Z")).is_err());
        assert_eq!(
            accepts_comments(Open, o, c, t("2026-06-06T03:00:00Z"))
                .err()
                .map(|e| e.code),
            Some(Code::ConsultationClosed)
        );
        assert!(accepts_comments(Draft, o, c, t("2026-06-03T00:00:00Z")).is_err());
        assert!(accepts_comments(Closed, o, c, t("2026-06-03T00:00:00Z")).is_err());
    }

    #[test]
    fn every_message_action() {
        use MessageAction as A;
        use MessageState as S;
        assert_eq!(MESSAGE_FLOW.check_table(MessageAction::ALL), Ok(()));
        let legal = [
            (S::Submitted, A::Forward, S::Forwarded),
            (S::Forwarded, A::Answer, S::Answered),
            (S::Answered, A::Publish, S::Published),
        ];
        let role = Role::DisclosureOfficer;
        for (f, a, to) in legal {
            assert_eq!(MESSAGE_FLOW.decide(f, a, role, &()), Ok(to));
        }
        for f in MessageState::ALL {
            for a in MessageAction::ALL {
                if !legal.iter().any(|(x, y, _)| x == f && y == a) {
                    assert_eq!(
                        MESSAGE_FLOW.decide(*f, *a, role, &()),
                        Err(Refusal::State {
                            code: Code::MessageIllegalTransition,
                            noun: "message",
                            action: *a,
                            state: *f
                        })
                    );
                }
            }
        }
        assert_eq!(
            MESSAGE_FLOW.decide(S::Forwarded, A::Answer, Role::Clerk, &()),
            Ok(S::Answered)
        );
        assert!(matches!(
            MESSAGE_FLOW.decide(S::Submitted, A::Forward, Role::Clerk, &()),
            Err(Refusal::Role { .. })
        ));
    }

    #[test]
    fn every_consultation_action() {
        use ConsultationAction as A;
        use ConsultationState as S;
        assert_eq!(
            CONSULTATION_FLOW.check_table(ConsultationAction::ALL),
            Ok(())
        );
        let legal = [
            (S::Draft, A::Open, S::Open),
            (S::Open, A::Close, S::Closed),
            (S::Closed, A::Summarize, S::Summarized),
        ];
        let (role, ahead) = (Role::DisclosureOfficer, ConsultationFacts::default());
        for (f, a, to) in legal {
            assert_eq!(CONSULTATION_FLOW.decide(f, a, role, &ahead), Ok(to));
        }
        for f in ConsultationState::ALL {
            for a in ConsultationAction::ALL {
                if !legal.iter().any(|(x, y, _)| x == f && y == a) {
                    assert!(matches!(
                        CONSULTATION_FLOW.decide(*f, *a, role, &ahead),
                        Err(Refusal::State { .. })
                    ));
                }
            }
        }
        let past = ConsultationFacts::at(t("2026-06-01T00:00:00Z"), t("2026-06-01T00:00:00Z"));
        assert!(matches!(
            CONSULTATION_FLOW.decide(S::Draft, A::Open, role, &past),
            Err(Refusal::Guard(v)) if v.code == Code::ConsultationAlreadyPast
        ));
        assert!(matches!(
            CONSULTATION_FLOW.decide(S::Open, A::Close, Role::Clerk, &ahead),
            Err(Refusal::Role { .. })
        ));
    }
}

//! Participation (政民互动): public consultations (征求意见), topic requests (点题公开) and
//! messages to leaders (领导信箱), answered on the echo wall (回音壁).

use chrono::{DateTime, Utc};

use crate::labeled_enum;
use crate::validation::RuleViolation;

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
            "consultation.not_open",
            "the consultation is not open for comments",
        ));
    }
    if now >= closes_at {
        return Err(RuleViolation::new(
            "consultation.closed",
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a message that is {from}")]
pub struct IllegalMessageAction {
    pub from: MessageState,
    pub action: MessageAction,
}

impl MessageState {
    /// submitted → forward → forwarded → answer → answered → publish → published.
    pub fn apply(self, a: MessageAction) -> Result<MessageState, IllegalMessageAction> {
        use MessageAction as A;
        use MessageState as S;
        match (self, a) {
            (S::Submitted, A::Forward) => Ok(S::Forwarded),
            (S::Forwarded, A::Answer) => Ok(S::Answered),
            (S::Answered, A::Publish) => Ok(S::Published),
            (from, action) => Err(IllegalMessageAction { from, action }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Some("consultation.closed")
        );
        assert!(accepts_comments(Draft, o, c, t("2026-06-03T00:00:00Z")).is_err());
        assert!(accepts_comments(Closed, o, c, t("2026-06-03T00:00:00Z")).is_err());
    }

    #[test]
    fn every_message_action() {
        use MessageAction as A;
        use MessageState as S;
        let legal = [
            (S::Submitted, A::Forward, S::Forwarded),
            (S::Forwarded, A::Answer, S::Answered),
            (S::Answered, A::Publish, S::Published),
        ];
        for (f, a, to) in legal {
            assert_eq!(f.apply(a), Ok(to));
        }
        for f in MessageState::ALL {
            for a in MessageAction::ALL {
                if !legal.iter().any(|(x, y, _)| x == f && y == a) {
                    assert!(f.apply(*a).is_err());
                }
            }
        }
    }
}

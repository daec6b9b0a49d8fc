//! Typed identifiers: a `UserId` can never be passed where an `OrganizationId` is meant.

use uuid::Uuid;

macro_rules! typed_id {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered (UUID v7) identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    )+};
}

typed_id!(
    /// An organisation (组织机构).
    OrganizationId,
    /// A user account, staff or applicant.
    UserId,
    /// A machine client of another system.
    ClientId,
    /// A service window (窗口) of a hall.
    WindowId,
    /// A case (办件), or a parallel-approval project holding sub-cases.
    CaseId,
    /// A service matter (政务服务事项) of the catalogue.
    MatterId,
    /// A disclosure item (公开信息) of the catalogue.
    DisclosureItemId,
    /// A category of an organisation's disclosure catalogue.
    CategoryId,
    /// An application for disclosure (依申请公开).
    DisclosureRequestId,
    /// A consultation (意见征集) on a draft.
    ConsultationId,
    /// A comment given in a consultation.
    CommentId,
    /// A topic request (选题征集) or a message to the leadership (留言).
    MessageId,
    /// A 12345 hotline ticket (工单).
    TicketId,
    /// An entry of the hotline's knowledge base.
    KnowledgeEntryId,
    /// An evaluation (好差评).
    EvaluationId,
    /// A rectification (整改) of a bad evaluation.
    RectificationId,
    /// A complaint or report (投诉/举报).
    ComplaintId,
    /// A supervision order (督办单).
    OrderId,
    /// A staff or window assessment record.
    AssessmentId,
    /// An attendance record of window staff.
    AttendanceId,
    /// A stored attachment.
    AttachmentId,
    /// A supervision bulletin (通报).
    BulletinId,
);

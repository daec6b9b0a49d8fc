//! Enumerations with stable snake_case values and their Chinese labels.

/// Declares an enumeration whose values are snake_case strings on the wire and in the
/// database, each with a Chinese label for front ends.
#[macro_export]
macro_rules! labeled_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($value:tt, $label:tt) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $value)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case value used on the wire and in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $value),+ }
            }

            /// The Chinese label shown to users.
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses the snake_case value.
            pub fn parse(value: &str) -> Option<Self> {
                match value { $($value => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::enums::Labeled for $name {
            const NAME: &'static str = stringify!($name);
            fn values() -> Vec<(&'static str, &'static str)> {
                $name::ALL.iter().map(|v| (v.as_str(), v.label_zh())).collect()
            }
        }
    };
}

/// An enumeration that can describe itself for `GET /meta/enums`.
pub trait Labeled {
    const NAME: &'static str;
    fn values() -> Vec<(&'static str, &'static str)>;
}

/// One enumeration with its values and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumInfo {
    pub name: &'static str,
    pub values: Vec<(&'static str, &'static str)>,
}

fn info<T: Labeled>() -> EnumInfo {
    EnumInfo {
        name: T::NAME,
        values: T::values(),
    }
}

/// Every enumeration of the API.
pub fn all_enums() -> Vec<EnumInfo> {
    use crate::account::{ActorKind, ApplicantType, LegalPersonKind, Post, Role};
    use crate::assessment::{AttendanceStatus, Dimension, Grade, Period, SubjectKind};
    use crate::calendar::{DayKind, SkipReason, StoredDeadline};
    use crate::disclosure::{
        Attribute, Cadence, Channel, ContentFormat, DocumentKind, ItemKind, ItemState,
        NonDisclosureGround, Transition, Validity,
    };
    use crate::evaluation::{
        AppealState, EvaluationChannel, EvaluationLevel, RectificationAction, RectificationState,
    };
    use crate::org::{OrgKind, OrgLevel};
    use crate::participation::{
        AnswerKind, CommentState, ConsultationState, MessageAction, MessageKind, MessageState,
    };
    use crate::pii::{PiiExceptionGround, PiiKind};
    use crate::requests::{
        DeliveryMethod, FeeMethod, ReplyType, RequestAction, RequestChannel, RequestState,
        RequestedForm,
    };
    use crate::services::{
        CaseAction, CaseKind, CaseState, Decision, ImplementerNature, MaterialForm, MatterState,
        MatterTransition, MatterType, OnlineDepth, ServiceObject, SpecialProcedure,
    };
    use crate::supervision::{
        AccountabilityKind, AlertLevel, AlertObject, ComplaintAction, ComplaintCategory,
        ComplaintKind, ComplaintState, OrderAction, OrderState,
    };
    vec![
        info::<OrgKind>(),
        info::<OrgLevel>(),
        info::<Role>(),
        info::<crate::events::EventType>(),
        info::<crate::events::WebhookDisabledReason>(),
        info::<crate::events::AttemptTrigger>(),
        info::<ApplicantType>(),
        info::<LegalPersonKind>(),
        info::<Post>(),
        info::<ActorKind>(),
        info::<DayKind>(),
        info::<SkipReason>(),
        info::<StoredDeadline>(),
        info::<ItemKind>(),
        info::<Attribute>(),
        info::<NonDisclosureGround>(),
        info::<Channel>(),
        info::<Validity>(),
        info::<DocumentKind>(),
        info::<Cadence>(),
        info::<ContentFormat>(),
        info::<ItemState>(),
        info::<Transition>(),
        info::<PiiKind>(),
        info::<PiiExceptionGround>(),
        info::<MatterType>(),
        info::<ImplementerNature>(),
        info::<ServiceObject>(),
        info::<CaseKind>(),
        info::<OnlineDepth>(),
        info::<MaterialForm>(),
        info::<MatterState>(),
        info::<MatterTransition>(),
        info::<CaseState>(),
        info::<CaseAction>(),
        info::<SpecialProcedure>(),
        info::<Decision>(),
        info::<RequestChannel>(),
        info::<RequestedForm>(),
        info::<DeliveryMethod>(),
        info::<ReplyType>(),
        info::<FeeMethod>(),
        info::<RequestState>(),
        info::<RequestAction>(),
        info::<ConsultationState>(),
        info::<CommentState>(),
        info::<MessageKind>(),
        info::<MessageState>(),
        info::<MessageAction>(),
        info::<AnswerKind>(),
        info::<AlertLevel>(),
        info::<AlertObject>(),
        info::<crate::hotline::TicketKind>(),
        info::<crate::hotline::Urgency>(),
        info::<crate::hotline::TicketChannel>(),
        info::<crate::hotline::TicketState>(),
        info::<crate::hotline::TicketAction>(),
        info::<crate::hotline::EntryState>(),
        info::<crate::hotline::EntryAction>(),
        info::<OrderState>(),
        info::<OrderAction>(),
        info::<AccountabilityKind>(),
        info::<ComplaintKind>(),
        info::<ComplaintCategory>(),
        info::<ComplaintState>(),
        info::<ComplaintAction>(),
        info::<AttendanceStatus>(),
        info::<Dimension>(),
        info::<SubjectKind>(),
        info::<Period>(),
        info::<Grade>(),
        info::<EvaluationLevel>(),
        info::<EvaluationChannel>(),
        info::<RectificationState>(),
        info::<RectificationAction>(),
        info::<AppealState>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_value_is_snake_case_and_labelled() {
        for e in all_enums() {
            assert!(!e.values.is_empty(), "{} has no values", e.name);
            for (value, label) in &e.values {
                // Event types are dotted, as CloudEvents types are: snake_case words.
                let dots = e.name == "EventType";
                assert!(
                    value.chars().all(|c| c.is_ascii_lowercase()
                        || c.is_ascii_digit()
                        || c == '_'
                        || (dots && c == '.')),
                    "{}::{value} is not snake_case",
                    e.name
                );
                assert!(!label.is_empty(), "{}::{value} has no label", e.name);
            }
        }
    }

    #[test]
    fn values_round_trip() {
        use crate::org::OrgKind;
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(OrgKind::parse("Department"), None);
    }
}

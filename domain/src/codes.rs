//! The stable codes of the problems the API answers (`code` of a problem, and of each
//! field problem). Clients switch on these strings; they never change meaning. The list is
//! in the contract (the `ErrorCode` schema) and at `GET /api/v1/meta/error-codes`.

macro_rules! codes {
    ($($variant:ident = $code:literal),+ $(,)?) => {
        /// A stable problem code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant),+
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The code as it is sent.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),+ }
            }

            /// The code of a string, if it is one.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($code => Some(Code::$variant),)+ _ => None }
            }
        }
    };
}

codes! {
    AppealAlreadyDecided = "appeal.already_decided",
    AppealAlreadyMade = "appeal.already_made",
    AppealNone = "appeal.none",
    AppealNotABadReview = "appeal.not_a_bad_review",
    AppealRectificationEnded = "appeal.rectification_ended",
    ApplicantKindForNaturalPerson = "applicant.kind_for_natural_person",
    ApplicantKindRequired = "applicant.kind_required",
    AssessmentDuplicate = "assessment.duplicate",
    AssessmentNotInHall = "assessment.not_in_hall",
    AssessmentPointsRange = "assessment.points_range",
    AssessmentTooManyItems = "assessment.too_many_items",
    AttachmentEmpty = "attachment.empty",
    AttachmentTooLarge = "attachment.too_large",
    AttachmentUnsupportedType = "attachment.unsupported_type",
    AttendanceCoverNotNeeded = "attendance.cover_not_needed",
    AttendanceCoverNotWindowStaff = "attendance.cover_not_window_staff",
    AttendanceCoverSelf = "attendance.cover_self",
    AttendanceDuplicate = "attendance.duplicate",
    AttendanceNotWindowStaff = "attendance.not_window_staff",
    AttendanceOtherHall = "attendance.other_hall",
    AuthForbidden = "auth.forbidden",
    AuthInvalidCredentials = "auth.invalid_credentials",
    AuthInvalidRefreshToken = "auth.invalid_refresh_token",
    AuthTokenRevoked = "auth.token_revoked",
    AuthTooManyFailures = "auth.too_many_failures",
    AuthUnauthenticated = "auth.unauthenticated",
    CalendarAdjustedDayNotWeekend = "calendar.adjusted_day_not_weekend",
    CalendarDateOutsideYear = "calendar.date_outside_year",
    CalendarDayBothKinds = "calendar.day_both_kinds",
    CalendarDuplicateDate = "calendar.duplicate_date",
    CalendarRange = "calendar.range",
    CalendarYearRange = "calendar.year_range",
    CaseChannel = "case.channel",
    CaseClock = "case.clock",
    CaseExtensionOverLimit = "case.extension_over_limit",
    CaseExtensionTwice = "case.extension_twice",
    CaseExtensionZero = "case.extension_zero",
    CaseIllegalTransition = "case.illegal_transition",
    CaseMatterNotAccepting = "case.matter_not_accepting",
    CaseNoticeAlreadySent = "case.notice_already_sent",
    CaseProjectContainer = "case.project_container",
    CaseSameActor = "case.same_actor",
    CategoryCodeFormat = "category.code_format",
    CategoryCycle = "category.cycle",
    CategoryHasItems = "category.has_items",
    ClientRole = "client.role",
    ComplaintIllegalTransition = "complaint.illegal_transition",
    ComplaintSubjectCannotHandle = "complaint.subject_cannot_handle",
    ConflictDuplicate = "conflict.duplicate",
    ConsultationAlreadyPast = "consultation.already_past",
    ConsultationClosed = "consultation.closed",
    ConsultationIllegalTransition = "consultation.illegal_transition",
    ConsultationNotOpen = "consultation.not_open",
    CreditCodeCharset = "credit_code.charset",
    CreditCodeCheckCharacter = "credit_code.check_character",
    CreditCodeDivision = "credit_code.division",
    CreditCodeLength = "credit_code.length",
    CursorInvalid = "cursor.invalid",
    DateFuture = "date.future",
    DateOrder = "date.order",
    DatePast = "date.past",
    DisclosureAuthorCannotReview = "disclosure.author_cannot_review",
    DisclosureGroundRequired = "disclosure.ground_required",
    DisclosureGroundWithoutRefusal = "disclosure.ground_without_refusal",
    DisclosureIllegalTransition = "disclosure.illegal_transition",
    DisclosureInterpretsOnlyForInterpretation = "disclosure.interprets_only_for_interpretation",
    DisclosureInterpretsRequired = "disclosure.interprets_required",
    DisclosureNotEditable = "disclosure.not_editable",
    DisclosurePersonalData = "disclosure.personal_data",
    DisclosurePolicyNotPublished = "disclosure.policy_not_published",
    DivisionCodeFormat = "division_code.format",
    DivisionCodeProvince = "division_code.province",
    DivisionCodeRequired = "division_code.required",
    EmailFormat = "email.format",
    EnumUnknownValue = "enum.unknown_value",
    EvaluationAlreadyGiven = "evaluation.already_given",
    EvaluationCaseNotDecided = "evaluation.case_not_decided",
    EvaluationProjectContainer = "evaluation.project_container",
    EvaluationTextRequired = "evaluation.text_required",
    ExtensionAfterDueDate = "extension.after_due_date",
    FacetUnknown = "facet.unknown",
    FeeByCase = "fee.by_case",
    FeeByCaseNeedsAccount = "fee.by_case_needs_account",
    FeeByVolume = "fee.by_volume",
    FeeLegalBasis = "fee.legal_basis",
    FieldAccountOnly = "field.account_only",
    FieldNotWritable = "field.not_writable",
    FieldRequired = "field.required",
    FieldRequiredWhen = "field.required_when",
    FieldStaffOnly = "field.staff_only",
    FieldUnknown = "field.unknown",
    GradesOrder = "grades.order",
    HashFormat = "hash.format",
    IdempotencyKeyReused = "idempotency.key_reused",
    IndexFormatInvalid = "index_format.invalid",
    Internal = "internal",
    KnowledgeEntryIllegalTransition = "knowledge_entry.illegal_transition",
    KnowledgeEntryNotDraft = "knowledge_entry.not_draft",
    KnowledgeEntryOwnEntry = "knowledge_entry.own_entry",
    LengthInvalid = "length.invalid",
    ListDuplicate = "list.duplicate",
    ListEmpty = "list.empty",
    ListLength = "list.length",
    ListTooLong = "list.too_long",
    MaterialConditionOnRequired = "material.condition_on_required",
    MaterialConditionRequired = "material.condition_required",
    MaterialNotInMatter = "material.not_in_matter",
    MatterCodeFormat = "matter.code_format",
    MatterIllegalTransition = "matter.illegal_transition",
    MatterImmediateWithLimit = "matter.immediate_with_limit",
    MatterNotEditable = "matter.not_editable",
    MatterProcedureSteps = "matter.procedure_steps",
    MatterPromisedOverStatutory = "matter.promised_over_statutory",
    MatterPromisedWithoutLimit = "matter.promised_without_limit",
    MergeIntoMerged = "merge.into_merged",
    MergeSelf = "merge.self",
    MessageIllegalTransition = "message.illegal_transition",
    MoneyPositive = "money.positive",
    MonthFormat = "month.format",
    NotFound = "not_found",
    OperatorOnly = "operator.only",
    OrgCycle = "org.cycle",
    OrgInvalidParent = "org.invalid_parent",
    OrgLevelAboveParent = "org.level_above_parent",
    OrgRootMustBeGovernment = "org.root_must_be_government",
    PasswordIncorrect = "password.incorrect",
    PasswordTooLong = "password.too_long",
    PasswordTooShort = "password.too_short",
    PasswordTooSimple = "password.too_simple",
    PasswordUnchanged = "password.unchanged",
    PhoneFormat = "phone.format",
    PhoneMobileFormat = "phone.mobile_format",
    PiiBankCard = "pii.bank_card",
    PiiEmail = "pii.email",
    PiiIdNumber = "pii.id_number",
    PiiMobile = "pii.mobile",
    PreconditionStaleVersion = "precondition.stale_version",
    Range = "range",
    RateLimited = "rate_limited",
    RectificationAppealPending = "rectification.appeal_pending",
    RectificationIllegalTransition = "rectification.illegal_transition",
    ReferenceNotFound = "reference.not_found",
    RequestBodyTooLarge = "request.body_too_large",
    RequestBodyUnreadable = "request.body_unreadable",
    RequestChannel = "request.channel",
    RequestClock = "request.clock",
    RequestCorrectionLapsed = "request.correction_lapsed",
    RequestCorrectionNotLapsed = "request.correction_not_lapsed",
    RequestCorrectionOnce = "request.correction_once",
    RequestCorrectionTooLate = "request.correction_too_late",
    RequestExtensionRange = "request.extension_range",
    RequestExtensionTwice = "request.extension_twice",
    RequestFeeFree = "request.fee_free",
    RequestFeePending = "request.fee_pending",
    RequestFeeTwice = "request.fee_twice",
    RequestIllegalTransition = "request.illegal_transition",
    RequestInvalid = "request.invalid",
    RequestInvalidIdempotencyKey = "request.invalid_idempotency_key",
    RequestInvalidIfMatch = "request.invalid_if_match",
    RequestInvalidMultipart = "request.invalid_multipart",
    RequestInvalidPath = "request.invalid_path",
    RequestInvalidQuery = "request.invalid_query",
    RequestMalformedJson = "request.malformed_json",
    RequestReceiptFactMissing = "request.receipt_fact_missing",
    RequestUnsupportedMediaType = "request.unsupported_media_type",
    RoleApplicantNotStaff = "role.applicant_not_staff",
    RouteMethodNotAllowed = "route.method_not_allowed",
    RouteNotFound = "route.not_found",
    RuleNotAnomaly = "rule.not_anomaly",
    ServiceDatabaseUnavailable = "service.database_unavailable",
    StaffOnly = "staff.only",
    SupervisionOrderIllegalTransition = "supervision_order.illegal_transition",
    TextEmpty = "text.empty",
    TextEncoding = "text.encoding",
    TextLength = "text.length",
    TextNulCharacter = "text.nul_character",
    TextTooLong = "text.too_long",
    TicketExtensionPending = "ticket.extension_pending",
    TicketIllegalTransition = "ticket.illegal_transition",
    TicketNoExtensionRequest = "ticket.no_extension_request",
    TicketNotReplied = "ticket.not_replied",
    TypeInvalid = "type.invalid",
    Unique = "unique",
    UsernameFormat = "username.format",
    ValidationFailed = "validation.failed",
    ValueInvalid = "value.invalid",
    WindowAbPosts = "window.ab_posts",
    WindowStaffDuplicate = "window.staff_duplicate",
    YearFuture = "year.future",
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown code {s}")))
    }
}

/// The contract's `ErrorCode`: a string, one of the codes.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Code {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A stable problem code: clients switch on it; its meaning never changes.",
            ))
            .enum_values(Some(Code::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Code {
    fn name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn codes_are_unique_dotted_snake_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            let allowed =
                |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._".contains(ch);
            assert!(c.as_str().chars().all(allowed), "{c}");
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            let json = serde_json::to_string(c).unwrap_or_default();
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<Code>(&json).ok(), Some(*c));
        }
    }
}

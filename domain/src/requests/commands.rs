//! What is asked of an application, parsed once from a request: texts trimmed and within
//! their limits, choices made consistent. Only these values reach the rules and the store.

use crate::codes::Code;
use chrono::NaiveDate;
use serde::Serialize;

use super::{DeliveryMethod, FeeMethod, ReplyType, RequestChannel, RequestedForm};
use crate::account::{self, ApplicantType, LegalPersonKind};
use crate::ids::{DisclosureItemId, OrganizationId, UserId};
use crate::labeled_enum;
use crate::validation::{Errors, FieldError, RuleViolation};

/// How to reach the applicant: never public. Stored as it is serialised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// The applicant of a letter, visit or fax, as an officer names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedApplicant {
    pub name: String,
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    pub account: Option<UserId>,
}

/// An application, as submitted online or registered by an officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub organization_id: OrganizationId,
    pub description: String,
    pub purpose: Option<String>,
    pub requested_form: RequestedForm,
    pub delivery_method: DeliveryMethod,
    pub channel: RequestChannel,
    pub contact: Contact,
    pub applicant: Option<NamedApplicant>,
    pub submitted_on: Option<NaiveDate>,
    pub signed_on: Option<NaiveDate>,
    pub confirmed_on: Option<NaiveDate>,
}

/// The days an application was handed in and received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intake {
    pub submitted_on: NaiveDate,
    pub received_on: NaiveDate,
}

impl NewRequest {
    /// The channel fits who registers it (applicants apply online, officers register
    /// letters, visits and faxes, naming the applicant), and the received date (OGI
    /// Art.31) follows from the facts given.
    pub fn intake(&self, online: bool, today: NaiveDate) -> Result<Intake, Vec<FieldError>> {
        let mut e = Errors::new();
        match (online, self.channel) {
            (true, RequestChannel::Online)
            | (false, RequestChannel::Letter | RequestChannel::InPerson | RequestChannel::Fax) => {}
            (true, _) => e.push(
                "channel",
                RuleViolation::new(Code::RequestChannel, "applicants apply online"),
            ),
            (false, _) => e.push(
                "channel",
                RuleViolation::new(
                    Code::RequestChannel,
                    "officers register letters, visits and faxes",
                ),
            ),
        }
        if !online && self.applicant.is_none() {
            e.push(
                "applicant",
                RuleViolation::new(Code::FieldRequiredWhen, "name the applicant"),
            );
        }
        if online {
            e.finish()?;
            return Ok(Intake {
                submitted_on: today,
                received_on: today,
            });
        }
        let submitted = self.submitted_on.unwrap_or(today);
        let received = e
            .check(
                "submitted_on",
                crate::validation::event_date(submitted, None, today),
            )
            .and_then(|s| {
                let facts = (self.signed_on, self.confirmed_on);
                let r = super::received_on(self.channel, s, facts.0, facts.1, today);
                e.check("received_on", r)
            });
        e.finish()?;
        Ok(Intake {
            submitted_on: submitted,
            received_on: received.unwrap_or(submitted),
        })
    }
}

/// Checks a named applicant's type and kind.
pub fn check_applicant(
    e: &mut Errors,
    applicant_type: ApplicantType,
    kind: Option<LegalPersonKind>,
) {
    e.check(
        "applicant/legal_person_kind",
        account::applicant_kind(applicant_type, kind),
    );
}

/// One correction notice: everything to correct, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCorrection {
    pub items: String,
    pub correction_due: NaiveDate,
}

/// The correction, possibly with a new description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubmitCorrection {
    pub description: Option<String>,
}

labeled_enum! {
    /// Why the clock stops: a third party (OGI Art.32) or another agency (Art.34) is
    /// consulted, or a fee is due (Art.42).
    pub enum StopKind {
        ThirdParty = ("third_party", "征求第三方意见"),
        Agency = ("agency", "征求其他机关意见"),
        Fee = ("fee", "收费"),
    }
}

/// Whom to consult.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consult {
    pub kind: StopKind,
    pub party: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOpinion {
    pub opinion: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extend {
    pub working_days: u32,
    pub reason: String,
}

/// How the fee is counted: by case (from the applicant's applications of the month) or by
/// the pages of the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeBasis {
    ByCase,
    ByVolume { pages: u32 },
}

impl FeeBasis {
    pub fn method(self) -> FeeMethod {
        match self {
            FeeBasis::ByCase => FeeMethod::ByCase,
            FeeBasis::ByVolume { .. } => FeeMethod::ByVolume,
        }
    }
}

/// What was provided with a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provided {
    pub disclosure_id: Option<DisclosureItemId>,
    pub description: String,
}

/// A reply, with the agency for `unable_not_held` and what was provided for a disclosure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub reply_type: ReplyType,
    pub text: String,
    pub responsible_agency: Option<String>,
    pub provided_items: Vec<Provided>,
}

impl Reply {
    /// The checks a reply's own fields need: the agency of an `unable_not_held`, the items
    /// of a disclosure.
    pub fn check(&self, e: &mut Errors) {
        if self.reply_type.needs_agency() && self.responsible_agency.is_none() {
            e.push(
                "responsible_agency",
                RuleViolation::new(
                    Code::FieldRequiredWhen,
                    "name the agency that holds the information",
                ),
            );
        }
        if self.reply_type.provides_information() && self.provided_items.is_empty() {
            e.push(
                "provided_items",
                RuleViolation::new(Code::ListEmpty, "list what is provided"),
            );
        }
    }
}

/// While a fee is due the only reply is `other_unpaid_fee`, and only after its deadline.
pub fn check_reply_while_fee_due(
    reply_type: ReplyType,
    fee_due: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), RuleViolation> {
    let lapsed = fee_due.is_some_and(|d| today > d);
    if reply_type != ReplyType::OtherUnpaidFee || !lapsed {
        return Err(RuleViolation::new(
            Code::RequestFeePending,
            "while a fee is due the only reply is other_unpaid_fee, after its deadline",
        ));
    }
    Ok(())
}

/// The deadline of a correction lies after today.
pub fn check_correction_due(due: NaiveDate, today: NaiveDate) -> Result<(), RuleViolation> {
    if due <= today {
        return Err(RuleViolation::new(
            Code::DatePast,
            "the deadline is after today",
        ));
    }
    Ok(())
}

/// The fee of an application, by its basis; `nth` is which application of its month it is
/// for a registered applicant (by case), `None` without an account.
pub fn fee_of(basis: FeeBasis, nth: Option<u32>) -> Result<i64, RuleViolation> {
    match (basis, nth) {
        (FeeBasis::ByVolume { pages }, _) => Ok(super::fee_by_volume(pages)),
        (FeeBasis::ByCase, Some(n)) => Ok(super::fee_by_case(n)),
        (FeeBasis::ByCase, None) => Err(RuleViolation::new(
            Code::FeeByCaseNeedsAccount,
            "a fee by case counts a registered applicant's applications",
        )),
    }
}

/// One fee per application, by case or by volume, never both.
pub fn check_one_fee(already: Option<FeeMethod>) -> Result<(), RuleViolation> {
    if already.is_some() {
        return Err(RuleViolation::new(
            Code::RequestFeeTwice,
            "one fee per application, by case or by volume, never both",
        ));
    }
    Ok(())
}

/// A fee notice is sent only when the calculator gives a fee.
pub fn check_fee_due(amount: i64) -> Result<(), RuleViolation> {
    if amount == 0 {
        return Err(RuleViolation::new(
            Code::RequestFeeFree,
            "the calculator gives no fee for this application",
        ));
    }
    Ok(())
}

/// The reply that closes an application whose correction deadline passed (视为放弃).
pub const LAPSED_REPLY_TEXT: &str = "申请人无正当理由逾期不补正，视为放弃申请。";

labeled_enum! {
    /// A remedy the applicant sought against the handling of an application.
    pub enum RemedyKind {
        Reconsideration = ("reconsideration", "行政复议"),
        LitigationDirect = ("litigation_direct", "直接起诉"),
        LitigationAfterReconsideration = ("litigation_after_reconsideration", "复议后起诉"),
    }
}

labeled_enum! {
    /// How a remedy ended.
    pub enum RemedyOutcome {
        Upheld = ("upheld", "维持"),
        Corrected = ("corrected", "纠错"),
        Other = ("other", "其他"),
        Pending = ("pending", "尚未审结"),
    }
}

/// A reconsideration or lawsuit recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRemedy {
    pub kind: RemedyKind,
    pub filed_on: NaiveDate,
    pub outcome: RemedyOutcome,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
}

impl NewRemedy {
    /// Filed after the application was received, decided after the filing, neither ahead.
    pub fn check_dates(
        &self,
        received_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::new();
        let receipt = Some((received_on, "the application's receipt"));
        let filed = crate::validation::event_date(self.filed_on, receipt, today);
        if let Some(filed) = e.check("filed_on", filed)
            && let Some(decided) = self.decided_on
        {
            let after = Some((filed, "the filing"));
            e.check(
                "decided_on",
                crate::validation::event_date(decided, after, today),
            );
        }
        e.finish()
    }
}

/// A remedy's outcome updated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateRemedy {
    pub outcome: RemedyOutcome,
    pub decided_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    fn letter() -> NewRequest {
        NewRequest {
            organization_id: OrganizationId::new(),
            description: "资金明细".to_owned(),
            purpose: None,
            requested_form: RequestedForm::Paper,
            delivery_method: DeliveryMethod::Post,
            channel: RequestChannel::Letter,
            contact: Contact::default(),
            applicant: None,
            submitted_on: Some(d("2025-09-26")),
            signed_on: Some(d("2025-09-29")),
            confirmed_on: None,
        }
    }

    #[test]
    fn the_channel_fits_who_registers() {
        let today = d("2025-09-30");
        let codes = |r: Result<Intake, Vec<FieldError>>| {
            r.err()
                .map(|v| v.into_iter().map(|e| e.violation.code).collect::<Vec<_>>())
        };
        assert_eq!(
            codes(letter().intake(true, today)),
            Some(vec![Code::RequestChannel])
        );
        assert_eq!(
            codes(letter().intake(false, today)),
            Some(vec![Code::FieldRequiredWhen])
        );
        let mut named = letter();
        named.applicant = Some(NamedApplicant {
            name: "张三".to_owned(),
            applicant_type: ApplicantType::NaturalPerson,
            legal_person_kind: None,
            account: None,
        });
        assert_eq!(
            named.intake(false, today),
            Ok(Intake {
                submitted_on: d("2025-09-26"),
                received_on: d("2025-09-29")
            })
        );
    }

    #[test]
    fn fees_and_replies() {
        assert_eq!(fee_of(FeeBasis::ByCase, Some(11)), Ok(10_000));
        assert!(fee_of(FeeBasis::ByCase, None).is_err());
        assert_eq!(fee_of(FeeBasis::ByVolume { pages: 31 }, None), Ok(1_000));
        assert!(check_one_fee(Some(FeeMethod::ByCase)).is_err());
        assert!(check_one_fee(None).is_ok());
        assert!(check_fee_due(0).is_err());
        let due = Some(d("2025-10-20"));
        let unpaid = ReplyType::OtherUnpaidFee;
        assert!(check_reply_while_fee_due(unpaid, due, d("2025-10-20")).is_err());
        assert!(check_reply_while_fee_due(unpaid, due, d("2025-10-21")).is_ok());
        assert!(check_reply_while_fee_due(ReplyType::Disclosed, due, d("2025-10-21")).is_err());
        assert!(check_correction_due(d("2025-10-20"), d("2025-10-20")).is_err());
    }
}

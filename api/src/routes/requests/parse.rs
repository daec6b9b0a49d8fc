//! Each body parsed once into its command: texts trimmed and within their limits, field
//! errors collected and answered together (422).

use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{DisclosureItemId, OrganizationId, UserId};
use zhengwu_domain::requests::commands::{
    self as cmd, Contact as ContactCmd, FeeBasis, NamedApplicant, NewRemedy, NewRequest, Provided,
    StopKind, UpdateRemedy,
};
use zhengwu_domain::requests::{FeeMethod, commands};
use zhengwu_domain::validation::{self, Errors};

use super::dto::{
    ConsultIn, ConsultKind, Contact, CorrectionIn, CreateRequest, FeeNoticeIn, OpinionIn, RemedyIn,
    RemedyKind, RemedyOutcome, RemedyUpdate, RequestExtendIn, RequestReplyIn, SubmitCorrectionIn,
};
use crate::error::{ApiError, ApiResult};

/// Trimmed, non-empty text of at most `max` characters at `field`.
fn text(e: &mut Errors, field: &str, v: &str, max: usize) -> String {
    e.check(field, validation::text(v, max)).unwrap_or_default()
}

/// Optional text: trimmed and checked when given.
fn opt_text(e: &mut Errors, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    e.check_opt(field, v, |x| validation::text(x, max))
}

fn done<T>(e: Errors, value: T) -> ApiResult<T> {
    e.finish()?;
    Ok(value)
}

impl Contact {
    fn parse(&self, e: &mut Errors) -> ContactCmd {
        ContactCmd {
            phone: e.check_opt("contact/phone", self.phone.as_deref(), validation::phone),
            email: e.check_opt("contact/email", self.email.as_deref(), validation::email),
            address: opt_text(e, "contact/address", self.address.as_deref(), 300),
        }
    }
}

impl CreateRequest {
    pub fn parse(self) -> ApiResult<NewRequest> {
        let mut e = Errors::new();
        let applicant = self.applicant.map(|a| {
            cmd::check_applicant(&mut e, a.applicant_type, a.legal_person_kind);
            NamedApplicant {
                name: text(&mut e, "applicant/name", &a.name, 100),
                applicant_type: a.applicant_type,
                legal_person_kind: a.legal_person_kind,
                account: a.user_id.map(UserId),
            }
        });
        let parsed = NewRequest {
            organization_id: OrganizationId(self.organization_id),
            description: text(&mut e, "description", &self.description, 5000),
            purpose: opt_text(&mut e, "purpose", self.purpose.as_deref(), 1000),
            requested_form: self.requested_form,
            delivery_method: self.delivery_method,
            channel: self.channel,
            contact: self.contact.parse(&mut e),
            applicant,
            submitted_on: self.submitted_on,
            signed_on: self.signed_on,
            confirmed_on: self.confirmed_on,
        };
        done(e, parsed)
    }
}

impl CorrectionIn {
    pub fn parse(self) -> ApiResult<commands::RequestCorrection> {
        let mut e = Errors::new();
        let items = text(&mut e, "items", &self.items, 2000);
        let correction_due = self.correction_due;
        done(
            e,
            commands::RequestCorrection {
                items,
                correction_due,
            },
        )
    }
}

impl SubmitCorrectionIn {
    pub fn parse(self) -> ApiResult<commands::SubmitCorrection> {
        let mut e = Errors::new();
        let description = opt_text(&mut e, "description", self.description.as_deref(), 5000);
        done(e, commands::SubmitCorrection { description })
    }
}

impl ConsultIn {
    pub fn parse(self) -> ApiResult<commands::Consult> {
        let mut e = Errors::new();
        let kind = match self.kind {
            ConsultKind::ThirdParty => StopKind::ThirdParty,
            ConsultKind::Agency => StopKind::Agency,
        };
        let party = text(&mut e, "party", &self.party, 200);
        done(e, commands::Consult { kind, party })
    }
}

impl OpinionIn {
    pub fn parse(self) -> ApiResult<commands::RecordOpinion> {
        let mut e = Errors::new();
        let opinion = text(&mut e, "opinion", &self.opinion, 5000);
        done(e, commands::RecordOpinion { opinion })
    }
}

impl RequestExtendIn {
    pub fn parse(self) -> ApiResult<commands::Extend> {
        let mut e = Errors::new();
        let reason = text(&mut e, "reason", &self.reason, 1000);
        let working_days = self.working_days;
        done(
            e,
            commands::Extend {
                working_days,
                reason,
            },
        )
    }
}

impl FeeNoticeIn {
    pub fn parse(self) -> ApiResult<FeeBasis> {
        match (self.method, self.pages) {
            (FeeMethod::ByVolume, Some(pages)) => Ok(FeeBasis::ByVolume { pages }),
            (FeeMethod::ByVolume, None) => Err(ApiError::field(
                "/pages",
                Code::FieldRequiredWhen,
                "a fee by volume counts the pages",
            )),
            (FeeMethod::ByCase, _) => Ok(FeeBasis::ByCase),
        }
    }
}

impl RequestReplyIn {
    pub fn parse(self) -> ApiResult<commands::Reply> {
        let mut e = Errors::new();
        let provided_items = self
            .provided_items
            .into_iter()
            .map(|p| Provided {
                disclosure_id: p.disclosure_id.map(DisclosureItemId),
                description: p.description.trim().to_owned(),
            })
            .collect();
        let agency = self.responsible_agency.as_deref().map(str::trim);
        let reply = commands::Reply {
            reply_type: self.reply_type,
            text: text(&mut e, "text", &self.text, 20_000),
            responsible_agency: agency.filter(|a| !a.is_empty()).map(str::to_owned),
            provided_items,
        };
        reply.check(&mut e);
        done(e, reply)
    }
}

fn kind_of(k: RemedyKind) -> cmd::RemedyKind {
    match k {
        RemedyKind::Reconsideration => cmd::RemedyKind::Reconsideration,
        RemedyKind::LitigationDirect => cmd::RemedyKind::LitigationDirect,
        RemedyKind::LitigationAfterReconsideration => {
            cmd::RemedyKind::LitigationAfterReconsideration
        }
    }
}

fn outcome_of(o: RemedyOutcome) -> cmd::RemedyOutcome {
    match o {
        RemedyOutcome::Upheld => cmd::RemedyOutcome::Upheld,
        RemedyOutcome::Corrected => cmd::RemedyOutcome::Corrected,
        RemedyOutcome::Other => cmd::RemedyOutcome::Other,
        RemedyOutcome::Pending => cmd::RemedyOutcome::Pending,
    }
}

/// A note is kept trimmed; an empty one is no note.
fn note(v: Option<String>) -> Option<String> {
    v.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty())
}

impl RemedyIn {
    pub fn parse(self) -> NewRemedy {
        NewRemedy {
            kind: kind_of(self.kind),
            filed_on: self.filed_on,
            outcome: outcome_of(self.outcome),
            decided_on: self.decided_on,
            note: note(self.note),
        }
    }
}

impl RemedyUpdate {
    pub fn parse(self) -> UpdateRemedy {
        UpdateRemedy {
            outcome: outcome_of(self.outcome),
            decided_on: self.decided_on,
            note: note(self.note),
        }
    }
}

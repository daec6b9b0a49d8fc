//! The commands a case is moved by, as the HTTP layer parses them from a request: trimmed,
//! checked, and only then handed to the use cases.

use crate::codes::Code;
use chrono::NaiveDate;

use super::{CaseAction, Decision, SpecialProcedure, SubmittedMaterial};
use crate::ids::UserId;

// What is wrong with a material in a one-time notice (no doc comment: it would become
// the description of the API schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MaterialProblem {
    Missing,
    Defective,
}

/// One item of a one-time notice (一次性告知).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingMaterial {
    pub material: String,
    pub problem: MaterialProblem,
    pub note: Option<String>,
}

/// A special procedure to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    pub procedure: SpecialProcedure,
    pub reason: String,
    pub expected_end: Option<NaiveDate>,
}

/// An extension of the time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub working_days: u32,
    pub reason: String,
}

/// A review step (审核, 决定 …) with its opinion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewStep {
    pub name: String,
    pub opinion: String,
}

/// A decision: an approval names its result document, a denial gives its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideCase {
    pub decision: Decision,
    pub reason: Option<String>,
    pub result_number: Option<String>,
}

/// The delivery of the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub method: String,
    pub delivered_on: Option<NaiveDate>,
}

/// One fee charged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub name: String,
    pub amount_fen: i64,
}

/// One action on a case, with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseCommand {
    /// With the official's note, if any.
    Accept(Option<String>),
    Refuse(String),
    NotifyMissing(Vec<MissingMaterial>),
    Resubmit(Vec<SubmittedMaterial>),
    Assign(UserId),
    Step(ReviewStep),
    Suspend(Suspension),
    /// With the official's note, if any.
    Resume(Option<String>),
    Extend(Extension),
    Decide(DecideCase),
    Deliver(Delivery),
    Charge(Vec<Charge>),
}

impl CaseCommand {
    pub fn action(&self) -> CaseAction {
        match self {
            CaseCommand::Accept(_) => CaseAction::Accept,
            CaseCommand::Refuse(_) => CaseAction::Refuse,
            CaseCommand::NotifyMissing(_) => CaseAction::NotifyMissing,
            CaseCommand::Resubmit(_) => CaseAction::Resubmit,
            CaseCommand::Assign(_) => CaseAction::Assign,
            CaseCommand::Step(_) => CaseAction::Step,
            CaseCommand::Suspend(_) => CaseAction::Suspend,
            CaseCommand::Resume(_) => CaseAction::Resume,
            CaseCommand::Extend(_) => CaseAction::Extend,
            CaseCommand::Decide(_) => CaseAction::Decide,
            CaseCommand::Deliver(_) => CaseAction::Deliver,
            CaseCommand::Charge(_) => CaseAction::Charge,
        }
    }
}

// How an application is made (no doc comment: see `MaterialProblem`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseChannel {
    Window,
    Web,
    Mobile,
    Post,
}

impl CaseChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseChannel::Window => "window",
            CaseChannel::Web => "web",
            CaseChannel::Mobile => "mobile",
            CaseChannel::Post => "post",
        }
    }

    /// Applicants apply online; clerks take applications at a window or by post.
    pub fn check_for(self, applicant: bool) -> Result<(), crate::validation::RuleViolation> {
        use crate::validation::RuleViolation;
        match (applicant, self) {
            (true, CaseChannel::Web | CaseChannel::Mobile)
            | (false, CaseChannel::Window | CaseChannel::Post) => Ok(()),
            (true, _) => Err(RuleViolation::new(
                Code::CaseChannel,
                "applicants apply on web or mobile",
            )),
            (false, _) => Err(RuleViolation::new(
                Code::CaseChannel,
                "clerks take applications at a window or by post",
            )),
        }
    }
}

/// The applicant, when a clerk applies on someone's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnBehalfOf {
    pub name: String,
    pub applicant_type: crate::account::ApplicantType,
    pub phone: Option<String>,
    /// The applicant's account, if registered.
    pub user_id: Option<UserId>,
}

/// An application: one matter, or several for a parallel-approval project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub matter_ids: Vec<crate::ids::MatterId>,
    pub channel: CaseChannel,
    pub window_id: Option<crate::ids::WindowId>,
    /// Set by clerks; applicants apply for themselves.
    pub applicant: Option<OnBehalfOf>,
    pub materials: Vec<SubmittedMaterial>,
    pub project_name: Option<String>,
    pub green_channel: bool,
}

impl Application {
    /// The rules that depend on who applies: the channel, and a clerk names the applicant.
    pub fn check_for(&self, applicant: bool) -> Result<(), Vec<crate::validation::FieldError>> {
        use crate::validation::{Errors, RuleViolation};
        let mut e = Errors::new();
        e.check("channel", self.channel.check_for(applicant));
        if !applicant && self.applicant.is_none() {
            e.push(
                "applicant",
                RuleViolation::new(Code::FieldRequiredWhen, "a clerk names the applicant"),
            );
        }
        e.finish()
    }

    /// Several matters make a parallel-approval project.
    pub fn is_project(&self) -> bool {
        self.matter_ids.len() > 1
    }
}

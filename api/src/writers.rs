//! Who may give a value to each field of the request bodies that applicants or the public
//! send: one table per body, declared here, checked by one function at the start of each
//! such handler. Staff set what is theirs to decide (the window of intake, the green
//! channel, the applicant of a letter, the classification of a ticket); an applicant or a
//! member of the public who sends such a field gets 403 naming it, and nothing is written.
//!
//! Values the server sets (ids, numbers, states, versions, dates of record, the submitter)
//! are no field of any body: every request body refuses unknown members (422
//! `field.unknown`).

use actix_web::http::StatusCode;
use serde_json::{Value, json};
use zhengwu_domain::account::Role;
use zhengwu_domain::codes::Code;

use crate::auth::Principal;
use crate::error::{ApiError, FieldProblem};
use crate::extract::ApiJson;

/// Who is sending a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// Staff and the machine clients of other systems.
    Staff,
    /// A signed-in applicant.
    Applicant,
    /// Nobody signed in.
    Public,
}

impl Caller {
    pub fn of(auth: Option<&Principal>) -> Caller {
        match auth {
            None => Caller::Public,
            Some(p) if p.role == Role::Applicant => Caller::Applicant,
            Some(_) => Caller::Staff,
        }
    }
}

/// Who may give a field a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// Whoever may send the request.
    Anyone,
    /// Staff only.
    Staff,
    /// Account holders only (not the public): e.g. naming a case of one's own.
    Account,
}

impl Writer {
    pub fn allows(self, caller: Caller) -> bool {
        match self {
            Writer::Anyone => true,
            Writer::Staff => caller == Caller::Staff,
            Writer::Account => caller != Caller::Public,
        }
    }

    /// The code of a field this writer alone may set.
    pub fn refusal(self) -> Code {
        match self {
            Writer::Staff => Code::FieldStaffOnly,
            // Anyone may write it: never refused; answered as the narrower rule.
            Writer::Account | Writer::Anyone => Code::FieldAccountOnly,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Writer::Anyone => "anyone",
            Writer::Staff => "staff",
            Writer::Account => "account",
        }
    }
}

/// One field of a body and who may set it. `default` is the value that means "not set"
/// (besides absence and `null`), as JSON text: `false` for a flag.
#[derive(Debug, Clone, Copy)]
pub struct FieldRule {
    pub field: &'static str,
    pub writer: Writer,
    pub default: Option<&'static str>,
}

const fn anyone(field: &'static str) -> FieldRule {
    FieldRule {
        field,
        writer: Writer::Anyone,
        default: None,
    }
}

const fn staff(field: &'static str, default: Option<&'static str>) -> FieldRule {
    FieldRule {
        field,
        writer: Writer::Staff,
        default,
    }
}

const fn account(field: &'static str) -> FieldRule {
    FieldRule {
        field,
        writer: Writer::Account,
        default: None,
    }
}

/// The bodies and their rules. Every field of each body is listed (a test compares them
/// with the contract).
pub const FORMS: &[(&str, &[FieldRule])] = &[
    (
        "createToken",
        &[
            anyone("grant_type"),
            anyone("username"),
            anyone("password"),
            anyone("client_id"),
            anyone("client_secret"),
        ],
    ),
    ("refreshToken", &[anyone("refresh_token")]),
    (
        "changeOwnPassword",
        &[anyone("current_password"), anyone("new_password")],
    ),
    ("logOut", &[anyone("refresh_token")]),
    (
        "registerApplicant",
        &[
            anyone("username"),
            anyone("password"),
            anyone("display_name"),
            anyone("applicant_type"),
            anyone("legal_person_kind"),
            anyone("phone"),
            anyone("email"),
        ],
    ),
    (
        "createCase",
        &[
            anyone("matter_ids"),
            // Applicants apply on `web` or `mobile`, clerks at a `window` or by `post`.
            anyone("channel"),
            anyone("materials"),
            anyone("project_name"),
            // Staff take in at a window for someone; applicants apply for themselves.
            staff("window_id", None),
            staff("applicant", None),
            // The green channel (绿色通道) for key projects is granted by staff.
            staff("green_channel", Some("false")),
        ],
    ),
    ("resubmitCaseMaterials", &[anyone("materials")]),
    (
        "createDisclosureRequest",
        &[
            anyone("organization_id"),
            anyone("description"),
            anyone("purpose"),
            anyone("requested_form"),
            anyone("delivery_method"),
            // Applicants apply `online`; officers register letters, visits and faxes.
            anyone("channel"),
            anyone("contact"),
            // The facts that fix the received date of a letter, visit or fax (OGI
            // Art.31) are the officer's to record; online it is the day it arrives.
            staff("applicant", None),
            staff("submitted_on", None),
            staff("signed_on", None),
            staff("confirmed_on", None),
        ],
    ),
    (
        "submitDisclosureRequestCorrection",
        &[anyone("description")],
    ),
    (
        "createConsultationComment",
        &[anyone("text"), anyone("display_name"), anyone("contact")],
    ),
    (
        "createPublicMessage",
        &[
            anyone("kind"),
            anyone("organization_id"),
            anyone("subject"),
            anyone("text"),
            anyone("name"),
            anyone("contact"),
        ],
    ),
    (
        "createComplaint",
        &[
            anyone("kind"),
            anyone("category"),
            anyone("organization_id"),
            anyone("window_id"),
            anyone("staff_id"),
            anyone("text"),
            anyone("name"),
            anyone("contact"),
            // A case of one's own: only a signed-in applicant has one.
            account("case_id"),
        ],
    ),
    (
        "createTicket",
        &[
            anyone("center_id"),
            anyone("kind"),
            // The public submits on the web; operators record the phone, SMS, …
            anyone("channel"),
            anyone("subject"),
            anyone("description"),
            anyone("location"),
            anyone("caller_name"),
            anyone("caller_contact"),
            // Operators triage: the urgency sets the department's deadline (emergencies
            // the same day), and a classified ticket is never shown publicly.
            staff("urgency", Some("\"normal\"")),
            staff("classified", Some("false")),
        ],
    ),
    (
        "evaluateCase",
        &[anyone("level"), anyone("channel"), anyone("text")],
    ),
];

/// The rules of an operation's body.
pub fn rules_of(operation: &str) -> Option<&'static [FieldRule]> {
    FORMS
        .iter()
        .find(|(op, _)| *op == operation)
        .map(|(_, rules)| *rules)
}

/// The fields of `members` (see [`ApiJson::members`]) that `caller` may not set.
pub fn refused(
    rules: &'static [FieldRule],
    caller: Caller,
    members: &[(String, Option<Value>)],
) -> Vec<&'static FieldRule> {
    rules
        .iter()
        .filter(|r| !r.writer.allows(caller))
        .filter(|r| {
            members.iter().any(|(name, value)| {
                name == r.field
                    && match (value, r.default) {
                        (Some(v), Some(d)) => {
                            serde_json::from_str::<Value>(d).ok().as_ref() != Some(v)
                        }
                        _ => true,
                    }
            })
        })
        .collect()
}

/// 403 naming every field of the body that the caller may not set.
pub fn check<T>(
    operation: &str,
    auth: Option<&Principal>,
    body: &ApiJson<T>,
) -> Result<(), ApiError> {
    let Some(rules) = rules_of(operation) else {
        log::error!("no field rules for {operation}");
        return Err(ApiError::internal());
    };
    let caller = Caller::of(auth);
    let refused = refused(rules, caller, &body.members);
    if refused.is_empty() {
        return Ok(());
    }
    let mut e = ApiError::new(
        StatusCode::FORBIDDEN,
        Code::FieldNotWritable,
        "Your role does not allow this",
    )
    .detail(format!(
        "{} may only be set by {}",
        refused
            .iter()
            .map(|r| r.field)
            .collect::<Vec<_>>()
            .join(", "),
        if refused.iter().all(|r| r.writer == Writer::Account) {
            "a signed-in account"
        } else {
            "staff"
        }
    ))
    .context(json!({"caller": format!("{caller:?}").to_lowercase()}));
    e.errors = refused
        .iter()
        .map(|r| FieldProblem {
            pointer: format!("/{}", r.field),
            code: r.writer.refusal(),
            message: match r.writer {
                Writer::Account => "sign in to set this".to_owned(),
                _ => "set by staff only".to_owned(),
            },
        })
        .collect();
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(v: Value) -> Vec<(String, Option<Value>)> {
        v.as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), (!v.is_object()).then(|| v.clone())))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn names(v: Vec<&FieldRule>) -> Vec<&str> {
        v.iter().map(|r| r.field).collect()
    }

    #[test]
    fn staff_fields_are_refused_to_others_unless_left_at_their_default() {
        let rules = rules_of("createCase").unwrap_or_default();
        let body = members(
            json!({"matter_ids": [], "channel": "web", "green_channel": true,
            "window_id": "x", "applicant": null}),
        );
        assert_eq!(
            names(refused(rules, Caller::Applicant, &body)),
            vec!["window_id", "green_channel"]
        );
        assert!(refused(rules, Caller::Staff, &body).is_empty());
        let default = members(json!({"channel": "web", "green_channel": false}));
        assert!(refused(rules, Caller::Applicant, &default).is_empty());
        let tickets = rules_of("createTicket").unwrap_or_default();
        let normal = members(json!({"urgency": "normal", "classified": false}));
        assert!(refused(tickets, Caller::Public, &normal).is_empty());
        let urgent = members(json!({"urgency": "emergency"}));
        assert_eq!(
            names(refused(tickets, Caller::Public, &urgent)),
            vec!["urgency"]
        );
    }

    #[test]
    fn account_fields_need_a_signed_in_caller() {
        let rules = rules_of("createComplaint").unwrap_or_default();
        let body = members(json!({"case_id": "x"}));
        assert_eq!(
            names(refused(rules, Caller::Public, &body)),
            vec!["case_id"]
        );
        assert!(refused(rules, Caller::Applicant, &body).is_empty());
    }

    #[test]
    fn every_form_lists_each_field_once() {
        for (op, rules) in FORMS {
            let mut fields: Vec<_> = rules.iter().map(|r| r.field).collect();
            fields.sort_unstable();
            let n = fields.len();
            fields.dedup();
            assert_eq!(fields.len(), n, "{op}");
            for r in rules.iter() {
                if let Some(d) = r.default {
                    assert!(serde_json::from_str::<Value>(d).is_ok(), "{op} {}", r.field);
                }
            }
        }
    }
}

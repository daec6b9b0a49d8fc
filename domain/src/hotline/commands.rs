//! The hotline's commands, parsed once from a request: trimmed, checked, valid by
//! construction. Only these values are stored.

use crate::codes::Code;
use chrono::NaiveDate;

use super::{TicketChannel, TicketKind, Urgency};
use crate::ids::{DisclosureItemId, MatterId, OrganizationId, TicketId};
use crate::validation::{self, Errors, FieldError, RuleViolation};

type Parsed<T> = Result<T, Vec<FieldError>>;

/// How to reach a caller: never public.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A ticket as submitted, before it is checked against who takes it.
#[derive(Debug, Clone)]
pub struct TicketForm {
    pub center_id: Option<OrganizationId>,
    pub kind: TicketKind,
    pub urgency: Urgency,
    pub channel: Option<TicketChannel>,
    pub subject: String,
    pub description: String,
    pub location: Option<String>,
    pub caller_name: Option<String>,
    pub caller_contact: Option<Contact>,
    pub classified: bool,
}

/// Who takes a ticket: an operator (with their organisation), someone signed in, or the
/// anonymous public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intake {
    pub signed_in: bool,
    pub operator: bool,
    pub operator_org: Option<OrganizationId>,
}

/// A ticket to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub center: OrganizationId,
    pub kind: TicketKind,
    pub urgency: Urgency,
    pub channel: TicketChannel,
    pub subject: String,
    pub description: String,
    pub location: Option<String>,
    pub caller_name: Option<String>,
    pub caller_contact: Option<Contact>,
    pub classified: bool,
}

impl NewTicket {
    /// The public leaves a contact for the reply and submits online; an operator's own
    /// organisation is the centre when none is named.
    pub fn parse(f: TicketForm, intake: Intake) -> Parsed<Self> {
        let mut e = Errors::new();
        let subject = e.check("subject", validation::text(&f.subject, 200));
        let description = e.check("description", validation::text(&f.description, 5000));
        let location = e.check_opt("location", f.location.as_deref(), |v| {
            validation::text(v, 200)
        });
        let caller_name = e.check_opt("caller_name", f.caller_name.as_deref(), |v| {
            validation::text(v, 50)
        });
        let caller_contact = match &f.caller_contact {
            None if !intake.signed_in => {
                e.push(
                    "caller_contact",
                    RuleViolation::new(
                        Code::FieldRequiredWhen,
                        "leave a phone number or e-mail for the reply",
                    ),
                );
                None
            }
            None => None,
            Some(c) => Some(Contact {
                phone: e.check_opt(
                    "caller_contact/phone",
                    c.phone.as_deref(),
                    validation::phone,
                ),
                email: e.check_opt(
                    "caller_contact/email",
                    c.email.as_deref(),
                    validation::email,
                ),
            }),
        };
        if !intake.operator && f.channel.is_some_and(|c| c != TicketChannel::Web) {
            e.push(
                "channel",
                RuleViolation::new(Code::OperatorOnly, "online submissions are web"),
            );
        }
        let center = f.center_id.or(intake.operator_org);
        if center.is_none() {
            e.push(
                "center_id",
                RuleViolation::new(Code::FieldRequiredWhen, "name the hotline centre"),
            );
        }
        e.finish()?;
        Ok(NewTicket {
            center: center.unwrap_or_default(),
            kind: f.kind,
            urgency: f.urgency,
            channel: f.channel.unwrap_or(TicketChannel::Web),
            subject: subject.unwrap_or_default(),
            description: description.unwrap_or_default(),
            location,
            caller_name,
            caller_contact,
            classified: f.classified,
        })
    }
}

/// A text of a step: one problem at a time, named by its pointer.
fn text(field: &str, value: Option<&str>, required: bool, max: usize) -> Parsed<Option<String>> {
    let mut e = Errors::new();
    let out = match value {
        Some(v) => e.check(field, validation::text(v, max)),
        None if required => {
            e.push(
                field,
                RuleViolation::new(Code::FieldRequiredWhen, "required"),
            );
            None
        }
        None => None,
    };
    e.finish().map(|()| out)
}

fn note(value: Option<&str>) -> Parsed<Option<String>> {
    text("/note", value, false, 1000)
}

fn required(field: &str, value: &str, max: usize) -> Parsed<String> {
    text(field, Some(value), true, max).map(Option::unwrap_or_default)
}

/// 派单: to the responsible department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchTicket {
    pub organization: OrganizationId,
    pub note: Option<String>,
}

impl DispatchTicket {
    pub fn parse(organization: OrganizationId, note_text: Option<&str>) -> Parsed<Self> {
        Ok(Self {
            organization,
            note: note(note_text)?,
        })
    }
}

/// 退单: not the department's, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTicket {
    pub reason: String,
}

impl ReturnTicket {
    pub fn parse(reason: &str) -> Parsed<Self> {
        Ok(Self {
            reason: required("/reason", reason, 1000)?,
        })
    }
}

/// More working days (1–30), with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestExtension {
    pub days: u32,
    pub reason: String,
}

impl RequestExtension {
    pub fn parse(days: u32, reason: &str) -> Parsed<Self> {
        let reason = required("/reason", reason, 1000)?;
        if !(1..=30).contains(&days) {
            let mut e = Errors::new();
            e.push(
                "/days",
                RuleViolation::new(Code::Range, "1 to 30 working days"),
            );
            e.finish()?;
        }
        Ok(Self { days, reason })
    }
}

/// The extension request as it waits on the ticket (and in its trail).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PendingExtension {
    pub days: u32,
    pub reason: String,
    pub requested_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecideExtension {
    pub approved: bool,
    pub note: Option<String>,
}

impl DecideExtension {
    pub fn parse(approved: bool, note_text: Option<&str>) -> Parsed<Self> {
        Ok(Self {
            approved,
            note: note(note_text)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyTicket {
    pub reply: String,
    /// Asked to be listed among the public answers.
    pub public: bool,
}

impl ReplyTicket {
    pub fn parse(reply: &str, public: bool) -> Parsed<Self> {
        Ok(Self {
            reply: required("/reply", reply, 5000)?,
            public,
        })
    }
}

/// 回访: an unsatisfied caller's note is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackTicket {
    pub satisfied: bool,
    pub note: Option<String>,
}

impl CallbackTicket {
    pub fn parse(satisfied: bool, note_text: Option<&str>) -> Parsed<Self> {
        Ok(Self {
            satisfied,
            note: text("/note", note_text, !satisfied, 1000)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseTicket {
    pub note: Option<String>,
}

impl CloseTicket {
    pub fn parse(note_text: Option<&str>) -> Parsed<Self> {
        Ok(Self {
            note: note(note_text)?,
        })
    }
}

/// Into the ticket this one duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeTicket {
    pub into: TicketId,
    pub note: Option<String>,
}

impl MergeTicket {
    pub fn parse(into: TicketId, note_text: Option<&str>) -> Parsed<Self> {
        Ok(Self {
            into,
            note: note(note_text)?,
        })
    }

    /// A ticket is merged into another one.
    pub fn check_target(&self, id: TicketId) -> Parsed<()> {
        let mut e = Errors::new();
        if self.into == id {
            e.push(
                "/into",
                RuleViolation::new(Code::MergeSelf, "another ticket"),
            );
        }
        e.finish()
    }
}

/// At most this many links of each kind on an entry.
pub const MAX_ENTRY_LINKS: usize = 50;

/// `valid_to` is not before `valid_from`.
pub fn check_validity(e: &mut Errors, from: Option<NaiveDate>, to: Option<NaiveDate>) {
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        e.push(
            "valid_to",
            RuleViolation::new(Code::DateOrder, "on or after valid_from"),
        );
    }
}

/// A knowledge-base entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub organization: OrganizationId,
    pub question: String,
    pub answer: String,
    pub matters: Vec<MatterId>,
    pub disclosures: Vec<DisclosureItemId>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

fn question(e: &mut Errors, v: &str) -> Option<String> {
    e.check("question", validation::text(v, 500))
}

fn answer(e: &mut Errors, v: &str) -> Option<String> {
    e.check("answer", validation::text(v, 10_000))
}

impl NewEntry {
    /// The entry as sent, with its texts trimmed and checked and its validity ordered.
    pub fn parse(self) -> Parsed<Self> {
        let mut e = Errors::new();
        let question = question(&mut e, &self.question);
        let answer = answer(&mut e, &self.answer);
        check_validity(&mut e, self.valid_from, self.valid_to);
        e.finish()?;
        Ok(Self {
            question: question.unwrap_or_default(),
            answer: answer.unwrap_or_default(),
            ..self
        })
    }
}

/// Changes to a draft entry; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryChanges {
    pub question: Option<String>,
    pub answer: Option<String>,
    pub matters: Option<Vec<MatterId>>,
    pub disclosures: Option<Vec<DisclosureItemId>>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

impl EntryChanges {
    /// The changes as sent, with the texts given trimmed and checked. The validity is
    /// checked once merged with the entry.
    pub fn parse(self) -> Parsed<Self> {
        let mut e = Errors::new();
        let question = self.question.as_deref().and_then(|v| question(&mut e, v));
        let answer = self.answer.as_deref().and_then(|v| answer(&mut e, v));
        e.finish()?;
        Ok(Self {
            question,
            answer,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T>(r: Parsed<T>) -> T {
        r.unwrap_or_else(|e| panic!("not parsed: {e:?}"))
    }

    fn err<T>(r: Parsed<T>) -> Vec<FieldError> {
        r.err().unwrap_or_default()
    }

    fn form() -> TicketForm {
        TicketForm {
            center_id: None,
            kind: TicketKind::Help,
            urgency: Urgency::Normal,
            channel: None,
            subject: "  停水  ".into(),
            description: "三天无水".into(),
            location: Some(" 文化东路 ".into()),
            caller_name: None,
            caller_contact: None,
            classified: false,
        }
    }

    const PUBLIC: Intake = Intake {
        signed_in: false,
        operator: false,
        operator_org: None,
    };

    fn pointers(r: Parsed<NewTicket>) -> Vec<String> {
        err(r).into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn a_ticket_is_parsed_for_who_takes_it() {
        let center = OrganizationId::new();
        let operator = Intake {
            signed_in: true,
            operator: true,
            operator_org: Some(center),
        };
        let t = ok(NewTicket::parse(form(), operator));
        assert_eq!(t.center, center);
        assert_eq!(t.subject, "停水");
        assert_eq!(t.location.as_deref(), Some("文化东路"));
        assert_eq!(t.channel, TicketChannel::Web);
        let phone_call = TicketForm {
            channel: Some(TicketChannel::Phone),
            ..form()
        };
        assert_eq!(
            pointers(NewTicket::parse(phone_call, PUBLIC)),
            ["/caller_contact", "/channel", "/center_id"]
        );
        let blank = TicketForm {
            subject: " ".into(),
            center_id: Some(center),
            caller_contact: Some(Contact {
                phone: Some("not a phone".into()),
                email: None,
            }),
            ..form()
        };
        assert_eq!(
            pointers(NewTicket::parse(blank, PUBLIC)),
            ["/subject", "/caller_contact/phone"]
        );
    }

    #[test]
    fn steps_are_trimmed_and_checked() {
        assert_eq!(ok(ReturnTicket::parse(" 不属本部门 ")).reason, "不属本部门");
        assert!(ReturnTicket::parse("  ").is_err());
        let e = err(RequestExtension::parse(31, "协调"));
        assert_eq!(e[0].pointer, "/days");
        assert_eq!(err(RequestExtension::parse(0, " "))[0].pointer, "/reason");
        assert!(CallbackTicket::parse(true, None).is_ok());
        let e = err(CallbackTicket::parse(false, None));
        assert_eq!(e[0].violation.code, Code::FieldRequiredWhen);
        let id = TicketId::new();
        let merge = ok(MergeTicket::parse(id, Some(" 重复来电 ")));
        assert_eq!(merge.note.as_deref(), Some("重复来电"));
        assert_eq!(
            err(merge.check_target(id))[0].violation.code,
            Code::MergeSelf
        );
        assert!(merge.check_target(TicketId::new()).is_ok());
    }

    #[test]
    fn entries_are_trimmed_and_checked() {
        let entry = NewEntry {
            organization: OrganizationId::new(),
            question: " 居住证？ ".into(),
            answer: " 身份证 ".into(),
            matters: vec![],
            disclosures: vec![],
            valid_from: None,
            valid_to: None,
        };
        let parsed = ok(entry.clone().parse());
        assert_eq!(parsed.question, "居住证？");
        assert_eq!(parsed.answer, "身份证");
        let blank = NewEntry {
            answer: "".into(),
            valid_from: "2025-02-01".parse().ok(),
            valid_to: "2025-01-01".parse().ok(),
            ..entry
        };
        let errors = err(blank.parse());
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/answer", "/valid_to"]);
        let changes = EntryChanges {
            answer: Some(" 新答案 ".into()),
            ..EntryChanges::default()
        };
        assert_eq!(ok(changes.parse()).answer.as_deref(), Some("新答案"));
        let empty = EntryChanges {
            question: Some(" ".into()),
            ..EntryChanges::default()
        };
        assert!(empty.parse().is_err());
    }

    #[test]
    fn validity_is_ordered() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        let mut e = Errors::new();
        check_validity(&mut e, d("2025-02-01"), d("2025-01-01"));
        assert!(!e.is_empty());
        let mut e = Errors::new();
        check_validity(&mut e, d("2025-01-01"), d("2025-01-01"));
        assert!(e.is_empty());
    }
}

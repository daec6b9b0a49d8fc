//! A matter's content as a command: parsed once (trimmed, checked), then stored as it is.

use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::services::{
    self as rules, CaseKind, FeeItem, ImplementerNature, Material, MatterType, OnlineDepth,
    ProcedureStep, ServiceObject,
};
use zhengwu_domain::validation::{self, Errors, RuleViolation};
use zhengwu_persistence::matters::MatterContent;
use zhengwu_persistence::{Conn, Found, windows};

use crate::app::AppResult;
use crate::error::ApiError;

/// A matter's content that has been parsed: what is stored.
#[derive(Debug, Clone)]
pub struct CheckedContent(MatterContent);

impl CheckedContent {
    pub fn get(&self) -> &MatterContent {
        &self.0
    }
}

/// A basic or implementation code: 1 to `max` letters or digits.
pub fn parse_code(value: &str, max: usize) -> Result<String, RuleViolation> {
    let ok = (1..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(value.to_owned())
    } else {
        Err(RuleViolation::new(
            Code::MatterCodeFormat,
            format!("1 to {max} letters or digits"),
        ))
    }
}

/// Parses a matter's content as sent (or as merged from a change): every field error at
/// once; texts trimmed, service objects sorted without duplicates.
pub fn parse_content(c: MatterContent) -> AppResult<CheckedContent> {
    let mut e = Errors::new();
    let name = e.check("name", validation::text(&c.name, 200));
    let legal_basis = e.check("legal_basis", validation::text(&c.legal_basis, 5000));
    let conditions = e.check("conditions", validation::text(&c.conditions, 5000));
    if c.service_objects.is_empty() {
        e.push(
            "service_objects",
            RuleViolation::new(Code::ListEmpty, "name at least one service object"),
        );
    }
    if let Err(v) = rules::check_limits(c.case_kind, c.statutory_days, c.promised_days) {
        e.push("promised_days", v);
    }
    if c.max_visits > 10 {
        e.push(
            "max_visits",
            RuleViolation::new(Code::Range, "at most 10 visits"),
        );
    }
    if c.statutory_days > 365 {
        e.push(
            "statutory_days",
            RuleViolation::new(Code::Range, "at most 365 working days"),
        );
    }
    let certificate = e.check_opt("result_certificate", c.result_certificate.as_deref(), |v| {
        validation::text(v, 100)
    });
    let consultation = e.check_opt(
        "consultation_phone",
        c.consultation_phone.as_deref(),
        validation::phone,
    );
    let complaint = e.check_opt(
        "complaint_phone",
        c.complaint_phone.as_deref(),
        validation::phone,
    );
    let lists = rules::check_guide_lists(&c.procedure, &c.fees, &c.materials);
    let mut errors = e.finish().err().unwrap_or_default();
    if let Err(more) = lists {
        errors.extend(more);
    }
    let (Some(name), Some(legal_basis), Some(conditions), true) =
        (name, legal_basis, conditions, errors.is_empty())
    else {
        return Err(errors.into());
    };
    let mut objects = c.service_objects;
    objects.sort();
    objects.dedup();
    Ok(CheckedContent(MatterContent {
        name,
        legal_basis,
        conditions,
        service_objects: objects,
        procedure: c.procedure.into_iter().map(trim_step).collect(),
        fees: c.fees.into_iter().map(trim_fee).collect(),
        materials: c.materials.into_iter().map(trim_material).collect(),
        result_certificate: certificate,
        consultation_phone: consultation,
        complaint_phone: complaint,
        ..c
    }))
}

fn trim_step(s: ProcedureStep) -> ProcedureStep {
    ProcedureStep {
        name: s.name.trim().to_owned(),
        ..s
    }
}

fn trim_fee(f: FeeItem) -> FeeItem {
    FeeItem {
        name: f.name.trim().to_owned(),
        legal_basis: f.legal_basis.trim().to_owned(),
        ..f
    }
}

fn trim_material(m: Material) -> Material {
    Material {
        name: m.name.trim().to_owned(),
        ..m
    }
}

/// The windows of a matter must be active and each listed once.
pub async fn check_windows(conn: &mut Conn, content: &CheckedContent) -> AppResult<()> {
    let mut seen: Vec<Uuid> = Vec::new();
    for (i, w) in content.0.window_ids.iter().enumerate() {
        let active = windows::get(conn, *w)
            .await
            .found()?
            .is_some_and(|win| win.active);
        if !active || seen.contains(w) {
            return Err(ApiError::field(
                &format!("/window_ids/{i}"),
                Code::ReferenceNotFound,
                "no such active window (or listed twice)",
            ));
        }
        seen.push(*w);
    }
    Ok(())
}

/// Changes to a matter's content: absent fields stay; for the optional texts, `Some(None)`
/// clears.
#[derive(Debug, Default)]
pub struct ContentChanges {
    pub name: Option<String>,
    pub matter_type: Option<MatterType>,
    pub implementer_nature: Option<ImplementerNature>,
    pub service_objects: Option<Vec<ServiceObject>>,
    pub legal_basis: Option<String>,
    pub conditions: Option<String>,
    pub procedure: Option<Vec<ProcedureStep>>,
    pub statutory_days: Option<u32>,
    pub promised_days: Option<u32>,
    pub case_kind: Option<CaseKind>,
    pub max_visits: Option<u32>,
    pub online_depth: Option<OnlineDepth>,
    pub fees: Option<Vec<FeeItem>>,
    pub materials: Option<Vec<Material>>,
    pub result_certificate: Option<Option<String>>,
    pub window_ids: Option<Vec<Uuid>>,
    pub consultation_phone: Option<Option<String>>,
    pub complaint_phone: Option<Option<String>>,
    pub entered_hall: Option<bool>,
    pub classified: Option<bool>,
}

impl ContentChanges {
    /// The changes applied to `old`, then parsed as a whole.
    pub fn apply_to(self, old: MatterContent) -> AppResult<CheckedContent> {
        parse_content(MatterContent {
            name: self.name.unwrap_or(old.name),
            matter_type: self.matter_type.unwrap_or(old.matter_type),
            implementer_nature: self.implementer_nature.unwrap_or(old.implementer_nature),
            service_objects: self.service_objects.unwrap_or(old.service_objects),
            legal_basis: self.legal_basis.unwrap_or(old.legal_basis),
            conditions: self.conditions.unwrap_or(old.conditions),
            procedure: self.procedure.unwrap_or(old.procedure),
            statutory_days: self.statutory_days.unwrap_or(old.statutory_days),
            promised_days: self.promised_days.unwrap_or(old.promised_days),
            case_kind: self.case_kind.unwrap_or(old.case_kind),
            max_visits: self.max_visits.unwrap_or(old.max_visits),
            online_depth: self.online_depth.unwrap_or(old.online_depth),
            fees: self.fees.unwrap_or(old.fees),
            materials: self.materials.unwrap_or(old.materials),
            result_certificate: self.result_certificate.unwrap_or(old.result_certificate),
            window_ids: self.window_ids.unwrap_or(old.window_ids),
            consultation_phone: self.consultation_phone.unwrap_or(old.consultation_phone),
            complaint_phone: self.complaint_phone.unwrap_or(old.complaint_phone),
            entered_hall: self.entered_hall.unwrap_or(old.entered_hall),
            classified: self.classified.unwrap_or(old.classified),
        })
    }
}

//! Arithmetic of the annual disclosure report (国办公开办函〔2021〕30号): the documents of
//! table 2, table 3 (applications) and table 4 (reconsideration and litigation).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::account::{ApplicantType, LegalPersonKind};
use crate::disclosure::{DocumentKind, Validity};
use crate::requests::ReplyType;

/// One filed version of a document of catalogue category 01 (法规规章和规范性文件).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentVersion {
    pub item: Uuid,
    pub number: i32,
    pub published_at: DateTime<Utc>,
    pub validity: Validity,
    /// The kind its category files it under; `None`: filed in category 01 under neither.
    pub kind: Option<DocumentKind>,
}

/// A row of table 2's first part: 本年制发件数, 本年废止件数, 现行有效件数.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentCounts {
    pub issued: u64,
    pub repealed: u64,
    pub in_force: u64,
}

/// The rows 规章 and 行政规范性文件, and the documents of category 01 filed under neither
/// (shown rather than dropped, so that they get filed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentRows {
    pub regulations: DocumentCounts,
    pub normative_documents: DocumentCounts,
    pub unclassified: DocumentCounts,
}

impl DocumentRows {
    fn row(&mut self, kind: Option<DocumentKind>) -> &mut DocumentCounts {
        match kind {
            Some(DocumentKind::Regulation) => &mut self.regulations,
            Some(DocumentKind::NormativeDocument) => &mut self.normative_documents,
            None => &mut self.unclassified,
        }
    }
}

/// The documents of a report year `[start, end)`, as they stood at its end whenever the
/// report is run: issued — first published in the year; repealed — a version published in
/// the year repealed it; in force — the version current at the end of the year is valid.
/// Each counts in the row of the version that counts it.
pub fn document_rows(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    versions: &[DocumentVersion],
) -> DocumentRows {
    let mut items: BTreeMap<Uuid, Vec<&DocumentVersion>> = BTreeMap::new();
    for v in versions.iter().filter(|v| v.published_at < end) {
        items.entry(v.item).or_default().push(v);
    }
    let in_year = |v: &DocumentVersion| v.published_at >= start;
    let mut rows = DocumentRows::default();
    for filed in items.values_mut() {
        filed.sort_by_key(|v| (v.published_at, v.number));
        if let Some(first) = filed.first().filter(|v| in_year(v)) {
            rows.row(first.kind).issued += 1;
        }
        let mut before = None;
        for v in filed.iter() {
            if in_year(v) && v.validity == Validity::Repealed && before != Some(Validity::Repealed)
            {
                rows.row(v.kind).repealed += 1;
            }
            before = Some(v.validity);
        }
        if let Some(last) = filed.last().filter(|v| v.validity == Validity::Valid) {
            rows.row(last.kind).in_force += 1;
        }
    }
    rows
}

/// The columns of table 3.
pub const COLUMNS: [(&str, &str); 7] = [
    ("natural_person", "自然人"),
    ("commercial_enterprise", "商业企业"),
    ("research_institution", "科研机构"),
    ("social_welfare_organization", "社会公益组织"),
    ("legal_service_institution", "法律服务机构"),
    ("other", "其他"),
    ("total", "总计"),
];

fn column(t: ApplicantType, k: Option<LegalPersonKind>) -> usize {
    match (t, k) {
        (ApplicantType::NaturalPerson, _) => 0,
        (_, Some(LegalPersonKind::CommercialEnterprise)) => 1,
        (_, Some(LegalPersonKind::ResearchInstitution)) => 2,
        (_, Some(LegalPersonKind::SocialWelfareOrganization)) => 3,
        (_, Some(LegalPersonKind::LegalServiceInstitution)) => 4,
        _ => 5,
    }
}

/// One application as the report sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub applicant_type: ApplicantType,
    pub legal_person_kind: Option<LegalPersonKind>,
    pub received_on: NaiveDate,
    pub reply: Option<(ReplyType, NaiveDate)>,
}

/// A row of counts per column (the last is the total).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub counts: [u64; 7],
}

impl Row {
    fn new(key: &str, label: &str) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            counts: [0; 7],
        }
    }

    fn add(&mut self, col: usize) {
        self.counts[col] += 1;
        self.counts[6] += 1;
    }
}

/// A balance check of table 3, per column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub column: String,
    pub new_plus_carried_in: u64,
    pub handled_plus_carried_over: u64,
    pub ok: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table3 {
    pub rows: Vec<Row>,
    pub checks: Vec<Check>,
}

/// Table 3 for `year`: new this year, carried in from last year, every reply type handled
/// this year, the total handled, and carried over to next year.
pub fn table3(year: i32, apps: &[Application]) -> Table3 {
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let mut new = Row::new("new", "本年新收政府信息公开申请数量");
    let mut carried_in = Row::new("carried_in", "上年结转政府信息公开申请数量");
    let mut replies: Vec<Row> = ReplyType::ALL
        .iter()
        .map(|r| Row::new(r.as_str(), r.label_zh()))
        .collect();
    let mut handled = Row::new("handled_total", "总计");
    let mut carried_over = Row::new("carried_over", "结转下年度继续办理");
    for a in apps.iter().filter(|a| a.received_on <= end) {
        let col = column(a.applicant_type, a.legal_person_kind);
        let replied_before = a.reply.is_some_and(|(_, d)| d < start);
        if replied_before {
            continue;
        }
        if a.received_on >= start {
            new.add(col);
        } else {
            carried_in.add(col);
        }
        match a.reply {
            Some((t, d)) if d <= end => {
                if let Some(i) = ReplyType::ALL.iter().position(|x| *x == t) {
                    replies[i].add(col);
                }
                handled.add(col);
            }
            _ => carried_over.add(col),
        }
    }
    let checks = (0..7)
        .map(|i| {
            let l = new.counts[i] + carried_in.counts[i];
            let r = handled.counts[i] + carried_over.counts[i];
            Check {
                column: COLUMNS[i].0.to_owned(),
                new_plus_carried_in: l,
                handled_plus_carried_over: r,
                ok: l == r,
            }
        })
        .collect();
    let mut rows = vec![new, carried_in];
    rows.extend(replies);
    rows.push(handled);
    rows.push(carried_over);
    Table3 { rows, checks }
}

/// Table 4: remedies by kind (reconsideration, direct litigation, litigation after
/// reconsideration) × outcome (upheld, corrected, other, pending) and totals.
pub fn table4(remedies: &[(String, String)]) -> Vec<(String, [u64; 5])> {
    const KINDS: [&str; 3] = [
        "reconsideration",
        "litigation_direct",
        "litigation_after_reconsideration",
    ];
    const OUTCOMES: [&str; 4] = ["upheld", "corrected", "other", "pending"];
    KINDS
        .iter()
        .map(|k| {
            let mut c = [0u64; 5];
            for (_, outcome) in remedies.iter().filter(|(kind, _)| kind == k) {
                if let Some(i) = OUTCOMES.iter().position(|o| o == outcome) {
                    c[i] += 1;
                    c[4] += 1;
                }
            }
            ((*k).to_owned(), c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    fn app(
        t: ApplicantType,
        k: Option<LegalPersonKind>,
        received: &str,
        reply: Option<(ReplyType, &str)>,
    ) -> Application {
        Application {
            applicant_type: t,
            legal_person_kind: k,
            received_on: d(received),
            reply: reply.map(|(r, s)| (r, d(s))),
        }
    }

    #[test]
    fn carry_over_between_two_years() {
        use ApplicantType::*;
        let apps = vec![
            // Received and answered in 2024: not in 2025's table.
            app(
                NaturalPerson,
                None,
                "2024-03-01",
                Some((ReplyType::Disclosed, "2024-03-20")),
            ),
            // Received Dec 2024, answered Jan 2025: carried into 2025.
            app(
                NaturalPerson,
                None,
                "2024-12-20",
                Some((ReplyType::PartiallyDisclosed, "2025-01-10")),
            ),
            app(
                LegalPerson,
                Some(LegalPersonKind::CommercialEnterprise),
                "2025-05-06",
                Some((ReplyType::NonDisclosureThirdParty, "2025-05-30")),
            ),
            app(
                LegalPerson,
                Some(LegalPersonKind::LegalServiceInstitution),
                "2025-06-01",
                Some((ReplyType::UnableNotHeld, "2025-06-20")),
            ),
            // Received Dec 2025, open at year end: carried over to 2026.
            app(NaturalPerson, None, "2025-12-22", None),
            // Received in 2026: not counted in 2025.
            app(NaturalPerson, None, "2026-01-05", None),
        ];
        let t = table3(2025, &apps);
        let row = |k: &str| {
            t.rows
                .iter()
                .find(|r| r.key == k)
                .map(|r| r.counts)
                .unwrap_or_default()
        };
        assert_eq!(row("new"), [1, 1, 0, 0, 1, 0, 3]);
        assert_eq!(row("carried_in"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(row("partially_disclosed"), [1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(row("non_disclosure_third_party"), [0, 1, 0, 0, 0, 0, 1]);
        assert_eq!(row("unable_not_held"), [0, 0, 0, 0, 1, 0, 1]);
        assert_eq!(row("handled_total"), [1, 1, 0, 0, 1, 0, 3]);
        assert_eq!(row("carried_over"), [1, 0, 0, 0, 0, 0, 1]);
        assert!(t.checks.iter().all(|c| c.ok), "{:?}", t.checks);
        assert_eq!(t.rows.len(), 2 + 21 + 2);
        // 2026: the open one is carried in; the January one is new.
        let t26 = table3(2026, &apps);
        let row26 = |k: &str| {
            t26.rows
                .iter()
                .find(|r| r.key == k)
                .map(|r| r.counts[6])
                .unwrap_or_default()
        };
        assert_eq!(
            (row26("new"), row26("carried_in"), row26("carried_over")),
            (1, 1, 2)
        );
    }

    #[test]
    fn documents_stand_as_they_did_at_the_end_of_the_year() {
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|x| x.with_timezone(&Utc))
                .unwrap_or_default()
        };
        let version = |item: u128, number, at: &str, validity, kind| DocumentVersion {
            item: Uuid::from_u128(item),
            number,
            published_at: t(at),
            validity,
            kind,
        };
        use DocumentKind::*;
        use Validity::*;
        let versions = vec![
            // A regulation of 2025, repealed in January 2026: in force at the end of 2025.
            version(1, 1, "2025-03-10T02:00:00Z", Valid, Some(Regulation)),
            version(1, 2, "2026-01-20T02:00:00Z", Repealed, Some(Regulation)),
            // A normative document of 2025 repealed in November 2025.
            version(2, 1, "2025-04-01T02:00:00Z", Valid, Some(NormativeDocument)),
            version(
                2,
                2,
                "2025-11-20T02:00:00Z",
                Repealed,
                Some(NormativeDocument),
            ),
            // First published in January 2026: nothing for 2025.
            version(3, 1, "2026-01-05T02:00:00Z", Valid, Some(NormativeDocument)),
            // Of 2024, still valid; and one filed under 01 itself.
            version(4, 1, "2024-06-01T02:00:00Z", Valid, Some(NormativeDocument)),
            version(5, 1, "2025-06-01T02:00:00Z", Valid, None),
        ];
        let rows = document_rows(
            t("2024-12-31T16:00:00Z"),
            t("2025-12-31T16:00:00Z"),
            &versions,
        );
        let counts = |issued, repealed, in_force| DocumentCounts {
            issued,
            repealed,
            in_force,
        };
        assert_eq!(rows.regulations, counts(1, 0, 1));
        assert_eq!(rows.normative_documents, counts(1, 1, 1));
        assert_eq!(rows.unclassified, counts(1, 0, 1));
    }

    #[test]
    fn remedies_table() {
        let t = table4(&[
            ("reconsideration".into(), "upheld".into()),
            ("reconsideration".into(), "pending".into()),
            ("litigation_direct".into(), "corrected".into()),
        ]);
        assert_eq!(t[0], ("reconsideration".to_owned(), [1, 0, 0, 1, 2]));
        assert_eq!(t[1], ("litigation_direct".to_owned(), [0, 1, 0, 0, 1]));
        assert_eq!(t[2].1, [0; 5]);
    }
}

//! The demo's disclosure items (政府信息公开), in every state of their workflow.

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, IndexFormat, ItemKind, ItemState,
    PUBLICATION_DUTY_WORKING_DAYS, Validity,
};
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::{Conn, DbError, calendar, orgs};

use super::{Made, record, stored_deadline};

pub(super) struct DisclosureSpec {
    key: &'static str,
    org: &'static str,
    category: &'static str,
    author: &'static str,
    reviewer: &'static str,
    interprets: Option<&'static str>,
    title: &'static str,
    summary: &'static str,
    content: &'static str,
    doc_number: Option<&'static str>,
    formed_on: &'static str,
    terms: &'static [&'static str],
    state: ItemState,
}

pub(super) const DISCLOSURES: &[DisclosureSpec] = &[
    DisclosureSpec {
        key: "plan",
        org: "city",
        category: "0102",
        author: "city.disclosure",
        reviewer: "city.reviewer",
        interprets: None,
        title: "济南市人民政府办公厅关于印发\
                2026年济南市政务公开工作要点的通知",
        summary: "部署2026年全市政务公开重点工作：深化政策公开解读、\
                  推进基层政务公开标准化规范化、加强政府信息管理。",
        content: "各区县人民政府，市政府各部门，各有关单位：\n\
                  《2026年济南市政务公开工作要点》已经市政府同意，\
                  现印发给你们，请认真贯彻落实。\n\
                  一、围绕稳增长加强政策公开解读。\n\
                  二、推进基层政务公开标准化规范化。\n\
                  三、加强政府信息管理和依申请公开工作。",
        doc_number: Some("济政办字〔2026〕8号"),
        formed_on: "2026-03-10",
        terms: &["政务公开", "工作要点"],
        state: ItemState::Published,
    },
    DisclosureSpec {
        key: "plan_interpretation",
        org: "city",
        category: "01",
        author: "city.disclosure",
        reviewer: "city.reviewer",
        interprets: Some("plan"),
        title: "《2026年济南市政务公开工作要点》政策解读",
        summary: "解读工作要点的起草背景、主要内容和创新举措。",
        content: "一、起草背景\n二、主要内容：工作要点共分五个部分……\n\
                  三、创新举措：推行政策“一件事”集成解读。",
        doc_number: None,
        formed_on: "2026-03-10",
        terms: &["政策解读", "政务公开"],
        state: ItemState::Published,
    },
    DisclosureSpec {
        key: "stats",
        org: "city",
        category: "04",
        author: "city.disclosure",
        reviewer: "city.reviewer",
        interprets: None,
        title: "2025年济南市国民经济和社会发展统计公报",
        summary: "全市地区生产总值、居民收入、固定资产投资等主要指标。",
        content: "初步核算，全年实现地区生产总值比上年增长5.6%。\
                  全年城乡居民人均可支配收入增长5.2%……",
        doc_number: None,
        formed_on: "2026-03-20",
        terms: &["统计公报"],
        state: ItemState::Published,
    },
    DisclosureSpec {
        key: "budget",
        org: "city",
        category: "07",
        author: "city.disclosure",
        reviewer: "city.reviewer",
        interprets: None,
        title: "济南市2026年市级部门预算和“三公”经费预算公开",
        summary: "公开市级部门收支预算总表、财政拨款支出预算表和“三公”\
                  经费预算情况说明。",
        content: "按照预算法和地方预算公开有关规定，\
                  现将2026年市级部门预算及“三公”经费预算公开如下……",
        doc_number: None,
        formed_on: "2026-02-10",
        terms: &["部门预算", "三公经费"],
        state: ItemState::Published,
    },
    DisclosureSpec {
        key: "renewal",
        org: "city",
        category: "03",
        author: "city.disclosure",
        reviewer: "city.reviewer",
        interprets: None,
        title: "济南市城市更新专项规划（2026—2035年）",
        summary: "明确城市更新的总体目标、重点片区和实施路径。",
        content: "第一章 总则 …… 第二章 更新目标 ……",
        doc_number: Some("济政发〔2026〕5号"),
        formed_on: "2026-11-05",
        terms: &["城市更新", "规划"],
        state: ItemState::Submitted,
    },
    DisclosureSpec {
        key: "dogs",
        org: "city",
        category: "01",
        author: "city.disclosure",
        reviewer: "city.reviewer",
        interprets: None,
        title: "关于公开征求《济南市养犬管理办法（修订草案）》\
                意见的公告",
        summary: "就养犬管理办法修订草案向社会公开征求意见。",
        content: "为提高立法质量，现将《济南市养犬管理办法（修订草案）》\
                  全文公布，征求社会各界意见……",
        doc_number: None,
        formed_on: "2026-11-18",
        terms: &["征求意见", "养犬管理"],
        state: ItemState::Draft,
    },
    DisclosureSpec {
        key: "projects",
        org: "lixia",
        category: "10",
        author: "lixia.disclosure",
        reviewer: "lixia.reviewer",
        interprets: None,
        title: "历下区2026年重大建设项目批准和实施信息",
        summary: "公开区级重大建设项目的批准文件、招标投标和施工进展。",
        content: "一、项目批准信息……二、招标投标信息……三、\
                  施工进展……",
        doc_number: None,
        formed_on: "2026-06-30",
        terms: &["重大建设项目"],
        state: ItemState::Published,
    },
    DisclosureSpec {
        key: "subsidy",
        org: "lixia",
        category: "11",
        author: "lixia.disclosure",
        reviewer: "lixia.reviewer",
        interprets: None,
        title: "历下区2026年第三季度城乡低保资金发放情况公示",
        summary: "公示第三季度城乡最低生活保障资金发放户数和金额。",
        content: "2026年第三季度，全区共发放城乡低保资金1234.56万元，\
                  惠及3210户……",
        doc_number: None,
        formed_on: "2026-10-15",
        terms: &["低保", "社会救助"],
        state: ItemState::Draft,
    },
];

async fn item(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    org: &orgs::Organization,
    spec: &DisclosureSpec,
    author: Uuid,
    reviewer: Uuid,
    interprets: Option<Uuid>,
) -> Result<Uuid, DbError> {
    use zhengwu_persistence::disclosure as repo;
    let categories = repo::categories_of(c, org.id, false).await?;
    let Some(category) = categories.iter().find(|x| x.code == spec.category) else {
        return Err(DbError::Other(format!("no category {}", spec.category)));
    };
    let formed_on = NaiveDate::parse_from_str(spec.formed_on, "%Y-%m-%d")
        .map_err(|e| DbError::Other(e.to_string()))?;
    let cal = calendar::calendar_for(c, formed_on.year(), formed_on.year() + 1).await?;
    let id = Uuid::now_v7();
    let basis = DeadlineBasis::after(formed_on, PUBLICATION_DUTY_WORKING_DAYS);
    let due = stored_deadline(c, &cal, Target::of(StoredDeadline::Publication, id), basis).await?;
    let fields = repo::ItemFields {
        issuing_organization_id: org.id,
        category_id: category.id,
        kind: if interprets.is_some() {
            ItemKind::Interpretation
        } else {
            ItemKind::Document
        },
        interprets_id: interprets,
        title: spec.title.to_owned(),
        summary: spec.summary.to_owned(),
        content: spec.content.to_owned(),
        content_format: ContentFormat::Plain,
        doc_number: spec.doc_number.map(str::to_owned),
        subject_terms: spec.terms.iter().map(|t| (*t).to_owned()).collect(),
        formed_on,
        attribute: Attribute::Proactive,
        non_disclosure_ground: None,
        channels: vec![Channel::Portal, Channel::Gazette],
        validity: Validity::Valid,
        cadence: Cadence::LongTerm,
    };
    let item = repo::insert_item(
        c,
        &repo::NewItem {
            id,
            organization_id: org.id,
            fields: fields.clone(),
            publish_due: due,
            author_id: author,
        },
    )
    .await?;
    let mut w = repo::Workflow::of(&item);
    w.state = spec.state.as_str().to_owned();
    if spec.state == ItemState::Published {
        let year = now.year();
        let serial = repo::next_serial(c, org.id, year).await?;
        let code = org.credit_code.clone().unwrap_or_default();
        let index_number =
            IndexFormat::default().render(&code, &category.code, year, serial as u32);
        repo::file_version(
            c,
            &repo::Version {
                item_id: id,
                number: 1,
                organization_id: org.id,
                org_path: org.path.as_str().to_owned(),
                index_number: index_number.clone(),
                fields,
                year: formed_on.year(),
                attachments: serde_json::json!([]),
                pii_exception: None,
                published_at: now,
                published_by: author,
                is_current: true,
            },
        )
        .await?;
        w.index_number = Some(index_number);
        w.published_version = Some(1);
        w.first_published_at = Some(now);
        w.reviewer_id = Some(reviewer);
    }
    repo::save_workflow(c, zhengwu_domain::ids::DisclosureItemId(id), &w).await?;
    record(
        c,
        "disclosure.create",
        "disclosure",
        id,
        Some(&org.path),
        serde_json::json!({"title": spec.title, "state": spec.state}),
    )
    .await?;
    Ok(id)
}

/// The disclosure items, an interpretation after the document it interprets.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    made: &Made,
) -> Result<(), DbError> {
    let mut made_items: Vec<(&str, Uuid)> = Vec::new();
    for spec in DISCLOSURES {
        let (Some(o), Some(author), Some(reviewer)) = (
            made.org(spec.org),
            made.person(spec.author),
            made.person(spec.reviewer),
        ) else {
            continue;
        };
        let interprets = spec.interprets.and_then(|k| {
            made_items
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, id)| *id)
        });
        let id = item(c, now, &o, spec, author, reviewer, interprets).await?;
        made_items.push((spec.key, id));
    }
    Ok(())
}

//! The service matters of the demo, published with their windows.

use uuid::Uuid;
use zhengwu_domain::services::{
    CaseKind, FeeItem, ImplementerNature, Material, MaterialForm, MatterState, MatterType,
    OnlineDepth, ProcedureStep, ServiceObject,
};
use zhengwu_persistence::{Conn, DbError, orgs};

use super::ids::{self, demo_id};
use super::{Made, record};

pub(super) struct MatterSpec {
    org: &'static str,
    reviewer: &'static str,
    basic_code: &'static str,
    implementation_code: &'static str,
    name: &'static str,
    matter_type: MatterType,
    objects: &'static [ServiceObject],
    legal_basis: &'static str,
    conditions: &'static str,
    statutory_days: u32,
    promised_days: u32,
    max_visits: u32,
    online_depth: OnlineDepth,
    materials: &'static [(&'static str, MaterialForm)],
    fee: Option<(&'static str, i64, &'static str)>,
    result: &'static str,
    windows: &'static [(&'static str, &'static str)],
}

pub(super) const MATTERS: &[MatterSpec] = &[
    MatterSpec {
        org: "city_services",
        reviewer: "city.reviewer",
        basic_code: "0000000101",
        implementation_code: "11370100MB28516301000101",
        name: "建筑工程施工许可",
        matter_type: MatterType::AdministrativeLicensing,
        objects: &[ServiceObject::LegalPerson],
        legal_basis: "《中华人民共和国建筑法》第七条；\
                      《建筑工程施工许可管理办法》\
                      （住房和城乡建设部令第18号）",
        conditions: "已经办理该建筑工程用地批准手续；\
                     依法应当办理建设工程规划许可证的，\
                     已经取得建设工程规划许可证；\
                     施工场地已经基本具备施工条件；已经确定施工企业；\
                     有保证工程质量和安全的具体措施。",
        statutory_days: 15,
        promised_days: 3,
        max_visits: 0,
        online_depth: OnlineDepth::FullOnline,
        materials: &[
            ("建筑工程施工许可证申请表", MaterialForm::Electronic),
            ("建设工程规划许可证", MaterialForm::Copy),
            ("施工合同", MaterialForm::Copy),
        ],
        fee: None,
        result: "建筑工程施工许可证",
        windows: &[("city_hall", "A01")],
    },
    MatterSpec {
        org: "city_market",
        reviewer: "city.reviewer",
        basic_code: "0000000102",
        implementation_code: "11370100MB28512591000102",
        name: "企业名称自主申报",
        matter_type: MatterType::AdministrativeConfirmation,
        objects: &[ServiceObject::LegalPerson, ServiceObject::NaturalPerson],
        legal_basis: "《企业名称登记管理规定》（国务院令第734号）第十七条",
        conditions: "申请人通过企业名称申报系统自主申报，\
                     名称符合企业名称登记管理有关规定。",
        statutory_days: 5,
        promised_days: 1,
        max_visits: 0,
        online_depth: OnlineDepth::FullOnline,
        materials: &[
            ("企业名称自主申报承诺书", MaterialForm::Electronic),
            ("投资人身份证明", MaterialForm::Copy),
        ],
        fee: None,
        result: "企业名称申报告知书",
        windows: &[("city_hall", "A02")],
    },
    MatterSpec {
        org: "lixia_services",
        reviewer: "lixia.reviewer",
        basic_code: "0000000103",
        implementation_code: "11370102MB28531521000103",
        name: "内地居民婚姻登记",
        matter_type: MatterType::AdministrativeConfirmation,
        objects: &[ServiceObject::NaturalPerson],
        legal_basis: "《婚姻登记条例》第四条、第五条",
        conditions: "男女双方完全自愿，达到法定婚龄，双方均无配偶，\
                     不属于直系血亲或者三代以内旁系血亲。",
        statutory_days: 0,
        promised_days: 0,
        max_visits: 1,
        online_depth: OnlineDepth::PreReview,
        materials: &[
            ("居民身份证", MaterialForm::Original),
            (
                "本人无配偶以及与对方当事人没有直系血\
                 亲和三代以内旁系血亲关系的签字声明",
                MaterialForm::Original,
            ),
        ],
        fee: Some(("结婚证工本费", 900, "发改价格〔2017〕1186号")),
        result: "结婚证",
        windows: &[("lixia_hall", "02")],
    },
    MatterSpec {
        org: "lixia_services",
        reviewer: "lixia.reviewer",
        basic_code: "0000000104",
        implementation_code: "11370102MB28531521000104",
        name: "流动人口婚育证明开具",
        matter_type: MatterType::PublicService,
        objects: &[ServiceObject::NaturalPerson],
        legal_basis: "《流动人口计划生育工作条例》第八条",
        conditions: "户籍在本辖区、需要外出务工或居住的育龄人员。",
        statutory_days: 0,
        promised_days: 0,
        max_visits: 0,
        online_depth: OnlineDepth::FullOnline,
        materials: &[("居民身份证", MaterialForm::Electronic)],
        fee: None,
        result: "流动人口婚育证明",
        windows: &[("lixia_hall", "01")],
    },
];

async fn publish(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    id: Uuid,
    org: &orgs::Organization,
    spec: &MatterSpec,
    windows: Vec<Uuid>,
    reviewer: Uuid,
) -> Result<Uuid, DbError> {
    use zhengwu_persistence::matters as repo;
    let immediate = spec.promised_days == 0;
    let content = repo::MatterContent {
        name: spec.name.to_owned(),
        matter_type: spec.matter_type,
        implementer_nature: ImplementerNature::Statutory,
        service_objects: spec.objects.to_vec(),
        legal_basis: spec.legal_basis.to_owned(),
        conditions: spec.conditions.to_owned(),
        procedure: ["受理", "审查", "决定", "送达"]
            .iter()
            .map(|n| ProcedureStep {
                name: (*n).to_owned(),
                description: None,
                // Review takes half of the promised limit, the decision a quarter.
                time_limit_days: match (*n, immediate) {
                    (_, true) => None,
                    ("审查", _) => Some((spec.promised_days / 2).max(1)),
                    ("决定", _) => Some((spec.promised_days / 4).max(1)),
                    _ => None,
                },
            })
            .collect(),
        statutory_days: spec.statutory_days,
        promised_days: spec.promised_days,
        case_kind: if immediate {
            CaseKind::Immediate
        } else {
            CaseKind::Promised
        },
        max_visits: spec.max_visits,
        online_depth: spec.online_depth,
        fees: spec
            .fee
            .iter()
            .map(|(name, fen, basis)| FeeItem {
                name: (*name).to_owned(),
                standard_fen: *fen,
                legal_basis: (*basis).to_owned(),
                waiver: None,
            })
            .collect(),
        materials: spec
            .materials
            .iter()
            .map(|(name, form)| Material {
                name: (*name).to_owned(),
                form: *form,
                copies: 1,
                required: true,
                condition: None,
                template_url: None,
                legal_basis: None,
            })
            .collect(),
        result_certificate: Some(spec.result.to_owned()),
        window_ids: windows,
        consultation_phone: org.phone.clone(),
        complaint_phone: Some("12345".to_owned()),
        entered_hall: true,
        classified: false,
    };
    repo::insert_matter(
        c,
        &repo::NewMatter {
            id: zhengwu_domain::ids::MatterId(id),
            organization_id: zhengwu_domain::ids::OrganizationId(org.id),
            basic_code: spec.basic_code.to_owned(),
            implementation_code: spec.implementation_code.to_owned(),
        },
        &content,
    )
    .await?;
    let matter = zhengwu_domain::ids::MatterId(id);
    repo::mark_submitted(c, matter, 1, now).await?;
    repo::mark_published(c, matter, 1, now, reviewer).await?;
    repo::save_matter(c, matter, MatterState::Published, 1, Some(1)).await?;
    record(
        c,
        "service_matter.create",
        "service_matter",
        id,
        Some(&org.path),
        serde_json::json!({"name": spec.name}),
    )
    .await?;
    Ok(id)
}

/// The first matter published, its organisation and its first window: the matter the demo's
/// cases are for.
pub(super) type FirstMatter = (Uuid, orgs::Organization, Option<Uuid>);

/// The matters, each published by its organisation's reviewer.
pub(super) async fn load(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    made: &Made,
) -> Result<Option<FirstMatter>, DbError> {
    let mut first_matter = None;
    for (n, spec) in (1..).zip(MATTERS) {
        let (Some(o), Some(reviewer)) = (made.org(spec.org), made.person(spec.reviewer)) else {
            continue;
        };
        let windows: Vec<Uuid> = spec
            .windows
            .iter()
            .filter_map(|(h, n)| made.window(h, n))
            .collect();
        let id = demo_id(ids::MATTER, n);
        let id = publish(c, now, id, &o, spec, windows.clone(), reviewer).await?;
        first_matter = first_matter.or(Some((id, o, windows.first().copied())));
    }
    Ok(first_matter)
}

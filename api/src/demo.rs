//! Bootstrap and demo data: the first administrator, and a small realistic data set so that
//! Swagger UI is worth exploring at once.

use chrono::{Datelike, NaiveDate};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;
use zhengwu_domain::account::{self, ApplicantType, LegalPersonKind, Post, Role};
use zhengwu_domain::calendar::{Calendar, DeadlineBasis, StoredDeadline, YearSchedule};
use zhengwu_domain::disclosure::{
    Attribute, Cadence, Channel, ContentFormat, IndexFormat, ItemKind, ItemState,
    PUBLICATION_DUTY_WORKING_DAYS, Validity,
};
use zhengwu_domain::org::{CreditCode, OrgKind, OrgLevel, OrgPath};
use zhengwu_domain::services::{
    CaseKind, FeeItem, ImplementerNature, Material, MaterialForm, MatterState, MatterType,
    OnlineDepth, ProcedureStep, ServiceObject,
};
use zhengwu_persistence::audit::{self, Actor, NewEvent};
use zhengwu_persistence::deadlines::{self, Target};
use zhengwu_persistence::{Conn, DbError, calendar, orgs, users, windows};

use self::ids::demo_id;

pub mod ids;

use crate::auth::hash_password;
use crate::config::Config;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "zhengwu-demo-2026";

pub(crate) async fn connect(config: &Config) -> Result<AsyncPgConnection, String> {
    zhengwu_persistence::tls::establish(&config.database_url)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))
}

/// A stored deadline of the demo, counted and kept as the API keeps its own: provisional
/// while a year it spans has no schedule loaded.
async fn stored_deadline(
    c: &mut Conn,
    cal: &Calendar,
    target: Target,
    basis: DeadlineBasis,
) -> Result<NaiveDate, DbError> {
    let counted = cal
        .deadline(&basis)
        .map_err(|e| DbError::Other(e.to_string()))?;
    deadlines::keep(
        c,
        &target,
        &basis,
        counted.due_date,
        &counted.years_without_schedule,
    )
    .await?;
    Ok(counted.due_date)
}

/// Keeps the due date a clock reading gives, as the API does.
async fn keep_reading(
    c: &mut Conn,
    target: Target,
    reading: Option<zhengwu_domain::calendar::ClockReading>,
) -> Result<Option<NaiveDate>, DbError> {
    let Some((r, due)) = reading.and_then(|r| r.due_date.map(|d| (r, d))) else {
        return Ok(None);
    };
    deadlines::keep(c, &target, &r.basis, due, &r.years_without_schedule).await?;
    Ok(Some(due))
}

pub(crate) async fn record(
    c: &mut Conn,
    action: &str,
    entity_type: &'static str,
    id: impl ToString,
    org_path: Option<&OrgPath>,
    after: serde_json::Value,
) -> Result<(), DbError> {
    audit::append(
        c,
        NewEvent {
            occurred_at: chrono::Utc::now(),
            actor: Actor::system(),
            action: action.to_owned(),
            entity_type,
            entity_id: id.to_string(),
            org_path: org_path.map(|p| p.as_str().to_owned()),
            before: None,
            after: Some(after),
            request_id: None,
        },
    )
    .await
    .map(|_| ())
}

/// Creates a system administrator, or resets the password of an existing account of that
/// name and makes it an active system administrator. Returns whether it was created.
pub async fn create_admin(
    config: &Config,
    username: &str,
    display_name: &str,
    password: &str,
) -> Result<bool, String> {
    account::username(username).map_err(|e| format!("username: {}", e.message))?;
    account::password(password).map_err(|e| format!("password: {}", e.message))?;
    let hash = hash_password(password).map_err(|e| e.to_string())?;
    let mut conn = connect(config).await?;
    conn.transaction::<_, DbError, _>(async |c| {
        match users::find_by_username(c, username).await? {
            Some(u) => {
                users::get_for_update(c, u.id).await?;
                users::set_password(c, u.id, &hash).await?;
                zhengwu_persistence::login_throttle::clear_subject(
                    c,
                    &zhengwu_persistence::login_throttle::user_subject(&u.username),
                )
                .await?;
                users::update(
                    c,
                    u.id,
                    &users::Changes {
                        display_name: u.display_name.clone(),
                        role: Role::SysAdmin.as_str().to_owned(),
                        organization_id: u.organization_id,
                        phone: u.phone.clone(),
                        email: u.email.clone(),
                        active: true,
                    },
                )
                .await?;
                zhengwu_persistence::tokens::revoke_user(c, u.id, chrono::Utc::now()).await?;
                record(
                    c,
                    "user.admin_reset",
                    "user",
                    u.id,
                    None,
                    serde_json::json!({"username": username}),
                )
                .await?;
                Ok(false)
            }
            None => {
                let id = Uuid::now_v7();
                users::insert(
                    c,
                    users::NewUser {
                        id,
                        username: username.to_owned(),
                        password_hash: hash.clone(),
                        display_name: display_name.to_owned(),
                        role: Role::SysAdmin,
                        organization_id: None,
                        applicant_type: None,
                        legal_person_kind: None,
                        phone: None,
                        email: None,
                    },
                )
                .await?;
                record(
                    c,
                    "user.create_admin",
                    "user",
                    id,
                    None,
                    serde_json::json!({"username": username, "role": "sys_admin"}),
                )
                .await?;
                Ok(true)
            }
        }
    })
    .await
    .map_err(|e| e.to_string())
}

/// Gives every organisation without a disclosure catalogue the standard one (for
/// organisations created before catalogues existed). Returns how many were given one.
pub async fn backfill_catalogues(config: &Config) -> Result<usize, String> {
    let mut conn = connect(config).await?;
    conn.transaction::<_, DbError, _>(async |c| {
        let missing = zhengwu_persistence::disclosure::organizations_without_catalogue(c).await?;
        for o in &missing {
            crate::routes::catalogue::seed_catalogue(c, o).await?;
        }
        Ok(missing.len())
    })
    .await
    .map_err(|e| e.to_string())
}

/// A credit code with a correct check character, from its first 17 characters.
fn credit(first17: &str) -> Option<String> {
    CreditCode::check_char(first17).map(|c| format!("{first17}{}", c as char))
}

struct OrgSpec {
    key: &'static str,
    parent: Option<&'static str>,
    kind: OrgKind,
    level: OrgLevel,
    name: &'static str,
    division_code: Option<&'static str>,
    credit17: &'static str,
    address: &'static str,
    phone: &'static str,
}

const ORGS: &[OrgSpec] = &[
    OrgSpec {
        key: "city",
        parent: None,
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::City,
        name: "济南市人民政府",
        division_code: Some("370100"),
        credit17: "11370100004192113",
        address: "济南市历下区龙奥北路1号",
        phone: "0531-51705000",
    },
    OrgSpec {
        key: "city_office",
        parent: Some("city"),
        kind: OrgKind::Department,
        level: OrgLevel::City,
        name: "济南市人民政府办公厅",
        division_code: None,
        credit17: "11370100004192121",
        address: "济南市历下区龙奥北路1号",
        phone: "0531-51705012",
    },
    OrgSpec {
        key: "city_services",
        parent: Some("city"),
        kind: OrgKind::Department,
        level: OrgLevel::City,
        name: "济南市行政审批服务局",
        division_code: None,
        credit17: "11370100MB2851630",
        address: "济南市历下区解放东路3号",
        phone: "0531-66608000",
    },
    OrgSpec {
        key: "city_market",
        parent: Some("city"),
        kind: OrgKind::Department,
        level: OrgLevel::City,
        name: "济南市市场监督管理局",
        division_code: None,
        credit17: "11370100MB2851259",
        address: "济南市市中区站前路9号",
        phone: "0531-82079000",
    },
    OrgSpec {
        key: "city_hall",
        parent: Some("city"),
        kind: OrgKind::Hall,
        level: OrgLevel::City,
        name: "济南市政务服务中心",
        division_code: None,
        credit17: "12370100MB2851711",
        address: "济南市历下区解放东路3号",
        phone: "0531-12345",
    },
    OrgSpec {
        key: "lixia",
        parent: Some("city"),
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::County,
        name: "历下区人民政府",
        division_code: Some("370102"),
        credit17: "11370102004228416",
        address: "济南市历下区龙鼎大道1号",
        phone: "0531-86026000",
    },
    OrgSpec {
        key: "lixia_services",
        parent: Some("lixia"),
        kind: OrgKind::Department,
        level: OrgLevel::County,
        name: "历下区行政审批服务局",
        division_code: None,
        credit17: "11370102MB2853152",
        address: "济南市历下区燕子山西路58号",
        phone: "0531-86556000",
    },
    OrgSpec {
        key: "lixia_hall",
        parent: Some("lixia"),
        kind: OrgKind::Hall,
        level: OrgLevel::County,
        name: "历下区政务服务中心",
        division_code: None,
        credit17: "12370102MB2853200",
        address: "济南市历下区燕子山西路58号",
        phone: "0531-86556100",
    },
    OrgSpec {
        key: "yaojia",
        parent: Some("lixia"),
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::Township,
        name: "姚家街道办事处",
        division_code: Some("370102007000"),
        credit17: "11370102004228459",
        address: "济南市历下区姚家东路188号",
        phone: "0531-88872000",
    },
    OrgSpec {
        key: "pingyin",
        parent: Some("city"),
        kind: OrgKind::RegionGovernment,
        level: OrgLevel::County,
        name: "平阴县人民政府",
        division_code: Some("370124"),
        credit17: "11370124004318815",
        address: "济南市平阴县榆山路1号",
        phone: "0531-87881000",
    },
    OrgSpec {
        key: "pingyin_market",
        parent: Some("pingyin"),
        kind: OrgKind::Department,
        level: OrgLevel::County,
        name: "平阴县市场监督管理局",
        division_code: None,
        credit17: "11370124MB2855321",
        address: "济南市平阴县黄河路66号",
        phone: "0531-87886000",
    },
    OrgSpec {
        key: "pingyin_hall",
        parent: Some("pingyin"),
        kind: OrgKind::Hall,
        level: OrgLevel::County,
        name: "平阴县政务服务中心",
        division_code: None,
        credit17: "12370124MB2855410",
        address: "济南市平阴县青龙路22号",
        phone: "0531-87880000",
    },
];

/// (username, display name, role, organisation key)
const STAFF: &[(&str, &str, Role, &str)] = &[
    ("city.admin", "刘建国", Role::OrgAdmin, "city"),
    ("city.disclosure", "陈晓燕", Role::DisclosureOfficer, "city"),
    ("city.reviewer", "赵志强", Role::Reviewer, "city"),
    ("city.supervisor", "孙丽华", Role::Supervisor, "city"),
    ("city.clerk.a", "王芳", Role::Clerk, "city_hall"),
    ("city.clerk.b", "李明", Role::Clerk, "city_hall"),
    ("city.clerk.c", "周婷", Role::Clerk, "city_hall"),
    ("lixia.admin", "张伟", Role::OrgAdmin, "lixia"),
    ("lixia.disclosure", "吴静", Role::DisclosureOfficer, "lixia"),
    ("lixia.reviewer", "郑凯", Role::Reviewer, "lixia_services"),
    ("lixia.supervisor", "马红梅", Role::Supervisor, "lixia"),
    ("lixia.clerk.a", "何佳", Role::Clerk, "lixia_hall"),
    ("lixia.clerk.b", "高磊", Role::Clerk, "lixia_hall"),
    ("pingyin.admin", "林涛", Role::OrgAdmin, "pingyin"),
    ("pingyin.clerk.a", "徐敏", Role::Clerk, "pingyin_hall"),
    ("pingyin.clerk.b", "朱勇", Role::Clerk, "pingyin_hall"),
    ("city.hotline", "赵静", Role::HotlineOperator, "city"),
    ("city.hotline.b", "钱坤", Role::HotlineOperator, "city"),
    (
        "city.services.reviewer",
        "刘洋",
        Role::Reviewer,
        "city_services",
    ),
];

/// The knowledge base (问答式知识库): (organisation key, question, answer).
const KNOWLEDGE: &[(&str, &str, &str)] = &[
    (
        "city",
        "12345热线受理哪些事项？",
        "12345热线受理企业和群众的咨询、求助、投诉、举报、建议和表扬，7×24小时人工服务。110、119、120、122等紧急警情请直接拨打相应电话。",
    ),
    (
        "city",
        "工单派出后多久能得到答复？",
        "咨询、求助类一般3个工作日内答复，投诉、建议类一般13个工作日内答复，紧急诉求当日处置。承办单位确需延期的，须在期限届满前申请。",
    ),
    (
        "city",
        "对工单答复不满意怎么办？",
        "回访时可如实反映不满意的原因，热线将把工单退回承办单位重新办理（重办），并重新计算办理时限。",
    ),
    (
        "city",
        "如何查询工单办理进度？",
        "凭受理时告知的工单编号和查询码，可在政务服务网“12345热线”栏目或拨打热线查询办理进度和答复内容。",
    ),
    (
        "city",
        "如何申请政府信息公开？",
        "可通过政府门户网站在线申请、信函或当面提交申请，写明申请人信息、所需政府信息的名称或文号等特征描述、获取方式。行政机关自收到申请之日起20个工作日内答复。",
    ),
    (
        "city",
        "依申请公开收费吗？",
        "一般不收费。申请数量、频次明显超过合理范围的，按件或按量收取信息处理费，行政机关会先书面通知申请人。",
    ),
    (
        "city",
        "企业开办需要多长时间？",
        "企业开办（设立登记、刻制公章、申领发票、社保登记、住房公积金缴存登记）全流程1个工作日内办结，可通过“一网通办”平台一次提交。",
    ),
    (
        "city",
        "建筑工程施工许可证办理需要哪些材料？",
        "建筑工程施工许可证申请表、用地批准手续、建设工程规划许可证、施工合同、施工图设计文件审查合格书、质量安全监督手续等，承诺3个工作日办结。",
    ),
    (
        "city",
        "政务服务大厅的办公时间？",
        "工作日上午9:00-12:00，下午13:30-17:00；周六上午提供延时服务（部分事项）。法定节假日休息。",
    ),
    (
        "city",
        "什么是“一件事一次办”？",
        "将企业和群众眼中的“一件事”涉及的多个事项整合为一个事项，一次告知、一表申请、一套材料、一窗受理、一次办结。",
    ),
    (
        "city",
        "对政务服务不满意如何评价？",
        "办件结束后可通过窗口评价器、扫码、网站或短信进行“好差评”，差评将在5个工作日内核实整改并回访。",
    ),
    (
        "city",
        "如何投诉窗口工作人员？",
        "可拨打12345热线、在政务服务网提交投诉或到大厅监督投诉窗口反映，投诉将在5个工作日内决定是否受理，并告知处理结果。",
    ),
    (
        "city",
        "灵活就业人员如何缴纳养老保险？",
        "携带居民身份证到社保经办机构或通过网上服务大厅办理参保登记，按年度缴费基数自主选择档次，按月或按年缴费。",
    ),
    (
        "city",
        "医保异地就医如何备案？",
        "可通过国家医保服务平台App、线上经办或到医保经办窗口办理异地就医备案，备案后在就医地直接结算。",
    ),
    (
        "city",
        "住房公积金提取需要什么条件？",
        "购买、建造、翻建、大修自住住房，偿还购房贷款本息，租房自住，离休退休，出境定居等情形可申请提取。",
    ),
    (
        "city",
        "新生儿如何办理落户和医保？",
        "出生后可通过“出生一件事”一次办理出生医学证明、户口登记、医保参保和社保卡申领，居住地不限。",
    ),
    (
        "city",
        "居住证怎么办理？",
        "在居住地连续居住满半年并有合法稳定就业、住所或连续就读的，持本人居民身份证、近期照片和相关证明到居住地派出所申领。",
    ),
    (
        "city",
        "小区停水停电找哪个部门？",
        "停水可联系供水企业服务热线，停电可联系供电公司95598；超过24小时未恢复或无人处置的，可拨打12345反映，由热线派单督办。",
    ),
    (
        "city",
        "噪音扰民如何反映？",
        "社会生活噪声可向公安机关反映，建筑施工噪声向住房城乡建设或城市管理部门反映，也可拨打12345由热线转办。",
    ),
    (
        "city",
        "占道经营、乱搭乱建归谁管？",
        "由所在区县城市管理部门和街道办事处负责，可拨打12345热线或通过“随手拍”反映，热线派单至属地处置。",
    ),
    (
        "lixia",
        "历下区政务服务中心在哪里？",
        "济南市历下区文化东路61号，工作日9:00-12:00、13:30-17:00办公，可乘坐公交至文化东路站。",
    ),
    (
        "lixia",
        "历下区老旧小区加装电梯有补贴吗？",
        "符合条件的既有住宅加装电梯，按规定给予财政补贴，具体标准以当年度公布的实施细则为准，可在区政府网站政务公开栏目查询。",
    ),
    (
        "lixia",
        "在历下区办理营业执照需要预约吗？",
        "不需要预约，可在政务服务中心综合受理窗口或网上办理；网上申请材料齐全的当日办结。",
    ),
    (
        "lixia",
        "历下区养犬登记怎么办理？",
        "携带犬只免疫证明、犬主身份证和住所证明到所在街道养犬登记点或线上办理，一户限养一只。",
    ),
    (
        "lixia",
        "历下区学区划分在哪里查？",
        "每年春季由区教育部门在政府网站发布义务教育学校招生范围，可在政务公开“教育”栏目查询。",
    ),
    (
        "lixia",
        "历下区征收补偿方案在哪里公开？",
        "国有土地上房屋征收补偿方案、征收决定等在区政府网站“重点领域信息公开—征收”栏目公开。",
    ),
    (
        "pingyin",
        "平阴县玫瑰产业扶持政策有哪些？",
        "对玫瑰种植、加工企业和合作社给予基础设施、品牌建设和技术改造补助，具体以县政府公布的扶持办法为准。",
    ),
    (
        "pingyin",
        "平阴县个体工商户如何办理营业执照？",
        "可到平阴县政务服务中心市场监管窗口或通过网上登记系统申请，材料齐全当场办结。",
    ),
    (
        "pingyin",
        "平阴县食品经营许可证办理时限？",
        "法定20个工作日，承诺5个工作日办结；仅销售预包装食品的实行备案管理。",
    ),
    (
        "pingyin",
        "平阴县农村宅基地如何申请？",
        "向所在村集体经济组织提出申请，经村民代表会议讨论、乡镇审核批准，办理农村宅基地批准书。",
    ),
];

/// (hall key, number, name, combined, [(staff username, post)])
type WindowSpec = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, Post)],
);
const WINDOWS: &[WindowSpec] = &[
    (
        "city_hall",
        "A01",
        "综合受理窗口",
        true,
        &[("city.clerk.a", Post::A), ("city.clerk.b", Post::B)],
    ),
    (
        "city_hall",
        "A02",
        "企业开办专区窗口",
        false,
        &[("city.clerk.c", Post::A), ("city.clerk.a", Post::B)],
    ),
    (
        "city_hall",
        "C01",
        "统一出件窗口",
        false,
        &[("city.clerk.b", Post::A), ("city.clerk.c", Post::B)],
    ),
    (
        "lixia_hall",
        "01",
        "综合受理窗口",
        true,
        &[("lixia.clerk.a", Post::A), ("lixia.clerk.b", Post::B)],
    ),
    (
        "lixia_hall",
        "02",
        "社会事务窗口",
        false,
        &[("lixia.clerk.b", Post::A), ("lixia.clerk.a", Post::B)],
    ),
    (
        "pingyin_hall",
        "01",
        "综合受理窗口",
        true,
        &[("pingyin.clerk.a", Post::A), ("pingyin.clerk.b", Post::B)],
    ),
];

struct MatterSpec {
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

const MATTERS: &[MatterSpec] = &[
    MatterSpec {
        org: "city_services",
        reviewer: "city.reviewer",
        basic_code: "0000000101",
        implementation_code: "11370100MB28516301000101",
        name: "建筑工程施工许可",
        matter_type: MatterType::AdministrativeLicensing,
        objects: &[ServiceObject::LegalPerson],
        legal_basis: "《中华人民共和国建筑法》第七条；《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）",
        conditions: "已经办理该建筑工程用地批准手续；依法应当办理建设工程规划许可证的，已经取得建设工程规划许可证；施工场地已经基本具备施工条件；已经确定施工企业；有保证工程质量和安全的具体措施。",
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
        conditions: "申请人通过企业名称申报系统自主申报，名称符合企业名称登记管理有关规定。",
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
        conditions: "男女双方完全自愿，达到法定婚龄，双方均无配偶，不属于直系血亲或者三代以内旁系血亲。",
        statutory_days: 0,
        promised_days: 0,
        max_visits: 1,
        online_depth: OnlineDepth::PreReview,
        materials: &[
            ("居民身份证", MaterialForm::Original),
            (
                "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
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

async fn demo_matter(
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
            id,
            organization_id: org.id,
            basic_code: spec.basic_code.to_owned(),
            implementation_code: spec.implementation_code.to_owned(),
        },
        &content,
    )
    .await?;
    repo::mark_submitted(c, id, 1, now).await?;
    repo::mark_published(c, id, 1, now, reviewer).await?;
    repo::save_matter(c, id, MatterState::Published, 1, Some(1)).await?;
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

/// Applications for disclosure in every state over two years, an open consultation and an
/// answer on the echo wall, for 历下区.
async fn demo_participation(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    org: &orgs::Organization,
    officer: Uuid,
) -> Result<(), DbError> {
    use zhengwu_domain::requests::{
        DeliveryMethod, FeeMethod, ReplyType, RequestChannel, RequestClock, RequestState,
        RequestedForm,
    };
    use zhengwu_persistence::{participation as part, requests as repo};
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let cal = calendar::calendar_for(c, today.year() - 1, today.year() + 1).await?;
    let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let days = |n: i64| today - chrono::Duration::days(n);
    /// (applicant, legal-person kind, received, state, reply and its day)
    type Spec<'a> = (
        &'a str,
        Option<LegalPersonKind>,
        NaiveDate,
        RequestState,
        Option<(ReplyType, NaiveDate)>,
    );
    let specs: Vec<Spec> = vec![
        (
            "王建华",
            None,
            jan1 - chrono::Duration::days(12),
            RequestState::Replied,
            Some((
                ReplyType::PartiallyDisclosed,
                (jan1 + chrono::Duration::days(6)).min(today),
            )),
        ),
        (
            "济南泉城律师事务所",
            Some(LegalPersonKind::LegalServiceInstitution),
            days(200).max(jan1),
            RequestState::Replied,
            Some((ReplyType::Disclosed, days(185).max(jan1))),
        ),
        (
            "山东某置业有限公司",
            Some(LegalPersonKind::CommercialEnterprise),
            days(150).max(jan1),
            RequestState::Replied,
            Some((ReplyType::NonDisclosureThirdParty, days(130).max(jan1))),
        ),
        (
            "李秀英",
            None,
            days(120).max(jan1),
            RequestState::Replied,
            Some((ReplyType::UnableNotHeld, days(105).max(jan1))),
        ),
        (
            "赵国强",
            None,
            days(90).max(jan1),
            RequestState::Replied,
            Some((ReplyType::NotProcessedDuplicate, days(80).max(jan1))),
        ),
        (
            "孙丽",
            None,
            days(60).max(jan1),
            RequestState::DeemedWithdrawn,
            Some((ReplyType::OtherCorrectionOverdue, days(40).max(jan1))),
        ),
        ("周明", None, days(3), RequestState::Received, None),
        (
            "济南某研究院",
            Some(LegalPersonKind::ResearchInstitution),
            days(4),
            RequestState::AwaitingCorrection,
            None,
        ),
        ("吴芳", None, days(8), RequestState::Consulting, None),
        ("郑伟", None, days(6), RequestState::AwaitingFee, None),
    ];
    let (prefix, counter) = case_numbering(c, org).await?;
    for (i, (name, kind, received, state, reply)) in specs.into_iter().enumerate() {
        let id = Uuid::now_v7();
        let serial = repo::next_serial(c, counter, received).await?;
        let mut r = repo::Request {
            id,
            number: format!("YSQ{prefix}{}{serial:04}", received.format("%Y%m%d")),
            organization_id: org.id,
            applicant_id: None,
            applicant_name: name.to_owned(),
            applicant_type: if kind.is_some() {
                zhengwu_domain::account::ApplicantType::LegalPerson
            } else {
                zhengwu_domain::account::ApplicantType::NaturalPerson
            },
            legal_person_kind: kind,
            contact: serde_json::json!({"phone": "0531-8800000", "address": "济南市历下区"}),
            description: [
                "老旧小区改造资金使用明细",
                "某地块征收补偿方案",
                "2025年区级财政预算执行情况",
                "某道路工程招标文件",
            ][i % 4]
                .to_owned(),
            purpose: None,
            requested_form: RequestedForm::Electronic,
            delivery_method: DeliveryMethod::Email,
            channel: if i % 3 == 0 {
                RequestChannel::Letter
            } else {
                RequestChannel::Online
            },
            submitted_on: received,
            received_on: received,
            state,
            restarted_on: None,
            correction_due: None,
            corrected_on: None,
            extension_days: 0,
            due_date: None,
            fee_method: None,
            fee_fen: None,
            fee_due: None,
            created_by: Some(officer),
            version: 1,
            created_at: now,
            receipt_seq: 0,
        };
        let clock = RequestClock {
            received_on: received,
            restarted_on: None,
            awaiting_correction: false,
            stops: vec![],
            extension_days: 0,
        };
        let reading = clock.read(&cal, received).ok();
        r.due_date = reading.as_ref().and_then(|x| x.due_date);
        let mut stored = repo::insert(c, &r).await?;
        repo::add_event(
            c,
            id,
            now,
            Some(officer),
            "receive",
            None,
            serde_json::json!({}),
        )
        .await?;
        match state {
            RequestState::AwaitingCorrection => {
                stored.correction_due = cal.add_working_days(today, 10).ok().map(|d| d.due_date);
                stored.due_date = None;
            }
            RequestState::DeemedWithdrawn => {
                stored.correction_due = Some(received + chrono::Duration::days(15))
            }
            RequestState::Consulting => {
                let consultation = Target {
                    kind: StoredDeadline::RequestConsultation,
                    object_id: id,
                    seq: 1,
                };
                let basis = DeadlineBasis::after(days(2), 15);
                let due = stored_deadline(c, &cal, consultation, basis).await?;
                repo::start_stop(
                    c,
                    &repo::Stop {
                        request_id: id,
                        seq: 1,
                        kind: "third_party".into(),
                        party: Some("某物业服务公司".into()),
                        start_on: days(2),
                        due_on: Some(due),
                        end_on: None,
                        opinion: None,
                    },
                )
                .await?;
                stored.due_date = None;
            }
            RequestState::AwaitingFee => {
                stored.fee_method = Some(FeeMethod::ByVolume);
                stored.fee_fen = Some(zhengwu_domain::requests::fee_by_volume(150));
                let fee = Target {
                    kind: StoredDeadline::RequestFee,
                    object_id: id,
                    seq: 1,
                };
                let basis = DeadlineBasis::after(
                    days(1),
                    zhengwu_domain::requests::FEE_PAYMENT_WORKING_DAYS,
                );
                stored.fee_due = Some(stored_deadline(c, &cal, fee, basis).await?);
                repo::start_stop(
                    c,
                    &repo::Stop {
                        request_id: id,
                        seq: 1,
                        kind: "fee".into(),
                        party: None,
                        start_on: days(1),
                        due_on: stored.fee_due,
                        end_on: None,
                        opinion: None,
                    },
                )
                .await?;
                stored.due_date = None;
            }
            _ => {}
        }
        if stored.due_date.is_some() {
            keep_reading(c, Target::of(StoredDeadline::RequestReply, id), reading).await?;
        }
        if let Some((t, on)) = reply {
            repo::insert_reply(
                c,
                &repo::ReplyRow {
                    request_id: id,
                    reply_type: t.as_str().to_owned(),
                    reply_text: "经审查，答复如下。".to_owned(),
                    responsible_agency: (t == ReplyType::UnableNotHeld)
                        .then(|| "历下区住房和城乡建设局".to_owned()),
                    provided_items: serde_json::json!([]),
                    replied_on: on,
                    late: false,
                    replied_by: Some(officer),
                },
            )
            .await?;
            repo::add_event(
                c,
                id,
                now,
                Some(officer),
                "reply",
                None,
                serde_json::json!({"reply_type": t}),
            )
            .await?;
            if t == ReplyType::NonDisclosureThirdParty {
                repo::insert_remedy(
                    c,
                    &repo::Remedy {
                        id: Uuid::now_v7(),
                        request_id: id,
                        kind: "reconsideration".into(),
                        filed_on: on,
                        outcome: "upheld".into(),
                        decided_on: Some(on.min(today)),
                        note: None,
                        version: 1,
                    },
                )
                .await?;
            }
        }
        stored.state = state;
        repo::save(c, &stored).await?;
    }
    // An open consultation with one approved comment.
    let cons = part::Consultation {
        id: Uuid::now_v7(),
        organization_id: org.id,
        title: "关于公开征求《历下区老旧小区改造三年行动方案（征求意见稿）》意见的公告".to_owned(),
        draft_text: "一、总体目标：到2028年底，基本完成2000年底前建成的老旧小区改造任务……"
            .to_owned(),
        opens_at: now - chrono::Duration::days(3),
        closes_at: now + chrono::Duration::days(7),
        state: "open".to_owned(),
        feedback_summary: None,
        summarized_at: None,
        created_by: officer,
        version: 1,
        created_at: now,
    };
    part::insert_consultation(c, &cons).await?;
    part::insert_comment(
        c,
        &part::Comment {
            id: Uuid::now_v7(),
            consultation_id: cons.id,
            author_id: None,
            display_name: Some("甸柳新村居民".to_owned()),
            contact: serde_json::json!({"phone": "0531-8800001"}),
            text: "建议将加装电梯纳入改造内容，并公开补贴标准。".to_owned(),
            state: "approved".to_owned(),
            rejection_reason: None,
            adopted: None,
            adoption_note: None,
            submitted_at: now - chrono::Duration::days(1),
        },
    )
    .await?;
    // An answered topic request on the echo wall.
    let message_id = Uuid::now_v7();
    let feedback_due = stored_deadline(
        c,
        &cal,
        Target::of(StoredDeadline::MessageFeedback, message_id),
        DeadlineBasis::after(days(19), 5),
    )
    .await?;
    part::insert_message(
        c,
        &part::Message {
            id: message_id,
            kind: "topic_request".to_owned(),
            organization_id: org.id,
            submitter_id: None,
            submitter_name: Some("匿名".to_owned()),
            contact: serde_json::json!({}),
            subject: "希望公开学区划分方案".to_owned(),
            text: "请公开2026年历下区小学学区划分方案。".to_owned(),
            state: "published".to_owned(),
            submitted_at: now - chrono::Duration::days(20),
            forwarded_to: Some(org.id),
            forwarded_at: Some(now - chrono::Duration::days(19)),
            feedback_due: Some(feedback_due),
            answer_kind: Some("replied".to_owned()),
            answer: Some("学区划分方案已于招生简章中公布，详见区教育和体育局网站。".to_owned()),
            disclosure_id: None,
            answered_at: Some(now - chrono::Duration::days(15)),
            published_at: Some(now - chrono::Duration::days(14)),
            version: 1,
        },
    )
    .await?;
    record(
        c,
        "demo.participation",
        "organization",
        org.id,
        Some(&org.path),
        serde_json::json!({"requests": 10}),
    )
    .await
}

/// The number prefix and serial holder the API numbers `org`'s cases and applications
/// with, so that demo records and those taken later through the API share one daily serial
/// (numbers of their own would collide with the API's first numbers of the day).
async fn case_numbering(c: &mut Conn, org: &orgs::Organization) -> Result<(String, Uuid), DbError> {
    crate::routes::cases::number_prefix(c, org)
        .await
        .map_err(|e| DbError::Other(e.to_problem().title))
}

/// One case in every state, for the construction permit at the city hall.
async fn demo_cases(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    org: &orgs::Organization,
    matter_id: Uuid,
    window: Option<Uuid>,
    clerk: Uuid,
) -> Result<(), DbError> {
    use sha2::Digest;
    use zhengwu_domain::services::{CaseClock, CaseState};
    use zhengwu_persistence::cases as repo;
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    // Received and accepted this morning, decided now: a few hours of real processing.
    let received_at = now - chrono::Duration::hours(4);
    let accepted_at = now - chrono::Duration::hours(3);
    let cal = calendar::calendar_for(c, today.year(), today.year() + 1).await?;
    let (prefix, counter) = case_numbering(c, org).await?;
    let applicants = [
        ("济南鲁中建设集团有限公司", "submitted"),
        ("山东泉城置业有限公司", "materials_requested"),
        ("济南历山建筑工程有限公司", "accepted"),
        ("济南华信工程建设有限公司", "suspended"),
        ("山东齐鲁安居集团有限公司", "decided"),
        ("济南明湖城市建设有限公司", "delivered"),
        ("济南某某商贸有限公司", "refused"),
    ];
    for (i, (name, target)) in applicants.iter().enumerate() {
        let Some(target) = CaseState::parse(target) else {
            continue;
        };
        let id = demo_id(ids::CASE, i as u16 + 1);
        let serial = repo::next_serial(c, counter, today).await?;
        let number = zhengwu_domain::services::case_number(&prefix, today, serial as u32);
        let mut case = repo::insert_case(
            c,
            &repo::NewCase {
                id: zhengwu_domain::ids::CaseId(id),
                number,
                parent_id: None,
                matter_id: Some(matter_id),
                matter_version: Some(1),
                organization_id: org.id,
                window_id: window,
                applicant_id: None,
                applicant_name: (*name).to_owned(),
                applicant_type: zhengwu_domain::account::ApplicantType::LegalPerson,
                applicant_phone: None,
                project_name: None,
                channel: "window".to_owned(),
                submitted_materials: vec![repo::SubmittedMaterial {
                    name: "建筑工程施工许可证申请表".to_owned(),
                    copies: 1,
                }],
                query_password_hash: sha2::Sha256::digest(format!("DEMO{i:04}").as_bytes())
                    .to_vec(),
                case_kind: CaseKind::Promised,
                statutory_days: 15,
                promised_days: 3,
                received_at,
                received_on: today,
                first_contact_id: Some(clerk),
                green_channel: i == 2,
                classified: false,
            },
        )
        .await?;
        repo::add_event(
            c,
            zhengwu_domain::ids::CaseId(id),
            received_at,
            Some(clerk),
            "apply",
            None,
            serde_json::json!({"channel": "window"}),
        )
        .await?;
        let mut outcome = repo::outcome_of(c, zhengwu_domain::ids::CaseId(id)).await?;
        let accepted = matches!(
            target,
            CaseState::Accepted | CaseState::Suspended | CaseState::Decided | CaseState::Delivered
        );
        if accepted {
            case.accepted_on = Some(today);
            outcome.accepted_at = Some(accepted_at);
            let clock = CaseClock {
                accepted_on: today,
                promised_days: 3,
                statutory_days: 15,
                extension_days: 0,
                pauses: vec![],
            };
            let reading = clock.read(&cal, today).ok();
            case.due_date = keep_reading(c, Target::of(StoredDeadline::Case, id), reading).await?;
            repo::add_event(
                c,
                zhengwu_domain::ids::CaseId(id),
                accepted_at,
                Some(clerk),
                "accept",
                None,
                serde_json::json!({}),
            )
            .await?;
        }
        match target {
            CaseState::MaterialsRequested => {
                repo::insert_notice(c, &repo::Notice {
                    case_id: id,
                    round: 1,
                    items: serde_json::json!([{"material": "施工合同", "problem": "missing", "note": null}]),
                    at: now,
                    by_id: clerk,
                })
                .await?;
                repo::add_event(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    now,
                    Some(clerk),
                    "notify_missing",
                    None,
                    serde_json::json!({}),
                )
                .await?;
            }
            CaseState::Suspended => {
                repo::start_pause(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    &repo::PauseRecord {
                        seq: 1,
                        procedure: zhengwu_domain::services::SpecialProcedure::ExpertReview,
                        reason: "组织专家评审".to_owned(),
                        start_on: today,
                        expected_end: None,
                        end_on: None,
                    },
                )
                .await?;
                repo::add_event(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    now,
                    Some(clerk),
                    "suspend",
                    Some("组织专家评审"),
                    serde_json::json!({}),
                )
                .await?;
            }
            CaseState::Decided | CaseState::Delivered => {
                case.decided_on = Some(today);
                let delivery = Target::of(StoredDeadline::CaseDelivery, id);
                outcome.delivery_due = Some(
                    stored_deadline(
                        c,
                        &cal,
                        delivery,
                        zhengwu_domain::services::delivery_due(today),
                    )
                    .await?,
                );
                outcome.decision = Some("approved".to_owned());
                outcome.result_number = Some(format!("济建施〔{}〕{:04}号", today.year(), i + 1));
                outcome.decided_at = Some(now);
                repo::add_event(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    now,
                    Some(clerk),
                    "decide",
                    None,
                    serde_json::json!({"decision": "approved"}),
                )
                .await?;
                if target == CaseState::Delivered {
                    outcome.delivered_at = Some(now);
                    outcome.delivered_on = Some(today);
                    outcome.delivery_method = Some("window".to_owned());
                    repo::add_event(
                        c,
                        zhengwu_domain::ids::CaseId(id),
                        now,
                        Some(clerk),
                        "deliver",
                        None,
                        serde_json::json!({"method": "window", "delivered_on": today,
                            "delivery_due": outcome.delivery_due, "late": false}),
                    )
                    .await?;
                }
            }
            CaseState::Refused => {
                outcome.refusal_reason = Some("申请事项依法不需要取得行政许可".to_owned());
                repo::add_event(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    now,
                    Some(clerk),
                    "refuse",
                    None,
                    serde_json::json!({}),
                )
                .await?;
            }
            _ => {}
        }
        case.state = target;
        repo::save(
            c,
            zhengwu_domain::ids::CaseId(id),
            &repo::CaseChanges::of(&case)?,
            &outcome,
        )
        .await?;
        record(
            c,
            "case.apply",
            "case",
            id,
            Some(&org.path),
            serde_json::json!({"state": target}),
        )
        .await?;
    }
    Ok(())
}

/// Evaluations of the demo's decided and delivered cases at the city hall, given on the hall's
/// tablet by their walk-in applicants: a good review of the delivered case, and a bad review
/// of the decided one whose rectification is verified and under way.
async fn demo_evaluations(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    org: &orgs::Organization,
    reviewer: Uuid,
) -> Result<usize, DbError> {
    use zhengwu_domain::evaluation::{EvaluationChannel, EvaluationLevel, RectificationState};
    use zhengwu_domain::services::CaseState;
    use zhengwu_persistence::cases as case_repo;
    use zhengwu_persistence::evaluations as repo;
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let mut done = Vec::new();
    for state in [CaseState::Delivered, CaseState::Decided] {
        let found = case_repo::list(
            c,
            &zhengwu_domain::access::Scope::All,
            &case_repo::Filter {
                organization_id: Some(zhengwu_domain::ids::OrganizationId(org.id)),
                state: Some(state),
                limit: 10,
                ..Default::default()
            },
        )
        .await?;
        done.extend(found);
    }
    let reviews = [
        (
            EvaluationLevel::VerySatisfied,
            "窗口工作人员一次性告知所需材料，当天就拿到了证。",
        ),
        (
            EvaluationLevel::Dissatisfied,
            "取号后等候一个多小时，叫号系统故障无人解释。",
        ),
    ];
    let mut count = 0;
    for (case, (level, text)) in done.into_iter().zip(reviews) {
        count += 1;
        let channel = EvaluationChannel::HallTablet;
        let e = repo::Evaluation {
            id: Uuid::now_v7(),
            case_id: case.id.0,
            applicant_id: case.applicant_id,
            organization_id: org.id,
            window_id: case.window_id,
            staff_id: case.assignee_id.or(case.first_contact_id),
            level: level.as_str().to_owned(),
            channel: channel.as_str().to_owned(),
            text: Some(text.to_owned()),
            evaluated_at: now,
            evaluated_on: today,
            annulled_at: None,
            version: 1,
        };
        repo::insert_evaluation(c, &e).await?;
        case_repo::add_event(
            c,
            case.id,
            now,
            case.applicant_id,
            "evaluate",
            None,
            serde_json::json!({"level": level, "channel": channel}),
        )
        .await?;
        record(
            c,
            "evaluation.create",
            "evaluation",
            e.id,
            Some(&org.path),
            serde_json::json!({"case_id": case.id, "level": level, "channel": channel}),
        )
        .await?;
        if !level.is_bad() {
            continue;
        }
        let days = repo::rectification_days(c, org.id).await?;
        let cal = calendar::calendar_for(c, today.year(), today.year() + 1).await?;
        let rectification = Uuid::now_v7();
        let target = Target::of(StoredDeadline::Rectification, rectification);
        let due = stored_deadline(c, &cal, target, DeadlineBasis::after(today, days)).await?;
        let r = repo::Rectification {
            id: rectification,
            evaluation_id: e.id,
            organization_id: org.id,
            responsible_id: e.staff_id,
            state: RectificationState::Verified.as_str().to_owned(),
            opened_on: today,
            due_date: due,
            findings: Some("经调取大厅监控和叫号记录核实，当日叫号系统故障约40分钟，现场未安排人员引导解释，情况属实。".to_owned()),
            verified_at: Some(now),
            verified_by: Some(reviewer),
            measures: None,
            explanation: None,
            handled_at: None,
            handled_by: None,
            callback_satisfied: None,
            callback_note: None,
            called_back_at: None,
            called_back_by: None,
            close_note: None,
            closed_at: None,
            closed_by: None,
            version: 2,
        };
        repo::insert_rectification(c, &r).await?;
        record(
            c,
            "rectification.open",
            "rectification",
            r.id,
            Some(&org.path),
            serde_json::json!({"evaluation_id": e.id, "state": "open", "due_date": r.due_date}),
        )
        .await?;
        record(
            c,
            "rectification.verify",
            "rectification",
            r.id,
            Some(&org.path),
            serde_json::json!({"state": "verified"}),
        )
        .await?;
    }
    Ok(count)
}

struct DisclosureSpec {
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

const DISCLOSURES: &[DisclosureSpec] = &[
    DisclosureSpec {
        key: "plan",
        org: "city",
        category: "0102",
        author: "city.disclosure",
        reviewer: "city.reviewer",
        interprets: None,
        title: "济南市人民政府办公厅关于印发2026年济南市政务公开工作要点的通知",
        summary: "部署2026年全市政务公开重点工作：深化政策公开解读、推进基层政务公开标准化规范化、加强政府信息管理。",
        content: "各区县人民政府，市政府各部门，各有关单位：\n《2026年济南市政务公开工作要点》已经市政府同意，现印发给你们，请认真贯彻落实。\n一、围绕稳增长加强政策公开解读。\n二、推进基层政务公开标准化规范化。\n三、加强政府信息管理和依申请公开工作。",
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
        content: "一、起草背景\n二、主要内容：工作要点共分五个部分……\n三、创新举措：推行政策“一件事”集成解读。",
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
        content: "初步核算，全年实现地区生产总值比上年增长5.6%。全年城乡居民人均可支配收入增长5.2%……",
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
        summary: "公开市级部门收支预算总表、财政拨款支出预算表和“三公”经费预算情况说明。",
        content: "按照预算法和地方预算公开有关规定，现将2026年市级部门预算及“三公”经费预算公开如下……",
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
        title: "关于公开征求《济南市养犬管理办法（修订草案）》意见的公告",
        summary: "就养犬管理办法修订草案向社会公开征求意见。",
        content: "为提高立法质量，现将《济南市养犬管理办法（修订草案）》全文公布，征求社会各界意见……",
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
        content: "一、项目批准信息……二、招标投标信息……三、施工进展……",
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
        content: "2026年第三季度，全区共发放城乡低保资金1234.56万元，惠及3210户……",
        doc_number: None,
        formed_on: "2026-10-15",
        terms: &["低保", "社会救助"],
        state: ItemState::Draft,
    },
];

/// The day `n` working days before `today`.
fn working_days_back(
    cal: &zhengwu_domain::calendar::Calendar,
    today: NaiveDate,
    n: u32,
) -> NaiveDate {
    let mut d = today;
    let mut k = 0;
    while k < n {
        d = d.pred_opt().unwrap_or(d);
        if cal.is_working_day(d) {
            k += 1;
        }
    }
    d
}

/// `hour` o'clock of a day in a time zone.
fn local_at(tz: chrono_tz::Tz, d: NaiveDate, hour: u32) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let t = chrono::NaiveTime::from_hms_opt(hour, 0, 0)?;
    tz.from_local_datetime(&d.and_time(t))
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Supervision findings at the city hall, dated back from today so that they stand on any
/// day the demo is loaded: a construction permit overdue (red, with its review step) and
/// one nearly due (yellow) with an off-list fee, a refusal without a real reason, a one-time
/// notice later than AL Art.32 allows, a supervision order past its deadline, and complaints.
#[allow(clippy::too_many_arguments)]
async fn demo_supervision(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    org: &orgs::Organization,
    matter_id: Uuid,
    window: Option<Uuid>,
    clerk: Uuid,
    supervisor: Uuid,
    citizen: Option<Uuid>,
) -> Result<(), DbError> {
    use sha2::Digest;
    use zhengwu_domain::services::{CaseClock, CaseState};
    use zhengwu_persistence::cases as repo;
    use zhengwu_persistence::supervision as sup;
    let tz = chrono_tz::Asia::Shanghai;
    let today = now.with_timezone(&tz).date_naive();
    let cal = calendar::calendar_for(c, today.year() - 1, today.year() + 1).await?;
    let back = |n: u32| working_days_back(&cal, today, n);
    let at = |d: NaiveDate, hour: u32| local_at(tz, d, hour).unwrap_or(now);
    // (applicant, received working days ago, target state). The nearly due case has one
    // working day left whether or not today is a working day.
    let nearly = if cal.is_working_day(today) { 2 } else { 3 };
    let specs = [
        ("济南泉城路桥工程有限公司", 8, CaseState::Accepted),
        ("济南大明湖建设有限公司", nearly, CaseState::Accepted),
        ("济南某某劳务有限公司", 1, CaseState::Refused),
        ("山东历城园林绿化有限公司", 9, CaseState::MaterialsRequested),
    ];
    let (prefix, counter) = case_numbering(c, org).await?;
    let mut overdue = None;
    for (i, (name, ago, target)) in specs.into_iter().enumerate() {
        let received_on = back(ago);
        let received_at = at(received_on, 9);
        // After the seven cases of demo_cases.
        let id = demo_id(ids::CASE, i as u16 + 8);
        let serial = repo::next_serial(c, counter, received_on).await?;
        let mut case = repo::insert_case(
            c,
            &repo::NewCase {
                id: zhengwu_domain::ids::CaseId(id),
                number: zhengwu_domain::services::case_number(&prefix, received_on, serial as u32),
                parent_id: None,
                matter_id: Some(matter_id),
                matter_version: Some(1),
                organization_id: org.id,
                window_id: window,
                applicant_id: None,
                applicant_name: name.to_owned(),
                applicant_type: ApplicantType::LegalPerson,
                applicant_phone: None,
                project_name: None,
                channel: "window".to_owned(),
                submitted_materials: vec![repo::SubmittedMaterial {
                    name: "建筑工程施工许可证申请表".to_owned(),
                    copies: 1,
                }],
                query_password_hash: sha2::Sha256::digest(format!("DEMO1{i:03}").as_bytes())
                    .to_vec(),
                case_kind: CaseKind::Promised,
                statutory_days: 15,
                promised_days: 3,
                received_at,
                received_on,
                first_contact_id: Some(clerk),
                green_channel: false,
                classified: false,
            },
        )
        .await?;
        repo::add_event(
            c,
            zhengwu_domain::ids::CaseId(id),
            received_at,
            Some(clerk),
            "apply",
            None,
            serde_json::json!({"channel": "window"}),
        )
        .await?;
        let mut outcome = repo::outcome_of(c, zhengwu_domain::ids::CaseId(id)).await?;
        match target {
            CaseState::Accepted => {
                let accepted_at = at(received_on, 10);
                case.accepted_on = Some(received_on);
                outcome.accepted_at = Some(accepted_at);
                let clock = CaseClock {
                    accepted_on: received_on,
                    promised_days: 3,
                    statutory_days: 15,
                    extension_days: 0,
                    pauses: vec![],
                };
                let reading = clock.read(&cal, today).ok();
                case.due_date =
                    keep_reading(c, Target::of(StoredDeadline::Case, id), reading).await?;
                repo::add_event(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    accepted_at,
                    Some(clerk),
                    "accept",
                    None,
                    serde_json::json!({}),
                )
                .await?;
                if ago == nearly {
                    repo::insert_fee(
                        c,
                        &repo::Fee {
                            id: Uuid::now_v7(),
                            case_id: id,
                            item_name: "加急服务费".to_owned(),
                            amount_fen: 20_000,
                            anomaly: Some("fee_not_listed".to_owned()),
                            at: at(received_on, 11),
                            by_id: clerk,
                        },
                    )
                    .await?;
                } else {
                    overdue = Some((id, case.number.clone()));
                }
            }
            CaseState::Refused => {
                outcome.refusal_reason = Some("不符合".to_owned());
                repo::add_event(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    at(received_on, 10),
                    Some(clerk),
                    "refuse",
                    Some("不符合"),
                    serde_json::json!({}),
                )
                .await?;
            }
            _ => {
                let notice_at = at(back(2), 15);
                repo::insert_notice(
                    c,
                    &repo::Notice {
                        case_id: id,
                        round: 1,
                        items: serde_json::json!([{"material": "施工合同", "problem": "missing", "note": null}]),
                        at: notice_at,
                        by_id: clerk,
                    },
                )
                .await?;
                repo::add_event(
                    c,
                    zhengwu_domain::ids::CaseId(id),
                    notice_at,
                    Some(clerk),
                    "notify_missing",
                    None,
                    serde_json::json!({"working_days_after_receipt": 7, "late": true}),
                )
                .await?;
            }
        }
        case.state = target;
        repo::save(
            c,
            zhengwu_domain::ids::CaseId(id),
            &repo::CaseChanges::of(&case)?,
            &outcome,
        )
        .await?;
        record(
            c,
            "case.apply",
            "case",
            id,
            Some(&org.path),
            serde_json::json!({"state": target}),
        )
        .await?;
    }
    if let Some((case_id, number)) = overdue {
        let issued_on = back(3);
        let serial = sup::next_serial(c, "order", issued_on.year()).await?;
        let order_id = demo_id(ids::ORDER, 1);
        let order_due = stored_deadline(
            c,
            &cal,
            Target::of(StoredDeadline::Order, order_id),
            DeadlineBasis::after(issued_on, 1),
        )
        .await?;
        let order = sup::Order {
            id: order_id,
            number: format!("DB{}-{serial:04}", issued_on.year()),
            organization_id: org.id,
            object_kind: "case".to_owned(),
            object_id: case_id,
            subject: format!("办件 {number} 超期督办"),
            instructions:
                "该办件已超过承诺办结时限，请于1个工作日内办结，并书面说明超期原因和整改措施。"
                    .to_owned(),
            level: 1,
            issued_on,
            due_date: order_due,
            state: "issued".to_owned(),
            issued_by: supervisor,
            issued_at: at(issued_on, 14),
            response: None,
            responded_by: None,
            responded_at: None,
            escalation_reason: None,
            closing_note: None,
            closed_by: None,
            closed_at: None,
            version: 1,
        };
        sup::insert_order(c, &order).await?;
        record(
            c,
            "supervision_order.issue",
            "supervision_order",
            order.id,
            Some(&org.path),
            serde_json::json!({"number": order.number}),
        )
        .await?;
    }
    let complaints = [
        (
            4,
            "attitude",
            "在综合受理窗口咨询施工许可材料时，工作人员态度生硬，不愿解释。",
            "submitted",
        ),
        (
            6,
            "delay",
            "施工许可申请材料已补齐一周，仍无人联系。",
            "closed",
        ),
    ];
    for (ago, category, text, target) in complaints {
        let received_on = back(ago);
        let serial = sup::next_serial(c, "complaint", received_on.year()).await?;
        let closed = target == "closed";
        let complaint_id = Uuid::now_v7();
        let acceptance_due = stored_deadline(
            c,
            &cal,
            Target::of(StoredDeadline::ComplaintAcceptance, complaint_id),
            DeadlineBasis::after(received_on, 5),
        )
        .await?;
        let k = sup::Complaint {
            id: complaint_id,
            number: format!("TS{}-{serial:04}", received_on.year()),
            kind: "complaint".to_owned(),
            category: category.to_owned(),
            complainant_id: citizen,
            complainant_name: Some("张三".to_owned()),
            contact: serde_json::json!({"phone": "13800000000"}),
            organization_id: org.id,
            window_id: window,
            staff_id: None,
            case_id: None,
            text: text.to_owned(),
            query_code_hash: crate::routes::cases::password_hash(&format!("DEMO3{ago:03}")),
            received_on,
            received_at: at(received_on, 16),
            acceptance_due,
            state: target.to_owned(),
            handler_id: closed.then_some(supervisor),
            decided_at: closed.then(|| at(back(ago - 1), 9)),
            decision_reason: None,
            findings: closed.then(|| "经核实，补正材料流转至审查科室延误2个工作日。".to_owned()),
            reply: closed
                .then(|| "已责成审查科室当日办理，并建立补正材料流转台账。感谢监督。".to_owned()),
            replied_at: closed.then(|| at(back(ago - 2), 11)),
            referral_note: None,
            closed_at: closed.then(|| at(back(ago - 2), 16)),
            version: 1,
        };
        sup::insert_complaint(c, &k).await?;
        record(
            c,
            "complaint.submit",
            "complaint",
            k.id,
            Some(&zhengwu_domain::supervision::handling_organisation(
                &org.path,
            )),
            serde_json::json!({"number": k.number}),
        )
        .await?;
    }
    Ok(())
}

/// The 12345 hotline at the city: a ticket in every state (one overdue, one nearly due)
/// with query codes DEMO2000…DEMO2008, and the knowledge base, published but for two drafts.
#[allow(clippy::too_many_arguments)]
async fn demo_hotline(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    city: &orgs::Organization,
    departments: &[(&str, orgs::Organization)],
    operator: Uuid,
    responder: Uuid,
    reviewer: Uuid,
    citizen: Option<Uuid>,
) -> Result<(), DbError> {
    use zhengwu_domain::hotline::{TicketKind, TicketLimits, Urgency};
    use zhengwu_persistence::hotline as repo;
    let tz = chrono_tz::Asia::Shanghai;
    let today = now.with_timezone(&tz).date_naive();
    let cal = calendar::calendar_for(c, today.year() - 1, today.year() + 1).await?;
    let back = |n: u32| working_days_back(&cal, today, n);
    let at = |d: NaiveDate, hour: u32| local_at(tz, d, hour).unwrap_or(now);
    let dept = |key: &str| {
        departments
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| o.id)
    };
    let limits = TicketLimits::default();
    // The nearly due complaint has one working day left whether or not today is one.
    let nearly = if cal.is_working_day(today) { 12 } else { 13 };
    // (kind, urgency, subject, description, location, target state, department, dispatched
    //  working days ago, reply, public)
    type Spec<'a> = (
        TicketKind,
        Urgency,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        u32,
        &'a str,
        bool,
    );
    let specs: [Spec; 9] = [
        (
            TicketKind::Consultation,
            Urgency::Normal,
            "咨询新生儿医保办理",
            "孩子刚出生，想了解医保参保怎么办。",
            "",
            "received",
            "",
            0,
            "",
            false,
        ),
        (
            TicketKind::Help,
            Urgency::Urgent,
            "小区停水两天无人处理",
            "文化东路某小区自前天起停水，物业称在维修但无进展。",
            "历下区文化东路",
            "dispatched",
            "lixia",
            5,
            "",
            false,
        ),
        (
            TicketKind::Complaint,
            Urgency::Normal,
            "装修噪音夜间扰民",
            "楼上装修每天晚上十点后仍在施工，多次沟通无果。",
            "历下区解放路",
            "dispatched",
            "lixia",
            nearly,
            "",
            false,
        ),
        (
            TicketKind::Help,
            Urgency::Normal,
            "玫瑰种植补贴未到账",
            "去年申报的玫瑰种植补贴至今未发放。",
            "平阴县玫瑰镇",
            "returned",
            "pingyin",
            3,
            "",
            false,
        ),
        (
            TicketKind::Consultation,
            Urgency::Normal,
            "老旧小区加装电梯补贴标准",
            "想了解加装电梯的补贴标准和申请流程。",
            "历下区",
            "replied",
            "lixia",
            4,
            "加装电梯补贴标准和申请流程已在区政府网站政务公开栏目公布，可携带业主同意书等材料到街道办事处申请。",
            true,
        ),
        (
            TicketKind::Suggestion,
            Urgency::Normal,
            "建议增设公交站点",
            "建议在新建小区门口增设公交站点，方便居民出行。",
            "历下区旅游路",
            "called_back",
            "lixia",
            8,
            "已将建议转交公交企业，经现场勘查，计划于下季度调整线路并增设站点。",
            true,
        ),
        (
            TicketKind::Complaint,
            Urgency::Normal,
            "路灯损坏长期不修",
            "小区南侧道路路灯损坏一个多月，夜间出行不便。",
            "历下区燕山立交桥附近",
            "reopened",
            "lixia",
            7,
            "已安排维修单位排查线路。",
            false,
        ),
        (
            TicketKind::Praise,
            Urgency::Normal,
            "表扬政务服务中心工作人员",
            "在政务服务中心办理营业执照时，窗口工作人员耐心细致，一次办好。",
            "历下区政务服务中心",
            "closed",
            "lixia",
            6,
            "感谢您的肯定，已转达相关工作人员并予以表扬。",
            true,
        ),
        (
            TicketKind::Help,
            Urgency::Normal,
            "文化东路小区停水",
            "文化东路小区停水，请尽快处理。",
            "历下区文化东路",
            "merged",
            "",
            0,
            "",
            false,
        ),
    ];
    let mut ids: Vec<Uuid> = Vec::new();
    for (
        i,
        (kind, urgency, subject, description, location, target, department, ago, reply, public),
    ) in specs.into_iter().enumerate()
    {
        let received_on = if ago > 0 { back(ago) } else { today };
        let received_at = at(received_on, 9);
        let serial =
            zhengwu_persistence::supervision::next_serial(c, "hotline", received_on.year()).await?;
        let id = demo_id(ids::TICKET, i as u16 + 1);
        let mut t = repo::Ticket {
            id,
            number: format!("RX{}{serial:06}", received_on.year()),
            kind: kind.as_str().to_owned(),
            urgency: urgency.as_str().to_owned(),
            channel: if i % 3 == 0 { "web" } else { "phone" }.to_owned(),
            subject: subject.to_owned(),
            description: description.to_owned(),
            location: (!location.is_empty()).then(|| location.to_owned()),
            caller_name: Some("张先生".to_owned()),
            caller_contact: serde_json::json!({"phone": "13800000000"}),
            classified: false,
            public_answer: false,
            query_code_hash: crate::routes::cases::password_hash(&format!("DEMO2{i:03}")),
            center_id: city.id,
            submitter_id: if i % 3 == 0 { citizen } else { None },
            state: "received".to_owned(),
            received_at,
            received_on,
            responsible_org_id: None,
            dispatched_on: None,
            due_date: None,
            return_count: 0,
            extension_days: 0,
            extension_request: None,
            reply: None,
            replied_at: None,
            callback_satisfied: None,
            reopen_count: 0,
            merged_into: None,
            closed_at: None,
            version: 1,
        };
        repo::insert_ticket(c, &t).await?;
        repo::add_event(
            c,
            id,
            received_at,
            Some(operator),
            "receive",
            None,
            serde_json::json!({"channel": t.channel}),
        )
        .await?;
        if let Some(org) = dept(department) {
            let basis = DeadlineBasis::after(received_on, limits.days(kind, urgency));
            let due =
                stored_deadline(c, &cal, Target::of(StoredDeadline::Ticket, id), basis).await?;
            t.responsible_org_id = Some(org);
            t.dispatched_on = Some(received_on);
            t.due_date = Some(due);
            t.state = "dispatched".to_owned();
            repo::add_event(
                c,
                id,
                at(received_on, 10),
                Some(operator),
                "dispatch",
                None,
                serde_json::json!({"organization_id": org, "due_date": due}),
            )
            .await?;
        }
        match target {
            "returned" => {
                t.return_count = 1;
                t.responsible_org_id = None;
                t.dispatched_on = None;
                t.due_date = None;
                t.state = "returned".to_owned();
                repo::add_event(
                    c,
                    id,
                    at(back(2), 11),
                    Some(responder),
                    "return",
                    Some("补贴发放属于县农业农村部门职责，请改派"),
                    serde_json::json!({"returns": 1}),
                )
                .await?;
            }
            "replied" | "called_back" | "reopened" | "closed" => {
                let replied_on = back(ago.saturating_sub(2).max(1));
                t.reply = Some(reply.to_owned());
                t.replied_at = Some(at(replied_on, 15));
                t.public_answer = public;
                t.state = "replied".to_owned();
                repo::add_event(
                    c,
                    id,
                    at(replied_on, 15),
                    Some(responder),
                    "reply",
                    Some(reply),
                    serde_json::json!({"public": public, "on_time": true}),
                )
                .await?;
                if target != "replied" {
                    let satisfied = target != "reopened";
                    let call_on = back(1);
                    t.callback_satisfied = Some(satisfied);
                    if satisfied {
                        t.state = "called_back".to_owned();
                        repo::add_event(
                            c,
                            id,
                            at(call_on, 10),
                            Some(operator),
                            "callback",
                            Some("市民表示满意"),
                            serde_json::json!({"satisfied": true}),
                        )
                        .await?;
                    } else {
                        let basis = DeadlineBasis::after(call_on, limits.reopened);
                        let ticket = Target::of(StoredDeadline::Ticket, id);
                        let due = stored_deadline(c, &cal, ticket, basis).await?;
                        t.state = "reopened".to_owned();
                        t.reopen_count = 1;
                        t.dispatched_on = Some(call_on);
                        t.due_date = Some(due);
                        repo::add_event(
                            c,
                            id,
                            at(call_on, 10),
                            Some(operator),
                            "callback",
                            Some("市民反映路灯仍未修复"),
                            serde_json::json!({"satisfied": false, "due_date": due}),
                        )
                        .await?;
                    }
                }
                if target == "closed" {
                    t.state = "closed".to_owned();
                    t.closed_at = Some(at(back(1), 16));
                    repo::add_event(
                        c,
                        id,
                        at(back(1), 16),
                        Some(operator),
                        "close",
                        None,
                        serde_json::json!({}),
                    )
                    .await?;
                }
            }
            "merged" => {
                if let Some(into) = ids.get(1).copied() {
                    t.state = "merged".to_owned();
                    t.merged_into = Some(into);
                    t.closed_at = Some(at(today, 9));
                    repo::add_event(
                        c,
                        id,
                        at(today, 9),
                        Some(operator),
                        "merge",
                        Some("同一小区停水，重复来电"),
                        serde_json::json!({"into": into}),
                    )
                    .await?;
                    repo::add_event(
                        c,
                        into,
                        at(today, 9),
                        Some(operator),
                        "absorb",
                        None,
                        serde_json::json!({"ticket": id}),
                    )
                    .await?;
                }
            }
            _ => {}
        }
        repo::save_ticket(c, &t).await?;
        record(
            c,
            "hotline_ticket.receive",
            "hotline_ticket",
            id,
            Some(&city.path),
            serde_json::json!({"number": t.number, "state": t.state}),
        )
        .await?;
        ids.push(id);
    }
    for (i, (key, question, answer)) in KNOWLEDGE.iter().enumerate() {
        let org = departments
            .iter()
            .find(|(k, _)| k == key)
            .map_or(city, |(_, o)| o);
        let published = i % 15 != 14;
        let entry = repo::Entry {
            id: Uuid::now_v7(),
            organization_id: org.id,
            question: (*question).to_owned(),
            answer: (*answer).to_owned(),
            matter_ids: vec![],
            disclosure_ids: vec![],
            valid_from: None,
            valid_to: None,
            state: if published { "published" } else { "submitted" }.to_owned(),
            author_id: operator,
            reviewer_id: published.then_some(reviewer),
            source_ticket_id: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        repo::insert_entry(c, &entry).await?;
        record(
            c,
            "knowledge_entry.create",
            "knowledge_entry",
            entry.id,
            Some(&org.path),
            serde_json::json!({"question": question}),
        )
        .await?;
    }
    Ok(())
}

async fn demo_disclosure(
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
    repo::save_workflow(c, id, &w).await?;
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

/// A staffed window of the demo hall: its id and (staff member, post).
type DemoWindow = (Uuid, Vec<(Uuid, Post)>);

/// Thirty days of attendance and daily assessments, up to today, for the windows of a hall
/// and their staff: the month of the demo cases gets a bulletin with cases, attendance,
/// scores and a ranking. Each staff member is recorded at the window of their A post.
async fn demo_assessments(
    c: &mut Conn,
    now: chrono::DateTime<chrono::Utc>,
    hall: &orgs::Organization,
    staffed: &[DemoWindow],
    supervisor: Uuid,
) -> Result<(), DbError> {
    use zhengwu_domain::assessment::{AttendanceStatus, Dimension, Item, SubjectKind, daily_score};
    use zhengwu_persistence::assessments::{
        self as repo, Assessment, AssessmentRow, AttendanceRow, StoredItem,
    };
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let cal = calendar::calendar_for(c, today.year() - 1, today.year()).await?;
    // Window findings: (window index, every n-th day, offset, dimension, points, reason).
    const WINDOW_ITEMS: &[(usize, usize, usize, Dimension, i32, &str)] = &[
        (
            0,
            5,
            0,
            Dimension::Attitude,
            2,
            "群众赠送锦旗，书面表扬窗口服务热情",
        ),
        (
            0,
            7,
            3,
            Dimension::Environment,
            -1,
            "窗口桌面物品摆放不整齐",
        ),
        (1, 4, 1, Dimension::Handling, 1, "当日办件全部按时办结"),
        (
            1,
            6,
            2,
            Dimension::Skill,
            -2,
            "政策解答不准确，群众二次询问",
        ),
        (
            2,
            8,
            5,
            Dimension::Discipline,
            -2,
            "上班时间离岗未挂暂停服务牌",
        ),
        (2, 3, 0, Dimension::Handling, 1, "统一出件及时，无积压"),
    ];
    // Staff findings: (staff index, every n-th day, offset, dimension, points, reason).
    const STAFF_ITEMS: &[(usize, usize, usize, Dimension, i32, &str)] = &[
        (
            0,
            6,
            0,
            Dimension::Attitude,
            1,
            "耐心解答群众咨询，获当场好评",
        ),
        (1, 9, 4, Dimension::Discipline, -1, "迟到"),
        (2, 10, 3, Dimension::Skill, 2, "业务测试满分"),
    ];
    // Each staff member's window: the one where they hold the A post.
    let mut staff: Vec<(Uuid, Uuid, Vec<Uuid>)> = Vec::new();
    for (window, list) in staffed {
        for (user, post) in list {
            if *post == Post::A && !staff.iter().any(|(u, _, _)| u == user) {
                let others = list.iter().map(|(u, _)| *u).filter(|u| u != user).collect();
                staff.push((*user, *window, others));
            }
        }
    }
    let days: Vec<NaiveDate> = (0..30)
        .rev()
        .filter_map(|n| today.checked_sub_days(chrono::Days::new(n)))
        .filter(|d| cal.is_working_day(*d))
        .collect();
    for (i, day) in days.iter().enumerate() {
        for (k, (user, window, others)) in staff.iter().enumerate() {
            let (status, note) = match (k, i) {
                (1, i) if i % 9 == 4 => (AttendanceStatus::Late, Some("迟到10分钟")),
                (2, 6) => (AttendanceStatus::Leave, Some("事假一天")),
                (0, 12) => (
                    AttendanceStatus::BusinessTrip,
                    Some("参加全省政务服务业务培训"),
                ),
                (1, 15) => (AttendanceStatus::Absent, Some("未请假缺勤")),
                _ => (AttendanceStatus::Present, None),
            };
            let covered_by = if status.away() {
                others.first().copied()
            } else {
                None
            };
            let row = AttendanceRow {
                id: Uuid::now_v7(),
                hall_id: hall.id,
                window_id: *window,
                user_id: *user,
                day: *day,
                status: status.as_str().to_owned(),
                covered_by,
                note: note.map(str::to_owned),
                recorded_by: supervisor,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            repo::insert_attendance(c, &row).await?;
            record(
                c,
                "attendance.record",
                "attendance",
                row.id,
                Some(&hall.path),
                serde_json::json!({"day": day, "status": status}),
            )
            .await?;
        }
        let subjects = staffed
            .iter()
            .enumerate()
            .map(|(n, (w, _))| (SubjectKind::Window, *w, n, WINDOW_ITEMS))
            .chain(
                staff
                    .iter()
                    .enumerate()
                    .map(|(n, (u, _, _))| (SubjectKind::Staff, *u, n, STAFF_ITEMS)),
            );
        for (kind, subject, n, table) in subjects {
            let items: Vec<StoredItem> = table
                .iter()
                .filter(|(s, every, offset, ..)| *s == n && i % every == *offset)
                .map(|(_, _, _, dimension, points, reason)| StoredItem {
                    dimension: *dimension,
                    points: *points,
                    reason: (*reason).to_owned(),
                })
                .collect();
            let scored: Vec<Item> = items
                .iter()
                .map(|x| Item {
                    dimension: x.dimension,
                    points: x.points,
                })
                .collect();
            let a = Assessment {
                row: AssessmentRow {
                    id: Uuid::now_v7(),
                    hall_id: hall.id,
                    subject_kind: kind.as_str().to_owned(),
                    window_id: (kind == SubjectKind::Window).then_some(subject),
                    user_id: (kind == SubjectKind::Staff).then_some(subject),
                    day: *day,
                    score: daily_score(&scored),
                    note: None,
                    assessed_by: supervisor,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
                items,
            };
            repo::insert_assessment(c, &a).await?;
            record(
                c,
                "assessment.create",
                "assessment",
                a.row.id,
                Some(&hall.path),
                serde_json::json!({"day": day, "score": a.row.score}),
            )
            .await?;
        }
    }
    Ok(())
}

fn dates(list: &[&str]) -> Vec<NaiveDate> {
    list.iter()
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect()
}

/// The State Council's published 2025 schedule (国办发明电〔2024〕12号).
pub fn schedule_2025() -> Result<YearSchedule, String> {
    YearSchedule::new(
        2025,
        &dates(&[
            "2025-01-01",
            "2025-01-28",
            "2025-01-29",
            "2025-01-30",
            "2025-01-31",
            "2025-02-01",
            "2025-02-02",
            "2025-02-03",
            "2025-02-04",
            "2025-04-04",
            "2025-04-05",
            "2025-04-06",
            "2025-05-01",
            "2025-05-02",
            "2025-05-03",
            "2025-05-04",
            "2025-05-05",
            "2025-05-31",
            "2025-06-01",
            "2025-06-02",
            "2025-10-01",
            "2025-10-02",
            "2025-10-03",
            "2025-10-04",
            "2025-10-05",
            "2025-10-06",
            "2025-10-07",
            "2025-10-08",
        ]),
        &dates(&[
            "2025-01-26",
            "2025-02-08",
            "2025-04-27",
            "2025-09-28",
            "2025-10-11",
        ]),
    )
    .map_err(|e| format!("2025 schedule: {e:?}"))
}

/// Loads the demo data set once; later calls change nothing.
pub async fn load(config: &Config) -> Result<String, String> {
    load_at(config, chrono::Utc::now()).await
}

/// Loads the demo data as of `now`: the dates of its cases, applications, tickets and
/// attendance are counted back from that day (tests load it as of a fixed day).
pub async fn load_at(
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, String> {
    let mut conn = connect(config).await?;
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    let schedule = schedule_2025()?;
    conn.transaction::<_, DbError, _>(async |c| {
        let city_code = credit(ORGS[0].credit17).unwrap_or_default();
        if orgs::credit_code_exists(c, &city_code).await? {
            return Ok("demo data is already loaded; nothing changed".to_owned());
        }
        let mut made: Vec<(&str, orgs::Organization)> = Vec::new();
        for (n, s) in (1..).zip(ORGS) {
            let id = demo_id(ids::ORGANIZATION, n);
            let parent = s.parent.and_then(|p| made.iter().find(|(k, _)| *k == p).map(|(_, o)| o.clone()));
            let path = match &parent {
                Some(p) => p.path.child(id.into()),
                None => OrgPath::root(id.into()),
            };
            let o = orgs::insert(
                c,
                orgs::NewOrganization {
                    id,
                    parent_id: parent.as_ref().map(|p| p.id),
                    path: path.clone(),
                    kind: s.kind,
                    level: s.level,
                    fields: orgs::Fields {
                        name: s.name.to_owned(),
                        short_name: None,
                        division_code: s.division_code.map(str::to_owned),
                        credit_code: credit(s.credit17),
                        address: Some(s.address.to_owned()),
                        phone: Some(s.phone.to_owned()),
                        office_hours: Some("工作日 9:00-12:00, 13:30-17:00".to_owned()),
                        active: true,
                    },
                },
            )
            .await?;
            crate::routes::catalogue::seed_catalogue(c, &o).await?;
            record(c, "organization.create", "organization", id, Some(&path), serde_json::json!({"name": s.name})).await?;
            made.push((s.key, o));
        }
        let org = |key: &str| made.iter().find(|(k, _)| *k == key).map(|(_, o)| o.clone());
        let mut people: Vec<(&str, Uuid)> = Vec::new();
        for (n, (username, name, role, org_key)) in (1..).zip(STAFF) {
            let Some(o) = org(org_key) else { continue };
            let id = demo_id(ids::USER, n);
            users::insert(
                c,
                users::NewUser {
                    id,
                    username: (*username).to_owned(),
                    password_hash: hash.clone(),
                    display_name: (*name).to_owned(),
                    role: *role,
                    organization_id: Some(o.id),
                    applicant_type: None,
                    legal_person_kind: None,
                    phone: None,
                    email: None,
                },
            )
            .await?;
            record(c, "user.create", "user", id, Some(&o.path), serde_json::json!({"username": username, "role": role})).await?;
            people.push((username, id));
        }
        let applicants = [
            ("zhang.san", "张三", ApplicantType::NaturalPerson, None),
            ("qilu.tech", "济南齐鲁数字科技有限公司", ApplicantType::LegalPerson, Some(LegalPersonKind::CommercialEnterprise)),
        ];
        for (n, (username, name, t, k)) in (STAFF.len() as u16 + 1..).zip(applicants) {
            let id = demo_id(ids::USER, n);
            users::insert(
                c,
                users::NewUser {
                    id,
                    username: username.to_owned(),
                    password_hash: hash.clone(),
                    display_name: name.to_owned(),
                    role: Role::Applicant,
                    organization_id: None,
                    applicant_type: Some(t),
                    legal_person_kind: k,
                    phone: None,
                    email: None,
                },
            )
            .await?;
            record(c, "user.register", "user", id, None, serde_json::json!({"username": username})).await?;
            people.push((username, id));
        }
        let mut window_ids: Vec<(&str, &str, Uuid)> = Vec::new();
        for (n, (hall, number, name, combined, staff)) in (1..).zip(WINDOWS) {
            let Some(h) = org(hall) else { continue };
            let id = demo_id(ids::WINDOW, n);
            window_ids.push((hall, number, id));
            windows::insert(
                c,
                windows::NewWindow { id, hall_id: h.id, number: (*number).to_owned(), name: (*name).to_owned(), combined: *combined },
            )
            .await?;
            let list: Vec<(Uuid, Post)> = staff
                .iter()
                .filter_map(|(u, p)| people.iter().find(|(n, _)| n == u).map(|(_, id)| (*id, *p)))
                .collect();
            windows::replace_staff(c, id, &list).await?;
            record(c, "window.create", "window", id, Some(&h.path), serde_json::json!({"number": number, "name": name})).await?;
        }
        calendar::put_year(c, &schedule).await?;
        let window = |hall: &str, number: &str| {
            window_ids.iter().find(|(h, n, _)| *h == hall && *n == number).map(|(_, _, id)| *id)
        };
        let mut first_matter = None;
        for (n, spec) in (1..).zip(MATTERS) {
            let (Some(o), Some(reviewer)) = (
                org(spec.org),
                people.iter().find(|(n, _)| *n == spec.reviewer).map(|(_, id)| *id),
            ) else {
                continue;
            };
            let windows: Vec<Uuid> = spec.windows.iter().filter_map(|(h, n)| window(h, n)).collect();
            let id = demo_matter(c, now, demo_id(ids::MATTER, n), &o, spec, windows.clone(), reviewer).await?;
            first_matter = first_matter.or(Some((id, o, windows.first().copied())));
        }
        let officer = people.iter().find(|(n, _)| *n == "lixia.disclosure").map(|(_, id)| *id);
        if let (Some(o), Some(officer)) = (org("lixia"), officer) {
            demo_participation(c, now, &o, officer).await?;
        }
        let clerk = people.iter().find(|(n, _)| *n == "city.clerk.a").map(|(_, id)| *id);
        if let (Some((matter_id, o, window)), Some(clerk)) = (first_matter.clone(), clerk) {
            demo_cases(c, now, &o, matter_id, window, clerk).await?;
            if let Some(supervisor) = people.iter().find(|(n, _)| *n == "city.supervisor").map(|(_, id)| *id) {
                let citizen = people.iter().find(|(n, _)| *n == "zhang.san").map(|(_, id)| *id);
                demo_supervision(c, now, &o, matter_id, window, clerk, supervisor, citizen).await?;
            }
        }
        let person = |name: &str| people.iter().find(|(n, _)| *n == name).map(|(_, id)| *id);
        if let (Some(city), Some(operator), Some(responder), Some(reviewer)) =
            (org("city"), person("city.hotline"), person("lixia.admin"), person("city.reviewer"))
        {
            let departments: Vec<(&str, orgs::Organization)> =
                ["lixia", "pingyin"].iter().filter_map(|k| org(k).map(|o| (*k, o))).collect();
            demo_hotline(c, now, &city, &departments, operator, responder, reviewer, person("zhang.san")).await?;
        }
        let mut made_items: Vec<(&str, Uuid)> = Vec::new();
        for spec in DISCLOSURES {
            let (Some(o), Some(author), Some(reviewer)) =
                (org(spec.org), person(spec.author), person(spec.reviewer))
            else {
                continue;
            };
            let interprets = spec
                .interprets
                .and_then(|k| made_items.iter().find(|(key, _)| *key == k).map(|(_, id)| *id));
            let id = demo_disclosure(c, now, &o, spec, author, reviewer, interprets).await?;
            made_items.push((spec.key, id));
        }
        record(c, "calendar.put", "calendar", 2025, None, serde_json::json!({"year": 2025})).await?;
        if let (Some(h), Some(supervisor)) = (org("city_hall"), person("city.supervisor")) {
            let staffed: Vec<DemoWindow> = WINDOWS
                .iter()
                .filter(|(hall, ..)| *hall == "city_hall")
                .filter_map(|(hall, number, _, _, list)| {
                    let staff = list.iter().filter_map(|(u, p)| person(u).map(|id| (id, *p))).collect();
                    window(hall, number).map(|id| (id, staff))
                })
                .collect();
            demo_assessments(c, now, &h, &staffed, supervisor).await?;
        }
        let reviewer = person("city.reviewer");
        let evaluations = match (first_matter, reviewer) {
            (Some((_, o, _)), Some(reviewer)) => demo_evaluations(c, now, &o, reviewer).await?,
            _ => 0,
        };
        Ok(format!(
            "demo data loaded: {} organisations, {} staff accounts and 2 applicants (password {DEMO_PASSWORD:?}: city.admin, city.disclosure, city.reviewer, city.clerk.a, lixia.clerk.a, city.supervisor, zhang.san, city.hotline, …), {} windows, {} disclosure items, {} service matters with a case in every state (query passwords DEMO0000…DEMO0006), {evaluations} evaluations of decided cases (one bad review under rectification), supervision findings and complaints (query codes DEMO3004, DEMO3006), 30 days of attendance and daily assessments at the city hall, 12345 tickets in every state (query codes DEMO2000…DEMO2008), {} knowledge-base entries, the 2025 holiday schedule",
            ORGS.len(),
            STAFF.len(),
            WINDOWS.len(),
            DISCLOSURES.len(),
            MATTERS.len(),
            KNOWLEDGE.len()
        ))
    })
    .await
    .map_err(|e| e.to_string())
}

//! `zhengwu seed --scale N`: synthetic records at the volumes of a real city, for
//! benchmarks. The demo data set is loaded first (its accounts drive the benchmark); then N
//! units are generated set-wise inside PostgreSQL (`seed.sql`), each about 460
//! organisations, 200,000 disclosure items with Chinese titles and bodies, 2,000 service
//! matters, 1,000,000 cases over three years in every state, 100,000 disclosure
//! applications, 100,000 hotline tickets, evaluations and three years of attendance and
//! window assessments. Unit 0 hangs under the demo city; the others are cities of their own.
//!
//! Seeded accounts (password [`DEMO_PASSWORD`]) are `seed{unit}.c{county:02}.{admin,
//! disclosure,reviewer,supervisor,clerk1..clerk10}`; every seeded case and ticket has the
//! query password [`QUERY_PASSWORD`]. Seeded records have no per-record audit events and no
//! case timelines: the audit log records the seeding itself.

use std::fmt::Write as _;
use std::time::Instant;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Nullable};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use zhengwu_persistence::search::segment_document;

use crate::auth::hash_password;
use crate::config::Config;
use crate::demo::{self, DEMO_PASSWORD};

/// The query password of every seeded case and hotline ticket.
pub const QUERY_PASSWORD: &str = "SEED2026";

const SQL: &str = include_str!("seed.sql");

/// Words the generated titles, names and bodies are made of.
const WORDS: &[(&str, &[&str])] = &[
    (
        "county",
        &[
            "东城区",
            "西湖区",
            "南山区",
            "北林区",
            "青云县",
            "白石县",
            "长乐县",
            "安平县",
            "永宁县",
            "清河县",
            "和平区",
            "新华区",
        ],
    ),
    (
        "dept",
        &[
            "发展和改革局",
            "教育局",
            "公安局",
            "民政局",
            "司法局",
            "财政局",
            "人力资源和社会保障局",
            "自然资源局",
            "生态环境局",
            "住房和城乡建设局",
            "交通运输局",
            "农业农村局",
            "商务局",
            "卫生健康局",
            "市场监督管理局",
            "医疗保障局",
        ],
    ),
    (
        "township",
        &[
            "城关", "东关", "西关", "南湖", "北山", "新集", "石桥", "柳林", "王庄", "李村",
        ],
    ),
    (
        "window",
        &[
            "综合受理窗口",
            "企业开办窗口",
            "不动产登记窗口",
            "社保医保窗口",
            "公安户政窗口",
            "工程建设项目审批窗口",
            "税务窗口",
            "公积金窗口",
            "出件窗口",
            "咨询导办窗口",
        ],
    ),
    (
        "surname",
        &[
            "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱",
            "高", "林", "何", "郭", "马", "罗",
        ],
    ),
    (
        "given",
        &[
            "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "军", "杰", "娟", "涛", "明",
            "超", "秀英", "建华", "志强", "丽华", "海燕",
        ],
    ),
    (
        "topic",
        &[
            "政务公开",
            "城乡低保",
            "义务教育",
            "医疗保障",
            "生态环境保护",
            "安全生产",
            "营商环境",
            "乡村振兴",
            "城市更新",
            "食品安全",
            "养老服务",
            "就业创业",
            "住房保障",
            "交通运输",
            "水利建设",
            "文化旅游",
            "市场监管",
            "应急管理",
            "退役军人服务",
            "残疾人保障",
            "农村公路",
            "老旧小区改造",
            "耕地保护",
            "河长制",
            "垃圾分类",
            "消防安全",
            "疫苗接种",
            "学前教育",
            "职业技能培训",
            "人才引进",
            "科技创新",
            "企业减负",
            "财政预算",
            "政府采购",
            "统计调查",
            "防汛抗旱",
            "森林防火",
            "社会救助",
            "优抚安置",
            "公共法律服务",
        ],
    ),
    (
        "action",
        &[
            "实施方案",
            "管理办法",
            "工作要点",
            "专项行动方案",
            "考核办法",
            "资金分配结果",
            "项目公示",
            "招标公告",
            "统计数据",
            "规划",
            "补贴发放情况",
            "检查结果",
            "整改情况",
            "政策解读",
            "年度报告",
            "办事指南",
            "责任清单",
            "行政处罚结果",
        ],
    ),
    (
        "doctype",
        &["通知", "公告", "意见", "决定", "公示", "报告", "通报"],
    ),
    (
        "mkind",
        &[
            "许可",
            "登记",
            "备案",
            "补贴申领",
            "证明开具",
            "资格认定",
            "变更登记",
            "注销登记",
            "年度检验",
            "证件补办",
            "核准",
            "审批",
        ],
    ),
    (
        "sentence",
        &[
            "各乡镇、各部门要高度重视，切实加强组织领导，明确责任分工。",
            "坚持以人民为中心的发展思想，持续优化服务流程，提高办事效率。",
            "对工作中发现的问题要及时整改，确保各项任务落到实处。",
            "加强政策宣传解读，主动回应社会关切，营造良好舆论氛围。",
            "严格落实首问负责、一次性告知和限时办结制度。",
            "相关资金要专款专用，任何单位和个人不得截留、挤占、挪用。",
            "建立健全长效机制，定期开展督导检查，通报工作进展情况。",
            "进一步精简申请材料，压缩办理时限，推行网上办、掌上办。",
            "各责任单位要于每月底前报送工作进展情况。",
            "对落实不力、造成不良影响的，依法依规追究相关人员责任。",
            "加强部门协同和信息共享，推动数据多跑路、群众少跑腿。",
            "本方案自印发之日起施行，有效期五年。",
            "申请人可通过政务服务网、移动端或者到政务服务中心窗口提交申请。",
            "符合条件的，按照规定标准予以补助；不符合条件的，书面说明理由。",
            "严格执行政府信息公开保密审查制度，依法保护个人隐私。",
            "统筹安排年度预算资金，优先保障民生领域支出。",
            "加强安全隐患排查整治，坚决遏制重特大事故发生。",
            "鼓励社会力量参与，形成政府主导、社会协同、公众参与的工作格局。",
            "对群众反映强烈的问题，建立台账，逐项销号。",
            "推进基层政务公开标准化规范化建设，拓展公开渠道。",
            "完善考核评价体系，将考核结果作为评先评优的重要依据。",
            "定期开展满意度调查，及时改进服务中的不足。",
            "涉及群众切身利益的重要事项，应当广泛听取意见。",
            "各单位要结合实际制定具体措施，认真抓好贯彻落实。",
        ],
    ),
];

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The vocabulary as a temporary table, each entry with its words for the search index.
fn words_table() -> String {
    let mut sql = String::from(
        "DROP TABLE IF EXISTS s_words, s_template;\n\
         CREATE TEMP TABLE s_words (kind text, i int, w text, seg text);\n\
         INSERT INTO s_words VALUES ",
    );
    let mut first = true;
    for (kind, list) in WORDS {
        for (i, w) in list.iter().enumerate() {
            if !first {
                sql.push_str(", ");
            }
            first = false;
            let _ = write!(
                sql,
                "({}, {}, {}, {})",
                quote(kind),
                i + 1,
                quote(w),
                quote(&segment_document(w))
            );
        }
    }
    sql.push_str(
        ";\nCREATE TEMP TABLE s_template AS SELECT * FROM service_matter_versions \
         WHERE published_at IS NOT NULL ORDER BY published_at, matter_id LIMIT 1;\n",
    );
    sql
}

#[derive(QueryableByName)]
struct Scale {
    #[diesel(sql_type = Nullable<Integer>)]
    scale: Option<i32>,
    #[diesel(sql_type = BigInt)]
    partial: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut zhengwu_persistence::Conn, table: &str) -> Result<i64, String> {
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .await
        .map(|c| c.n)
        .map_err(|e| format!("cannot count {table}: {e}"))
}

/// Seeds the database of `config` at `scale` units and returns a report of what it did and
/// how long each step took. A database seeded at the same scale is left as it is.
pub async fn run(config: &Config, scale: u32) -> Result<String, String> {
    if !(1..=100).contains(&scale) {
        return Err("--scale must be between 1 and 100".to_owned());
    }
    let started = Instant::now();
    let mut conn = demo::connect(config).await?;
    let before = diesel::sql_query(
        "SELECT (SELECT (after->>'scale')::int FROM audit_events WHERE action = 'seed.load' \
                 ORDER BY id DESC LIMIT 1) AS scale, \
                (SELECT count(*) FROM users WHERE username LIKE 'seed%.c01.admin') AS partial",
    )
    .get_result::<Scale>(&mut conn)
    .await
    .map_err(|e| format!("cannot read the database: {e}"))?;
    match before {
        Scale { scale: Some(s), .. } if s == scale as i32 => {
            return Ok(format!(
                "the database is already seeded at scale {s}; nothing changed"
            ));
        }
        Scale { scale: Some(s), .. } => {
            return Err(format!(
                "the database is seeded at scale {s}; seed scale {scale} into a fresh database"
            ));
        }
        Scale { partial, .. } if partial > 0 => {
            return Err(
                "an earlier seed run did not finish; seed into a fresh database".to_owned(),
            );
        }
        Scale { .. } => {}
    }
    let mut report = String::new();
    let t = Instant::now();
    let demo = demo::load(config).await?;
    let _ = writeln!(
        report,
        "demo data: {:.1} s ({})",
        t.elapsed().as_secs_f64(),
        demo.split(':').next().unwrap_or_default()
    );
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    conn.batch_execute(&format!("SELECT setseed(0.2026);\n{}", words_table()))
        .await
        .map_err(|e| format!("cannot prepare the vocabulary: {e}"))?;
    let steps: Vec<(&str, &str)> = SQL
        .split("\n-- step: ")
        .skip(1)
        .filter_map(|s| s.split_once('\n'))
        .collect();
    for unit in 0..scale {
        for (name, sql) in &steps {
            let t = Instant::now();
            let sql = sql.replace("@U@", &unit.to_string()).replace("@PW@", &hash);
            conn.batch_execute(&sql)
                .await
                .map_err(|e| format!("seeding unit {unit}, step {name}: {e}"))?;
            if *name == "organisations" {
                demo::backfill_catalogues(config).await?;
            }
            let _ = writeln!(
                report,
                "unit {unit} {name}: {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
    }
    let t = Instant::now();
    conn.batch_execute("DROP TABLE IF EXISTS s_words, s_template; ANALYZE;")
        .await
        .map_err(|e| format!("cannot analyze: {e}"))?;
    let _ = writeln!(report, "analyze: {:.1} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let counted =
        crate::routes::statistics::refresh(&mut conn, crate::routes::statistics::REFRESH_BATCH)
            .await
            .map_err(|e| format!("cannot count the case statistics: {e:?}"))?;
    let _ = writeln!(
        report,
        "case statistics: {} days, {} cases: {:.1} s",
        counted.days,
        counted.cases,
        t.elapsed().as_secs_f64()
    );
    demo::record(
        &mut conn,
        "seed.load",
        "database",
        "seed",
        None,
        serde_json::json!({"scale": scale, "seconds": started.elapsed().as_secs()}),
    )
    .await
    .map_err(|e| format!("cannot record the seeding: {e}"))?;
    for table in [
        "organizations",
        "users",
        "disclosure_items",
        "service_matters",
        "cases",
        "disclosure_requests",
        "hotline_tickets",
        "evaluations",
        "attendance_records",
        "assessments",
    ] {
        let _ = writeln!(report, "{table}: {}", count(&mut conn, table).await?);
    }
    let _ = write!(
        report,
        "seeded scale {scale} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(report)
}

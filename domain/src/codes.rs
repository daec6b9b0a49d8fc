//! The stable codes of the problems the API answers (`code` of a problem, and of each
//! field problem). Clients switch on these strings; they never change meaning. The list is
//! in the contract (the `ErrorCode` schema) and at `GET /api/v1/meta/error-codes`, each code
//! with its English description and its Chinese message.
//!
//! Every code carries a generic English description ([`Code::describe`]), a generic Chinese
//! message ([`Code::zh`]) and, where every message given with the code carries the same
//! values in the same order, a Chinese template ([`Code::zh_template`]) whose placeholders
//! `{0}`, `{1}`, … take the values of the English message ([`Code::zh_message`]): an answer
//! in Chinese (`Accept-Language: zh-CN`) keeps the numbers, dates and limits of the English
//! one.

macro_rules! codes {
    (@template) => { None };
    (@template $template:literal) => { Some($template) };
    ($(
        $variant:ident = $code:literal {
            en: $en:literal,
            zh: $zh:literal
            $(, zh_n: $zhn:literal)?
            $(,)?
        }
    ),+ $(,)?) => {
        /// A stable problem code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($variant),+
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The code as it is sent.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),+ }
            }

            /// The code of a string, if it is one.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($code => Some(Code::$variant),)+ _ => None }
            }

            /// What the code means, in general terms (English), for a reference table.
            pub fn describe(self) -> &'static str {
                match self { $(Code::$variant => $en),+ }
            }

            /// The generic Chinese message of the code (no values).
            pub fn zh(self) -> &'static str {
                match self { $(Code::$variant => $zh),+ }
            }

            /// The Chinese template of the code, if its messages carry values: `{0}`, `{1}`,
            /// … stand for the value tokens of the English message, in order
            /// (see [`value_tokens`]).
            pub fn zh_template(self) -> Option<&'static str> {
                match self { $(Code::$variant => codes!(@template $($zhn)?)),+ }
            }
        }
    };
}

codes! {
    AppealAlreadyDecided = "appeal.already_decided" {
        en: "the appeal has already been decided",
        zh: "该申诉已作出处理决定",
    },
    AppealAlreadyMade = "appeal.already_made" {
        en: "an evaluation can be appealed only once",
        zh: "该评价已提出过申诉，每条评价只能申诉一次",
    },
    AppealNone = "appeal.none" {
        en: "the evaluation has not been appealed",
        zh: "该评价尚未提出申诉",
    },
    AppealNotABadReview = "appeal.not_a_bad_review" {
        en: "only a bad review can be appealed",
        zh: "只有差评才能申诉",
    },
    AppealRectificationEnded = "appeal.rectification_ended" {
        en: "a bad review can be appealed only while its rectification is open",
        zh: "差评只能在整改期间申诉，该整改已结束",
    },
    ApplicantKindForNaturalPerson = "applicant.kind_for_natural_person" {
        en: "a natural person has no legal-person kind",
        zh: "自然人申请人不填写法人或其他组织类型",
    },
    ApplicantKindRequired = "applicant.kind_required" {
        en: "a legal person or other organisation must state its kind",
        zh: "法人或其他组织须填写组织类型",
    },
    AssessmentDuplicate = "assessment.duplicate" {
        en: "there is already an assessment record for this day",
        zh: "当天已有考核记录，请修改已有记录",
    },
    AssessmentNotInHall = "assessment.not_in_hall" {
        en: "the subject is not a window of the hall or a staff member of one of its windows",
        zh: "考核对象不是本大厅的窗口或窗口工作人员",
    },
    AssessmentPointsRange = "assessment.points_range" {
        en: "the points of an assessment item are outside the allowed bonus or penalty",
        zh: "考核项分值超出允许的加分或扣分范围",
        zh_n: "每项加分为 {0} 至 {1} 分，扣分为 {2} 至 {3} 分",
    },
    AssessmentTooManyItems = "assessment.too_many_items" {
        en: "a daily assessment has more items than allowed",
        zh: "日常考核的考核项超过上限",
        zh_n: "每天最多 {0} 个考核项",
    },
    AttachmentEmpty = "attachment.empty" {
        en: "the uploaded file is empty",
        zh: "上传的文件为空",
    },
    AttachmentTooLarge = "attachment.too_large" {
        en: "the attachment is larger than allowed",
        zh: "附件超过允许的大小",
        zh_n: "附件不得超过 {0} 字节",
    },
    AttachmentUnsupportedType = "attachment.unsupported_type" {
        en: "the file type is not accepted, or the name's extension does not match the content",
        zh: "不支持该文件类型，或文件扩展名与文件内容不符",
    },
    AttendanceCoverNotNeeded = "attendance.cover_not_needed" {
        en: "nobody covers for a staff member who was present",
        zh: "工作人员在岗，无需他人顶岗",
    },
    AttendanceCoverNotWindowStaff = "attendance.cover_not_window_staff" {
        en: "the one covering must hold the other post (A/B) of the same window",
        zh: "顶岗人员须为同一窗口另一岗位（AB 岗）的工作人员",
    },
    AttendanceCoverSelf = "attendance.cover_self" {
        en: "a staff member cannot cover for themselves",
        zh: "工作人员不能为自己顶岗",
    },
    AttendanceDuplicate = "attendance.duplicate" {
        en: "there is already an attendance record for this day",
        zh: "当天已有考勤记录，请修改已有记录",
    },
    AttendanceNotWindowStaff = "attendance.not_window_staff" {
        en: "the person is not a staff member (A or B post) of the window",
        zh: "该人员不是本窗口的 A 岗或 B 岗工作人员",
    },
    AttendanceOtherHall = "attendance.other_hall" {
        en: "an attendance record cannot move to another hall",
        zh: "考勤记录不能改为其他大厅的窗口",
    },
    AuthForbidden = "auth.forbidden" {
        en: "your role does not allow this operation",
        zh: "您的角色无权执行此操作",
    },
    AuthInvalidCredentials = "auth.invalid_credentials" {
        en: "the name or the secret is wrong, or the account is disabled",
        zh: "用户名或密码错误，或账号已停用",
    },
    AuthInvalidRefreshToken = "auth.invalid_refresh_token" {
        en: "the refresh token is unknown, expired or used up, or the account is disabled",
        zh: "刷新令牌无效、已过期或已使用，或账号已停用，请重新登录",
    },
    AuthTokenRevoked = "auth.token_revoked" {
        en: "the access token's login has ended, or its account or client is disabled",
        zh: "访问令牌已失效（登录已结束，或账号已停用），请重新登录",
    },
    AuthTooManyFailures = "auth.too_many_failures" {
        en: "too many failed logins for this name from this address",
        zh: "该账号在此地址登录失败次数过多，请稍后再试",
    },
    AuthUnauthenticated = "auth.unauthenticated" {
        en: "authentication is required: no valid access token was sent",
        zh: "请先登录：未提供有效的访问令牌，或令牌已过期",
    },
    CalendarAdjustedDayNotWeekend = "calendar.adjusted_day_not_weekend" {
        en: "an adjusted working day must be a Saturday or Sunday",
        zh: "调休工作日须为星期六或星期日",
    },
    CalendarDateOutsideYear = "calendar.date_outside_year" {
        en: "the date is not in the calendar's year",
        zh: "日期不在该日历年度内",
        zh_n: "日期不在 {0} 年内",
    },
    CalendarDayBothKinds = "calendar.day_both_kinds" {
        en: "a day cannot be both a holiday and an adjusted working day",
        zh: "同一天不能既是节假日又是调休工作日",
    },
    CalendarDuplicateDate = "calendar.duplicate_date" {
        en: "a date is listed twice",
        zh: "该日期重复列出",
    },
    CalendarRange = "calendar.range" {
        en: "the deadline cannot be counted within the supported calendar",
        zh: "期限超出工作日历支持的计算范围",
    },
    CalendarYearRange = "calendar.year_range" {
        en: "the calendar year is outside the supported range",
        zh: "年份超出支持的范围",
        zh_n: "年份须在 {0} 至 {1} 之间",
    },
    CaseChannel = "case.channel" {
        en: "the channel does not fit who applies: online for applicants, window or post by clerks",
        zh: "申请渠道不符：申请人通过网上或移动端申请，工作人员通过窗口或邮寄受理",
    },
    CaseClock = "case.clock" {
        en: "the case's time limit cannot be counted within the supported calendar",
        zh: "办件时限超出工作日历支持的计算范围",
    },
    CaseExtensionOverLimit = "case.extension_over_limit" {
        en: "the extended time limit would exceed the statutory limit plus the legal extension",
        zh: "延期后的办理时限超过法定时限与法定延长期限之和",
        zh_n: "延期后办理时限不得超过 {0} 个工作日（法定 {1} 个工作日，可延长 {2} 个工作日）",
    },
    CaseExtensionTwice = "case.extension_twice" {
        en: "a case is extended only once",
        zh: "办件只能延期一次",
    },
    CaseExtensionZero = "case.extension_zero" {
        en: "an extension is at least one working day",
        zh: "延期至少为 1 个工作日",
    },
    CaseIllegalTransition = "case.illegal_transition" {
        en: "the case's current state does not allow this action",
        zh: "办件当前状态不允许此操作",
    },
    CaseMatterNotAccepting = "case.matter_not_accepting" {
        en: "the service matter is not published or does not accept applications",
        zh: "该政务服务事项未发布或不受理申请",
    },
    CaseNoticeAlreadySent = "case.notice_already_sent" {
        en: "a correction notice was already sent this round; everything missing is told at once",
        zh: "本轮已发出补正通知，需补正的材料应一次性告知",
    },
    CaseProjectContainer = "case.project_container" {
        en: "a parallel-approval project is handled through its sub-cases",
        zh: "并联审批项目须通过其子办件办理",
    },
    CaseSameActor = "case.same_actor" {
        en: "the next step is taken by another staff member than the previous one",
        zh: "下一环节须由其他工作人员办理（一审一核）",
    },
    CategoryCodeFormat = "category.code_format" {
        en: "the catalogue category code has the wrong format",
        zh: "目录分类编码格式不正确",
        zh_n: "目录分类编码应为 {0} 至 {1} 位字母、数字、- 或 _",
    },
    CategoryCycle = "category.cycle" {
        en: "a catalogue category cannot contain itself",
        zh: "目录分类不能成为自身的下级",
    },
    CategoryHasItems = "category.has_items" {
        en: "a category with items or sub-categories cannot be deleted",
        zh: "该分类下仍有公开事项或下级分类，不能删除，可改为停用",
    },
    ClientRole = "client.role" {
        en: "a machine client has a working role, not an administrator's or an applicant's",
        zh: "接入客户端只能使用业务角色，不能使用管理员或申请人角色",
    },
    ComplaintIllegalTransition = "complaint.illegal_transition" {
        en: "the complaint's current state does not allow this action",
        zh: "投诉当前状态不允许此操作",
    },
    ComplaintSubjectCannotHandle = "complaint.subject_cannot_handle" {
        en: "the subject of a complaint cannot handle it",
        zh: "被投诉对象不能办理该投诉",
    },
    ConflictDuplicate = "conflict.duplicate" {
        en: "an object with the same unique value exists",
        zh: "已存在唯一值相同的记录",
    },
    ConsultationAlreadyPast = "consultation.already_past" {
        en: "the consultation's closing time has passed",
        zh: "意见征集的截止时间已过",
    },
    ConsultationClosed = "consultation.closed" {
        en: "the consultation is closed for comments",
        zh: "意见征集已截止，不再接收意见",
    },
    ConsultationIllegalTransition = "consultation.illegal_transition" {
        en: "the consultation's current state does not allow this action",
        zh: "意见征集当前状态不允许此操作",
    },
    ConsultationNotOpen = "consultation.not_open" {
        en: "the consultation is not open for comments",
        zh: "意见征集未在进行中，暂不接收意见",
    },
    CreditCodeCharset = "credit_code.charset" {
        en: "a unified social credit code holds only digits and the upper-case letters of GB 32100",
        zh: "统一社会信用代码含有不允许的字符（只能使用数字和 GB 32100 规定的大写字母）",
    },
    CreditCodeCheckCharacter = "credit_code.check_character" {
        en: "the check character of the unified social credit code does not match GB 32100",
        zh: "统一社会信用代码校验位不符合 GB 32100",
    },
    CreditCodeDivision = "credit_code.division" {
        en: "characters 3 to 8 of a unified social credit code are an administrative division code",
        zh: "统一社会信用代码第 3 至 8 位须为行政区划代码",
    },
    CreditCodeLength = "credit_code.length" {
        en: "a unified social credit code has 18 characters",
        zh: "统一社会信用代码应为 18 位",
    },
    CursorInvalid = "cursor.invalid" {
        en: "the paging cursor is not one this API gave out",
        zh: "分页游标无效",
    },
    DateFuture = "date.future" {
        en: "the date of something done lies after today",
        zh: "已发生事项的日期不能晚于今天",
        zh_n: "{0} 晚于今天（{1}），已发生事项的日期不能晚于今天",
    },
    DateOrder = "date.order" {
        en: "the dates are in the wrong order, or the period is longer than allowed",
        zh: "日期先后顺序不正确，或期间超过允许的长度",
    },
    DatePast = "date.past" {
        en: "the deadline must lie after today",
        zh: "期限须晚于今天",
    },
    DisclosureAuthorCannotReview = "disclosure.author_cannot_review" {
        en: "the author of a disclosure item cannot review it",
        zh: "公开事项的起草人不能审核该事项",
    },
    DisclosureGroundRequired = "disclosure.ground_required" {
        en: "an item that is not disclosed needs its legal ground",
        zh: "不予公开的事项须注明不予公开的依据",
    },
    DisclosureGroundWithoutRefusal = "disclosure.ground_without_refusal" {
        en: "only an item that is not disclosed has a non-disclosure ground",
        zh: "只有不予公开的事项才填写不予公开的依据",
    },
    DisclosureIllegalTransition = "disclosure.illegal_transition" {
        en: "the disclosure item's current state does not allow this action",
        zh: "公开事项当前状态不允许此操作",
    },
    DisclosureInterpretsOnlyForInterpretation = "disclosure.interprets_only_for_interpretation" {
        en: "only a policy interpretation names a policy it interprets",
        zh: "只有政策解读才能关联所解读的政策文件",
    },
    DisclosureInterpretsRequired = "disclosure.interprets_required" {
        en: "a policy interpretation names the policy it interprets",
        zh: "政策解读须关联所解读的政策文件",
    },
    DisclosureNotEditable = "disclosure.not_editable" {
        en: "only a draft disclosure item can be edited",
        zh: "只有草稿状态的公开事项可以修改",
    },
    DisclosurePersonalData = "disclosure.personal_data" {
        en: "the item holds personal data to mask, or to publish under a recorded exception",
        zh: "公开内容含有个人信息，须遮蔽后发布，或按已登记的例外情形发布",
        zh_n: "有 {0} 处个人信息须遮蔽后发布，或按已登记的例外情形发布",
    },
    DisclosurePolicyNotPublished = "disclosure.policy_not_published" {
        en: "an interpretation is published with or after its policy, never before",
        zh: "政策解读须与所解读的政策文件同步或在其后发布",
    },
    DivisionCodeFormat = "division_code.format" {
        en: "an administrative division code has 6 or 12 digits",
        zh: "行政区划代码应为 6 位或 12 位数字",
    },
    DivisionCodeProvince = "division_code.province" {
        en: "an administrative division code starts with the code of a province-level division",
        zh: "行政区划代码前两位须为省级行政区划代码",
    },
    DivisionCodeRequired = "division_code.required" {
        en: "a region government needs its administrative division code",
        zh: "地方人民政府须填写行政区划代码",
    },
    EmailFormat = "email.format" {
        en: "the value is not an e-mail address",
        zh: "电子邮箱地址格式不正确",
    },
    EnumUnknownValue = "enum.unknown_value" {
        en: "the value is not one of the allowed values",
        zh: "不是允许的取值之一",
    },
    EvaluationAlreadyGiven = "evaluation.already_given" {
        en: "the case has already been evaluated; one evaluation per case",
        zh: "该办件已评价，每个办件只能评价一次",
    },
    EvaluationCaseNotDecided = "evaluation.case_not_decided" {
        en: "a case is evaluated only once it is decided",
        zh: "办件作出办理决定后才能评价",
    },
    EvaluationProjectContainer = "evaluation.project_container" {
        en: "a parallel-approval project is evaluated through its sub-cases",
        zh: "并联审批项目须通过其子办件评价",
    },
    EvaluationTextRequired = "evaluation.text_required" {
        en: "a bad review says what went wrong",
        zh: "差评须说明具体问题",
    },
    ExtensionAfterDueDate = "extension.after_due_date" {
        en: "an extension is decided on or before the due date",
        zh: "延期须在到期日当天或之前决定",
        zh_n: "延期须在到期日（{0}）当天或之前决定，{1} 时期限已过",
    },
    FacetUnknown = "facet.unknown" {
        en: "an unknown facet was asked for",
        zh: "不支持该分面统计维度，可选分类、机构、年份",
    },
    FeeByCase = "fee.by_case" {
        en: "a fee by case is quoted from the application's rank in its month, not from pages",
        zh: "按件计收时须提供本月申请件次，不应提供页数",
    },
    FeeByCaseNeedsAccount = "fee.by_case_needs_account" {
        en: "a fee by case counts a registered applicant's applications",
        zh: "按件计收仅适用于已注册的申请人，以便统计其申请件数",
    },
    FeeByVolume = "fee.by_volume" {
        en: "a fee by volume is quoted from the number of pages, not from the application's rank",
        zh: "按量计收时须提供页数，不应提供申请件次",
    },
    FeeLegalBasis = "fee.legal_basis" {
        en: "every fee item needs its legal basis, within the allowed length",
        zh: "每个收费项目须填写收费依据，且不超过允许的长度",
    },
    FieldAccountOnly = "field.account_only" {
        en: "the field can be set only by a signed-in account",
        zh: "登录后才能填写此项",
    },
    FieldNotWritable = "field.not_writable" {
        en: "your role may not set some of the fields sent",
        zh: "您无权填写请求中的部分字段",
    },
    FieldRequired = "field.required" {
        en: "a required field is missing",
        zh: "缺少必填项",
    },
    FieldRequiredWhen = "field.required_when" {
        en: "the field is required in this situation",
        zh: "在当前情形下此项为必填项",
    },
    FieldStaffOnly = "field.staff_only" {
        en: "the field can be set only by staff",
        zh: "此项仅限工作人员填写",
    },
    FieldUnknown = "field.unknown" {
        en: "the field is not part of the request",
        zh: "请求中含有未定义的字段",
    },
    GradesOrder = "grades.order" {
        en: "the grade thresholds must rise: pass, good, excellent",
        zh: "等级分数线须依次升高：合格 < 良好 < 优秀",
    },
    HashFormat = "hash.format" {
        en: "a hash is written as 64 hexadecimal characters",
        zh: "哈希值应为 64 位十六进制字符",
    },
    IdempotencyKeyReused = "idempotency.key_reused" {
        en: "the idempotency key was used for a different request",
        zh: "该 Idempotency-Key 已用于其他请求，请使用新的键值",
    },
    IndexFormatInvalid = "index_format.invalid" {
        en: "the index number format is not valid",
        zh: "索引号格式无效",
    },
    Internal = "internal" {
        en: "an internal error occurred and has been logged",
        zh: "系统内部错误，已记录日志",
    },
    KnowledgeEntryIllegalTransition = "knowledge_entry.illegal_transition" {
        en: "the knowledge entry's current state does not allow this action",
        zh: "知识库条目当前状态不允许此操作",
    },
    KnowledgeEntryNotDraft = "knowledge_entry.not_draft" {
        en: "only a draft knowledge entry can be edited",
        zh: "只有草稿状态的知识库条目可以修改",
    },
    KnowledgeEntryOwnEntry = "knowledge_entry.own_entry" {
        en: "a knowledge entry is reviewed by someone other than its author",
        zh: "知识库条目须由起草人以外的人员审核",
    },
    LengthInvalid = "length.invalid" {
        en: "a list or tuple has the wrong number of elements",
        zh: "数组元素个数不正确",
    },
    ListDuplicate = "list.duplicate" {
        en: "an entry is listed twice",
        zh: "列表中有重复项",
    },
    ListEmpty = "list.empty" {
        en: "the list needs at least one entry",
        zh: "至少须填写一项",
    },
    ListLength = "list.length" {
        en: "the list has too few or too many entries",
        zh: "列表项数不在允许范围内",
        zh_n: "应为 {0} 至 {1} 项",
    },
    ListTooLong = "list.too_long" {
        en: "the list has more entries than allowed",
        zh: "列表项数超过上限",
        zh_n: "最多 {0} 项",
    },
    MaterialConditionOnRequired = "material.condition_on_required" {
        en: "a required material has no condition",
        zh: "必须提交的材料不填写适用情形",
    },
    MaterialConditionRequired = "material.condition_required" {
        en: "a conditional material says when it is needed",
        zh: "按情形提交的材料须说明适用情形",
    },
    MaterialNotInMatter = "material.not_in_matter" {
        en: "the material is not one of the service matter's materials",
        zh: "该材料不属于此事项的申请材料",
    },
    MatterCodeFormat = "matter.code_format" {
        en: "the service matter code has the wrong format",
        zh: "事项编码格式不正确",
        zh_n: "事项编码应为 {0} 至 {1} 位字母或数字",
    },
    MatterIllegalTransition = "matter.illegal_transition" {
        en: "the service matter's current state does not allow this action",
        zh: "事项当前状态不允许此操作",
    },
    MatterImmediateWithLimit = "matter.immediate_with_limit" {
        en: "an immediate case is decided on the spot: its promised limit is zero",
        zh: "即办件当场办结，承诺办结时限应为 0",
    },
    MatterNotEditable = "matter.not_editable" {
        en: "the matter's working version is under review, or the matter is abolished",
        zh: "事项的工作版本正在审核中或事项已废止，不能修改",
    },
    MatterProcedureSteps = "matter.procedure_steps" {
        en: "the procedure has too few or too many steps",
        zh: "办理流程环节数不在允许范围内",
        zh_n: "办理流程应有 {0} 至 {1} 个环节",
    },
    MatterPromisedOverStatutory = "matter.promised_over_statutory" {
        en: "the promised time limit cannot exceed the statutory one",
        zh: "承诺办结时限不能超过法定办结时限",
    },
    MatterPromisedWithoutLimit = "matter.promised_without_limit" {
        en: "a promised case needs a promised time limit",
        zh: "承诺件须设定承诺办结时限",
        zh_n: "承诺件的承诺办结时限至少为 {0} 个工作日",
    },
    MergeIntoMerged = "merge.into_merged" {
        en: "the target ticket was itself merged",
        zh: "目标工单本身已被合并",
    },
    MergeSelf = "merge.self" {
        en: "a ticket is merged into another ticket, not into itself",
        zh: "工单不能合并到自身",
    },
    MessageIllegalTransition = "message.illegal_transition" {
        en: "the message's current state does not allow this action",
        zh: "留言当前状态不允许此操作",
    },
    MoneyPositive = "money.positive" {
        en: "an amount is a positive number of fen",
        zh: "金额须为正数（单位：分）",
    },
    MonthFormat = "month.format" {
        en: "a month is written as year and month, e.g. 2026-11",
        zh: "月份格式应为四位年份-两位月份，例如 2026-11",
    },
    NotFound = "not_found" {
        en: "no such object, or it is outside your scope",
        zh: "未找到该对象",
    },
    OperatorOnly = "operator.only" {
        en: "only a hotline operator records this channel; online submissions are web",
        zh: "只有热线话务员可登记该渠道的工单，网上提交的渠道为网站",
    },
    OrgCycle = "org.cycle" {
        en: "an organisation cannot move below itself",
        zh: "机构不能移至其自身或下级机构之下",
    },
    OrgInvalidParent = "org.invalid_parent" {
        en: "the organisation's kind does not allow it under this parent",
        zh: "该类机构不能设在此上级机构之下",
    },
    OrgLevelAboveParent = "org.level_above_parent" {
        en: "an organisation cannot be of a higher level than its parent",
        zh: "机构层级不能高于其上级机构",
    },
    OrgRootMustBeGovernment = "org.root_must_be_government" {
        en: "only a region government can be the root of an organisation tree",
        zh: "只有地方人民政府可以作为机构树的顶层机构",
    },
    PasswordIncorrect = "password.incorrect" {
        en: "the current password is wrong",
        zh: "当前密码不正确",
    },
    PasswordTooLong = "password.too_long" {
        en: "the password is longer than allowed",
        zh: "密码过长",
        zh_n: "密码不得超过 {0} 个字符",
    },
    PasswordTooShort = "password.too_short" {
        en: "the password is shorter than required",
        zh: "密码过短",
        zh_n: "密码至少 {0} 个字符",
    },
    PasswordTooSimple = "password.too_simple" {
        en: "a password contains at least one letter and one digit",
        zh: "密码须至少包含一个字母和一个数字",
    },
    PasswordUnchanged = "password.unchanged" {
        en: "the new password is the current one",
        zh: "新密码不能与当前密码相同",
    },
    PhoneFormat = "phone.format" {
        en: "the phone number has the wrong format",
        zh: "电话号码格式不正确",
        zh_n: "电话号码应为 {0} 至 {1} 位数字，可包含 -、+、括号和空格",
    },
    PhoneMobileFormat = "phone.mobile_format" {
        en: "the mobile number has the wrong format",
        zh: "手机号码格式不正确",
        zh_n: "手机号码应为 {0} 位数字，并以 {1} 至 {2} 开头",
    },
    PiiBankCard = "pii.bank_card" {
        en: "the text holds a bank card number",
        zh: "内容含有银行卡号，须遮蔽",
    },
    PiiEmail = "pii.email" {
        en: "the text holds an e-mail address",
        zh: "内容含有电子邮箱地址，须遮蔽",
    },
    PiiIdNumber = "pii.id_number" {
        en: "the text holds an identity card number",
        zh: "内容含有身份证号码，须遮蔽",
    },
    PiiMobile = "pii.mobile" {
        en: "the text holds a mobile number",
        zh: "内容含有手机号码，须遮蔽",
    },
    PreconditionStaleVersion = "precondition.stale_version" {
        en: "the If-Match header names a version that is no longer current",
        zh: "数据已被修改，If-Match 不是当前版本，请重新读取",
        zh_n: "数据已被修改，If-Match 不是当前版本 {0}，请重新读取",
    },
    Range = "range" {
        en: "the number is outside the allowed range",
        zh: "数值超出允许的范围",
    },
    RateLimited = "rate_limited" {
        en: "too many requests from this client",
        zh: "请求过于频繁，请稍后再试",
    },
    RectificationAppealPending = "rectification.appeal_pending" {
        en: "the review is under appeal; the rectification is closed once the appeal is decided",
        zh: "该差评正在申诉中，申诉作出处理决定后方可关闭整改",
    },
    RectificationIllegalTransition = "rectification.illegal_transition" {
        en: "the rectification's current state does not allow this action",
        zh: "整改当前状态不允许此操作",
    },
    ReferenceNotFound = "reference.not_found" {
        en: "the request refers to an object that does not exist or is outside your scope",
        zh: "引用的对象不存在或不在您的权限范围内",
    },
    RequestBodyTooLarge = "request.body_too_large" {
        en: "the request body is larger than allowed",
        zh: "请求体超过允许的大小",
        zh_n: "请求体不得超过 {0} 字节",
    },
    RequestBodyUnreadable = "request.body_unreadable" {
        en: "the request body could not be read",
        zh: "无法读取请求体",
    },
    RequestChannel = "request.channel" {
        en: "the channel does not fit who applies: online for applicants, the others for officers",
        zh: "申请渠道不符：申请人通过网上申请，信函、当面和传真申请由工作人员登记",
    },
    RequestClock = "request.clock" {
        en: "the application's time limit cannot be counted within the supported calendar",
        zh: "政府信息公开申请的答复期限超出工作日历支持的计算范围",
    },
    RequestCorrectionLapsed = "request.correction_lapsed" {
        en: "the correction deadline has passed; the application is deemed withdrawn",
        zh: "补正期限已过，该申请视为放弃",
    },
    RequestCorrectionNotLapsed = "request.correction_not_lapsed" {
        en: "the correction deadline has not passed",
        zh: "补正期限尚未届满",
    },
    RequestCorrectionOnce = "request.correction_once" {
        en: "a correction is asked for once, listing everything to correct",
        zh: "补正只能要求一次，并应一次性告知需要补正的全部内容",
    },
    RequestCorrectionTooLate = "request.correction_too_late" {
        en: "the statutory period for sending a correction notice has passed",
        zh: "已超过发出补正通知的法定期限",
        zh_n: "补正通知应在收到申请之日起 {0} 个工作日内发出（《政府信息公开条例》第 {1} 条）",
    },
    RequestExtensionRange = "request.extension_range" {
        en: "the extension of an application is outside the statutory range",
        zh: "延长答复期限超出法定范围",
        zh_n: "延长答复期限应为 {0} 至 {1} 个工作日（《政府信息公开条例》第 {2} 条）",
    },
    RequestExtensionTwice = "request.extension_twice" {
        en: "an application is extended only once",
        zh: "政府信息公开申请只能延期一次",
    },
    RequestFeeFree = "request.fee_free" {
        en: "the fee calculator gives no fee for this application",
        zh: "按收费标准，该申请无需收取信息处理费",
    },
    RequestFeePending = "request.fee_pending" {
        en: "while a fee is due, the only reply is the one for an unpaid fee, after its deadline",
        zh: "信息处理费待缴期间，只能在缴费期限届满后作出逾期未缴费的答复",
    },
    RequestFeeTwice = "request.fee_twice" {
        en: "an application is charged one fee, by case or by volume, never both",
        zh: "每件申请只能收取一次信息处理费，不能同时按件和按量计收",
    },
    RequestIllegalTransition = "request.illegal_transition" {
        en: "the application's current state does not allow this action",
        zh: "政府信息公开申请当前状态不允许此操作",
    },
    RequestInvalid = "request.invalid" {
        en: "the request is not valid",
        zh: "请求无效",
    },
    RequestInvalidIdempotencyKey = "request.invalid_idempotency_key" {
        en: "the Idempotency-Key header has the wrong format",
        zh: "Idempotency-Key 请求头格式不正确",
        zh_n: "Idempotency-Key 须为 {0} 至 {1} 个可见 ASCII 字符",
    },
    RequestInvalidIfMatch = "request.invalid_if_match" {
        en: "the If-Match header is neither * nor a list of entity tags",
        zh: "If-Match 请求头格式不正确，应为 * 或实体标签列表",
    },
    RequestInvalidMultipart = "request.invalid_multipart" {
        en: "the multipart form is not valid",
        zh: "文件上传表单格式不正确",
    },
    RequestInvalidPath = "request.invalid_path" {
        en: "a path parameter is not valid",
        zh: "路径参数无效",
    },
    RequestInvalidQuery = "request.invalid_query" {
        en: "a query parameter is not valid",
        zh: "查询参数无效",
    },
    RequestMalformedJson = "request.malformed_json" {
        en: "the body is not valid JSON",
        zh: "请求体不是有效的 JSON",
    },
    RequestReceiptFactMissing = "request.receipt_fact_missing" {
        en: "the date that fixes the day of receipt is missing",
        zh: "缺少确定收到申请日期的信息：信函申请须填写签收日期，网上或传真申请须填写双方确认日期",
    },
    RequestUnsupportedMediaType = "request.unsupported_media_type" {
        en: "the body is not of the documented media type",
        zh: "请求体须为 JSON 格式",
    },
    RoleApplicantNotStaff = "role.applicant_not_staff" {
        en: "the applicant role is not granted: applicants register themselves",
        zh: "不能授予申请人角色，申请人须自行注册",
    },
    RouteMethodNotAllowed = "route.method_not_allowed" {
        en: "the endpoint does not accept this method",
        zh: "该接口不支持此请求方法",
    },
    RouteNotFound = "route.not_found" {
        en: "no endpoint has this path",
        zh: "请求的接口不存在",
    },
    RuleNotAnomaly = "rule.not_anomaly" {
        en: "the rule is not an anomaly rule",
        zh: "须为异常监测规则（编号以 JC-B 开头）",
    },
    ServiceDatabaseUnavailable = "service.database_unavailable" {
        en: "the database cannot be reached; retry shortly",
        zh: "服务暂时不可用，请稍后重试",
    },
    StaffOnly = "staff.only" {
        en: "only staff may use this parameter",
        zh: "此项仅限工作人员使用",
    },
    SupervisionOrderIllegalTransition = "supervision_order.illegal_transition" {
        en: "the supervision order's current state does not allow this action",
        zh: "督办单当前状态不允许此操作",
    },
    TextEmpty = "text.empty" {
        en: "the text is empty",
        zh: "内容不能为空",
    },
    TextEncoding = "text.encoding" {
        en: "the text is not UTF-8",
        zh: "文本不是 UTF-8 编码",
    },
    TextLength = "text.length" {
        en: "the text is shorter or longer than allowed",
        zh: "文本长度不在允许范围内",
        zh_n: "应为 {0} 至 {1} 个字符",
    },
    TextNulCharacter = "text.nul_character" {
        en: "the text holds the NUL character",
        zh: "文本不得包含空字符（NUL）",
    },
    TextTooLong = "text.too_long" {
        en: "the text is longer than allowed",
        zh: "文本超过允许的长度",
        zh_n: "不得超过 {0} 个字符",
    },
    TicketExtensionPending = "ticket.extension_pending" {
        en: "an extension request of the ticket is already waiting for a decision",
        zh: "该工单已有待审批的延期申请",
    },
    TicketIllegalTransition = "ticket.illegal_transition" {
        en: "the ticket's current state does not allow this action",
        zh: "工单当前状态不允许此操作",
    },
    TicketNoExtensionRequest = "ticket.no_extension_request" {
        en: "no extension request of the ticket is waiting",
        zh: "该工单没有待审批的延期申请",
    },
    TicketNotReplied = "ticket.not_replied" {
        en: "the ticket has no reply yet",
        zh: "该工单尚未答复",
    },
    TypeInvalid = "type.invalid" {
        en: "the value has the wrong type",
        zh: "数据类型不正确",
    },
    Unique = "unique" {
        en: "the value is already taken",
        zh: "该值已被使用",
    },
    UsernameFormat = "username.format" {
        en: "the user name has the wrong format",
        zh: "用户名格式不正确",
        zh_n: "用户名应为 {0} 至 {1} 个字符，只能使用字母、数字和 _ . @ -",
    },
    ValidationFailed = "validation.failed" {
        en: "the request is well-formed but some fields are not valid",
        zh: "请求内容未通过校验，请查看各字段的具体问题",
    },
    ValueInvalid = "value.invalid" {
        en: "the value is not valid",
        zh: "取值无效",
    },
    WebhookTargetForbidden = "webhook.target_forbidden" {
        en: "the webhook's host resolves to a private, loopback or link-local address",
        zh: "回调地址解析到内网、环回或链路本地地址，不允许推送",
    },
    WebhookUrlInvalid = "webhook.url_invalid" {
        en: "the webhook's address is not an acceptable http or https URL",
        zh: "回调地址不是可接受的网址，须为以超文本传输协议访问的完整地址",
    },
    WindowAbPosts = "window.ab_posts" {
        en: "a staffed window needs at least one A post and one B post",
        zh: "配备人员的窗口须至少有一名 A 岗和一名 B 岗工作人员（AB 岗）",
    },
    WindowStaffDuplicate = "window.staff_duplicate" {
        en: "each person holds one post at a window",
        zh: "同一人员在一个窗口只能担任一个岗位",
    },
    YearFuture = "year.future" {
        en: "the year lies after the current one",
        zh: "年份不能晚于当前年份",
    },
}

impl Code {
    /// The Chinese message of a problem whose English message is `english`: the template
    /// filled with the values of `english` when the code has one and `english` carries as
    /// many values as it needs; the generic Chinese message otherwise.
    pub fn zh_message(self, english: &str) -> std::borrow::Cow<'static, str> {
        use std::borrow::Cow;
        let Some(template) = self.zh_template() else {
            return Cow::Borrowed(self.zh());
        };
        let values = value_tokens(english);
        let needed = placeholders(template).map_or(0, |i| i + 1);
        if needed == 0 || values.len() != needed {
            return Cow::Borrowed(self.zh());
        }
        Cow::Owned(fill(template, &values))
    }
}

/// The value tokens of a message, in order: the maximal runs matching
/// `[0-9]([0-9.:/-]*[0-9])?` — so `2026-01-01` and `1.5` are one token each, `13–19` (en
/// dash) is two and `18th` gives `18`.
pub fn value_tokens(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let inner = |b: u8| b.is_ascii_digit() || matches!(b, b'.' | b':' | b'/' | b'-');
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        // One past the last digit of the run.
        let mut end = i + 1;
        let mut j = end;
        while j < bytes.len() && inner(bytes[j]) {
            j += 1;
            if bytes[j - 1].is_ascii_digit() {
                end = j;
            }
        }
        // Every byte of the token is ASCII: the slice lies on character boundaries.
        out.push(&text[start..end]);
        i = end;
    }
    out
}

/// The index of a placeholder `{n}` at the start of `s`, and the placeholder's length.
fn placeholder_at(s: &str) -> Option<(usize, usize)> {
    let rest = s.strip_prefix('{')?;
    let close = rest.find('}')?;
    let digits = &rest[..close];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, close + 2))
}

/// The highest placeholder index of a template, if it has any placeholder.
fn placeholders(template: &str) -> Option<usize> {
    template
        .match_indices('{')
        .filter_map(|(at, _)| placeholder_at(&template[at..]).map(|(n, _)| n))
        .max()
}

/// The template with each placeholder `{n}` replaced by `values[n]` (kept as written when
/// there is no such value).
fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match placeholder_at(&rest[open..]) {
            Some((n, len)) if n < values.len() => {
                out.push_str(values[n]);
                rest = &rest[open + len..];
            }
            _ => {
                out.push('{');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown code {s}")))
    }
}

/// The contract's `ErrorCode`: a string, one of the codes.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Code {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A stable problem code: clients switch on it; its meaning never changes.",
            ))
            .enum_values(Some(Code::ALL.iter().map(|c| c.as_str())))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Code {
    fn name() -> std::borrow::Cow<'static, str> {
        "ErrorCode".into()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{Code, placeholders, value_tokens};

    #[test]
    fn codes_are_unique_dotted_snake_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            let allowed =
                |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit() || "._".contains(ch);
            assert!(c.as_str().chars().all(allowed), "{c}");
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            let json = serde_json::to_string(c).unwrap_or_default();
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(serde_json::from_str::<Code>(&json).ok(), Some(*c));
        }
    }

    /// ASCII words a Chinese message may hold: names of standards, formats and headers.
    const ASCII_WORDS: &[&str] = &[
        "GB",
        "JSON",
        "ID",
        "URL",
        "UTF-8",
        "ASCII",
        "NUL",
        "If-Match",
        "Idempotency-Key",
        "Accept",
        "Accept-Language",
        "A",
        "B",
        "AB",
        "JC-B",
    ];

    fn is_cjk(ch: char) -> bool {
        matches!(ch, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
    }

    /// The ASCII words of a text that are not allowed in a Chinese message.
    fn foreign_words(text: &str) -> Vec<&str> {
        text.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
            .filter(|w| w.chars().any(|ch| ch.is_ascii_alphabetic()))
            .filter(|w| !ASCII_WORDS.contains(w))
            .collect()
    }

    #[test]
    fn every_code_is_described_in_english_and_chinese() {
        for c in Code::ALL {
            let en = c.describe();
            assert!(!en.trim().is_empty(), "{c}: no description");
            assert!(en.is_ascii(), "{c}: {en}");
            assert!(
                en.starts_with(|ch: char| ch.is_ascii_lowercase()),
                "{c}: {en}"
            );
            assert!(!en.ends_with('.'), "{c}: {en}");
            let mut texts = vec![c.zh()];
            texts.extend(c.zh_template());
            for zh in texts {
                assert!(!zh.trim().is_empty(), "{c}: no Chinese message");
                assert!(zh.chars().any(is_cjk), "{c}: {zh}");
                assert!(foreign_words(zh).is_empty(), "{c}: {zh}");
                assert!(!zh.ends_with('。'), "{c}: {zh}");
            }
            assert!(!c.zh().contains(['{', '}']), "{c}: {}", c.zh());
        }
    }

    #[test]
    fn templates_number_their_placeholders_without_gaps() {
        for c in Code::ALL {
            let Some(t) = c.zh_template() else { continue };
            let max = placeholders(t);
            assert!(max.is_some(), "{c}: a template without placeholders");
            for i in 0..=max.unwrap_or(0) {
                assert!(t.contains(&format!("{{{i}}}")), "{c}: no {{{i}}} in {t}");
            }
            // Every brace belongs to a placeholder.
            let braces = t.matches('{').count();
            let numbered = (0..=max.unwrap_or(0))
                .map(|i| t.matches(&format!("{{{i}}}")).count())
                .sum::<usize>();
            assert_eq!(braces, numbered, "{c}: {t}");
            assert_eq!(t.matches('}').count(), numbered, "{c}: {t}");
        }
    }

    #[test]
    fn value_tokens_are_maximal_runs_of_digits_and_separators() {
        assert_eq!(value_tokens("must be at most 500 characters"), ["500"]);
        assert_eq!(
            value_tokens("2026-01-05 is after today (2026-01-02): a date"),
            ["2026-01-05", "2026-01-02"]
        );
        assert_eq!(
            value_tokens("a rate of 1.5 at 09:30, 3/4"),
            ["1.5", "09:30", "3/4"]
        );
        assert_eq!(value_tokens("starts with 13–19"), ["13", "19"]);
        assert_eq!(value_tokens("the check character (the 18th)"), ["18"]);
        assert_eq!(
            value_tokens("within 7 working days (OGI Art.30)."),
            ["7", "30"]
        );
        assert_eq!(value_tokens("-1 to -10 points"), ["1", "10"]);
        assert_eq!(value_tokens("ends 12-. and 3.."), ["12", "3"]);
        assert_eq!(value_tokens("不得超过 200 个字符，2026年"), ["200", "2026"]);
        assert!(value_tokens("no numbers here").is_empty());
        assert!(value_tokens("").is_empty());
    }

    #[test]
    fn zh_messages_carry_the_values_of_the_english_ones() {
        let text = crate::validation::text(&"字".repeat(501), 500).err();
        let text = text.map(|v| (v.code, v.code.zh_message(&v.message)));
        assert_eq!(
            text,
            Some((Code::TextTooLong, "不得超过 500 个字符".into()))
        );
        let mobile = crate::validation::mobile("12345").err();
        let mobile = mobile.map(|v| (v.code, v.code.zh_message(&v.message)));
        assert_eq!(
            mobile,
            Some((
                Code::PhoneMobileFormat,
                "手机号码应为 11 位数字，并以 13 至 19 开头".into()
            ))
        );
        let short = crate::account::password("abc1").err();
        let short = short.map(|v| (v.code, v.code.zh_message(&v.message)));
        assert_eq!(
            short,
            Some((Code::PasswordTooShort, "密码至少 10 个字符".into()))
        );
        let points = crate::assessment::check_points(0).err();
        let points = points.map(|v| (v.code, v.code.zh_message(&v.message)));
        assert_eq!(
            points,
            Some((
                Code::AssessmentPointsRange,
                "每项加分为 1 至 10 分，扣分为 1 至 10 分".into()
            ))
        );
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        if let (Some(on), Some(today)) = (day("2026-01-05"), day("2026-01-02")) {
            let future = crate::validation::event_date(on, None, today).err();
            let future = future.map(|v| (v.code, v.code.zh_message(&v.message)));
            assert_eq!(
                future,
                Some((
                    Code::DateFuture,
                    "2026-01-05 晚于今天（2026-01-02），已发生事项的日期不能晚于今天".into()
                ))
            );
        }
        assert_eq!(
            Code::CaseExtensionOverLimit.zh_message(
                "the limit with extension may not exceed 30 working days \
                 (statutory 20 + legal extension 10)"
            ),
            "延期后办理时限不得超过 30 个工作日（法定 20 个工作日，可延长 10 个工作日）"
        );
        assert_eq!(
            Code::RequestCorrectionTooLate.zh_message(
                "a correction notice is sent within 7 working days of receipt (OGI Art.30)"
            ),
            "补正通知应在收到申请之日起 7 个工作日内发出（《政府信息公开条例》第 30 条）"
        );
        assert_eq!(
            Code::PreconditionStaleVersion
                .zh_message("If-Match does not name the current version 4; read it again"),
            "数据已被修改，If-Match 不是当前版本 4，请重新读取"
        );
    }

    #[test]
    fn zh_messages_fall_back_to_the_generic_text() {
        // Too few or too many values for the template.
        assert_eq!(
            Code::TextTooLong.zh_message("must not be that long"),
            "文本超过允许的长度"
        );
        assert_eq!(
            Code::TextTooLong.zh_message("must be at most 500 characters, not 612"),
            "文本超过允许的长度"
        );
        assert_eq!(
            Code::CalendarYearRange.zh_message("the year must be after 1990"),
            "年份超出支持的范围"
        );
        // No template: the generic text, whatever the values.
        assert_eq!(
            Code::Range.zh_message("1 to 20 copies"),
            "数值超出允许的范围"
        );
        let check = crate::org::CreditCode::parse("91350100M000100Y44").err();
        let check = check.map(|v| (v.code, v.code.zh_message(&v.message)));
        assert_eq!(
            check,
            Some((
                Code::CreditCodeCheckCharacter,
                "统一社会信用代码校验位不符合 GB 32100".into()
            ))
        );
        assert!(matches!(
            Code::NotFound.zh_message("no such case"),
            std::borrow::Cow::Borrowed("未找到该对象")
        ));
    }
}

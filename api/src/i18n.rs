//! The language of problem answers: English or Simplified Chinese, chosen per request from
//! `Accept-Language` (RFC 9110 §12.5.4), else the configured default
//! (`ZHENGWU_DEFAULT_LANGUAGE`). Only the words of a problem change: `type`, `code`,
//! `pointer`, `status` and `context` are the same in both.

use std::borrow::Cow;

use zhengwu_domain::account::Role;
use zhengwu_domain::codes::Code;

/// A language the API answers problems in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (`en`).
    En,
    /// Simplified Chinese (`zh-CN`).
    #[default]
    ZhCn,
}

tokio::task_local! {
    /// The language of the request being served.
    pub static LANG: Lang;
}

/// The language of the request being served, or Chinese outside a request.
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

impl Lang {
    /// The language tag, as sent in `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language a tag or range names: `zh`, `zh-CN`, `zh-Hans`… are Chinese, `en`,
    /// `en-US`… English; `None` for others.
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Some(Lang::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language to answer an `Accept-Language` value in: the most preferred range that
    /// names one of ours (`*` is the default); ranges with `q=0` are refused; without a match,
    /// the default.
    pub fn negotiate(accept_language: Option<&str>, default: Lang) -> Lang {
        let Some(value) = accept_language else {
            return default;
        };
        let mut best: Option<(u16, Lang)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or_default().trim();
            let q = parts
                .find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| quality(v.trim()))
                })
                .unwrap_or(Some(1000));
            let Some(q) = q.filter(|q| *q > 0) else {
                continue;
            };
            let lang = if range == "*" {
                Some(default)
            } else {
                Lang::of_tag(range)
            };
            if let Some(lang) = lang
                && best.is_none_or(|(b, _)| q > b)
            {
                best = Some((q, lang));
            }
        }
        best.map_or(default, |(_, l)| l)
    }
}

/// A quality value (`0`, `0.5`, `1.000`) in thousandths; `None` when malformed.
fn quality(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    (whole + thousandths <= 1000 && (whole == 0 || thousandths == 0)).then_some(whole + thousandths)
}

/// The title of a problem in `lang`.
pub fn title(lang: Lang, english: &'static str, status: u16) -> &'static str {
    if lang == Lang::En {
        return english;
    }
    match english {
        "An internal error occurred" => "服务器内部错误",
        "Authentication is required" => "需要登录认证",
        "Method not allowed" => "不支持该请求方法",
        "Not found" => "未找到",
        "The body must be JSON" => "请求体必须是 JSON",
        "The file is too large" => "文件过大",
        "The request body is too large" => "请求体过大",
        "The request conflicts with the current state" => "请求与当前状态冲突",
        "The request is malformed" => "请求格式错误",
        "The request is not valid" => "请求内容不符合要求",
        "The resource has changed" => "资源已被修改",
        "The service is temporarily unavailable" => "服务暂时不可用",
        "Too many requests" => "请求过于频繁",
        "Your role does not allow this" => "您的角色无权执行此操作",
        _ => match status {
            401 => "需要登录认证",
            403 => "无权执行此操作",
            404 => "未找到",
            409 => "请求与当前状态冲突",
            429 => "请求过于频繁",
            500.. => "服务器内部错误",
            _ => "请求无效",
        },
    }
}

/// Codes whose English text is a parser's account of the input (which parameter, which
/// line and column): the Chinese answer keeps it after the rule.
fn keeps_technical_detail(code: Code) -> bool {
    matches!(
        code,
        Code::RequestMalformedJson | Code::RequestInvalidQuery | Code::RequestInvalidPath
    )
}

/// How a 403 for a missing role begins (see `Actor::require`); the roles follow.
pub const ROLES_NEEDED: &str = "this needs one of the roles: ";

/// The Chinese names of the objects of `no such …` answers.
fn object_name(english: &str) -> Option<&'static str> {
    Some(match english {
        "application" => "政府信息公开申请",
        "assessment" => "考核记录",
        "attachment" => "附件",
        "attendance" => "考勤记录",
        "calendar" => "工作日历",
        "case" => "办件",
        "category" => "目录分类",
        "client" => "接入客户端",
        "comment" => "意见",
        "complaint" => "投诉",
        "consultation" => "意见征集",
        "delivery" => "推送记录",
        "disclosure guide" => "政府信息公开指南",
        "disclosure item" => "公开事项",
        "evaluation" => "评价",
        "hall" => "政务服务大厅",
        "knowledge entry" => "知识库条目",
        "message" => "留言",
        "object" => "对象",
        "organisation" | "organization" => "机构",
        "rectification" => "整改",
        "remedy" => "救济记录",
        "service matter" => "政务服务事项",
        "service matter version" => "事项版本",
        "supervision order" => "督办单",
        "ticket" => "工单",
        "user" => "用户",
        "version" => "版本",
        "webhook" => "事件订阅",
        "window" => "窗口",
        _ => return None,
    })
}

/// A message of `code` in `lang`: the English as written, or the code's Chinese message
/// (with the values of the English one where the catalogue has a template).
pub fn message(lang: Lang, code: Code, english: &str) -> Cow<'static, str> {
    if lang == Lang::En {
        return Cow::Owned(english.to_owned());
    }
    if code == Code::NotFound
        && let Some(name) = english.strip_prefix("no such ").and_then(object_name)
    {
        return Cow::Owned(format!("未找到该{name}，或不在您的可见范围内"));
    }
    if code == Code::AuthForbidden
        && let Some(roles) = english.strip_prefix(ROLES_NEEDED)
    {
        let labels: Vec<&str> = roles
            .split(", ")
            .map(|r| Role::parse(r).map_or(r, |role| role.label_zh()))
            .collect();
        return Cow::Owned(format!("此操作需要以下角色之一：{}", labels.join("、")));
    }
    let zh = code.zh_message(english);
    if keeps_technical_detail(code) && !english.is_empty() {
        // The parser's words follow the rule's English name (`the body is not valid JSON:
        // expected value at line 1 column 1`).
        let technical = english.split_once(": ").map_or(english, |(_, t)| t);
        Cow::Owned(format!("{zh}（{technical}）"))
    } else {
        zh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_negotiated_by_quality() {
        let d = Lang::ZhCn;
        assert_eq!(Lang::negotiate(None, d), Lang::ZhCn);
        assert_eq!(Lang::negotiate(None, Lang::En), Lang::En);
        assert_eq!(Lang::negotiate(Some("en-US,en;q=0.9"), d), Lang::En);
        assert_eq!(Lang::negotiate(Some("zh-CN"), Lang::En), Lang::ZhCn);
        assert_eq!(Lang::negotiate(Some("zh-Hans-CN"), Lang::En), Lang::ZhCn);
        assert_eq!(
            Lang::negotiate(Some("en;q=0.5, zh;q=0.8"), Lang::En),
            Lang::ZhCn
        );
        assert_eq!(Lang::negotiate(Some("zh;q=0.5, EN;q=0.8"), d), Lang::En);
        // Equal quality: the first listed wins.
        assert_eq!(Lang::negotiate(Some("en, zh"), d), Lang::En);
        // Unknown languages, `q=0` and malformed qualities are passed over.
        assert_eq!(Lang::negotiate(Some("fr-FR, de"), Lang::En), Lang::En);
        assert_eq!(Lang::negotiate(Some("fr, en;q=0"), d), Lang::ZhCn);
        assert_eq!(
            Lang::negotiate(Some("en;q=2, zh;q=0.1"), Lang::En),
            Lang::ZhCn
        );
        assert_eq!(Lang::negotiate(Some("*"), Lang::En), Lang::En);
        assert_eq!(Lang::negotiate(Some(""), Lang::En), Lang::En);
        assert_eq!(Lang::negotiate(Some(";;,,=q"), Lang::En), Lang::En);
    }

    #[test]
    fn qualities_follow_the_grammar() {
        assert_eq!(quality("1"), Some(1000));
        assert_eq!(quality("1.000"), Some(1000));
        assert_eq!(quality("0.8"), Some(800));
        assert_eq!(quality("0.125"), Some(125));
        assert_eq!(quality("0"), Some(0));
        assert_eq!(quality("1.5"), None);
        assert_eq!(quality("0.1234"), None);
        assert_eq!(quality("-1"), None);
        assert_eq!(quality(".5"), None);
    }

    #[test]
    fn chinese_messages_name_the_object_and_keep_parser_details() {
        assert_eq!(
            message(Lang::ZhCn, Code::NotFound, "no such case"),
            "未找到该办件，或不在您的可见范围内"
        );
        assert_eq!(
            message(Lang::En, Code::NotFound, "no such case"),
            "no such case"
        );
        let m = message(
            Lang::ZhCn,
            Code::RequestMalformedJson,
            "the body is not valid JSON: expected value at line 1 column 1",
        );
        assert!(m.ends_with("（expected value at line 1 column 1）"), "{m}");
        assert!(!m.contains("not valid JSON"), "{m}");
        assert_eq!(
            message(
                Lang::ZhCn,
                Code::AuthForbidden,
                "this needs one of the roles: clerk, nobody"
            ),
            format!("此操作需要以下角色之一：{}、nobody", Role::Clerk.label_zh())
        );
        assert_eq!(title(Lang::ZhCn, "Not found", 404), "未找到");
        assert_eq!(title(Lang::En, "Not found", 404), "Not found");
    }
}

//! Accounts, roles and what each role may do.

use crate::access::Forbidden;
use crate::codes::Code;
use crate::labeled_enum;
use crate::validation::RuleViolation;

labeled_enum! {
    /// The role of an account. Staff roles are scoped to an organisation subtree.
    pub enum Role {
        SysAdmin = ("sys_admin", "系统管理员"),
        OrgAdmin = ("org_admin", "单位管理员"),
        DisclosureOfficer = ("disclosure_officer", "政务公开工作人员"),
        Reviewer = ("reviewer", "审核人"),
        Clerk = ("clerk", "窗口工作人员"),
        Supervisor = ("supervisor", "监察人员"),
        HotlineOperator = ("hotline_operator", "12345热线话务员"),
        Applicant = ("applicant", "申请人"),
    }
}

impl Role {
    pub fn is_staff(self) -> bool {
        self != Role::Applicant
    }

    /// Whether an account of this role may give `target` to an account.
    /// A system administrator may give any role; an organisation administrator any role
    /// but system administrator; nobody else manages accounts.
    pub fn can_grant(self, target: Role) -> bool {
        match self {
            Role::SysAdmin => true,
            Role::OrgAdmin => target != Role::SysAdmin,
            _ => false,
        }
    }

    /// Roles that manage organisations, windows and accounts.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SysAdmin | Role::OrgAdmin)
    }
}

labeled_enum! {
    /// Applicant type, the columns of the annual disclosure report.
    pub enum ApplicantType {
        NaturalPerson = ("natural_person", "自然人"),
        LegalPerson = ("legal_person", "法人或其他组织"),
    }
}

labeled_enum! {
    /// Sub-type of a legal person or other organisation.
    pub enum LegalPersonKind {
        CommercialEnterprise = ("commercial_enterprise", "商业企业"),
        ResearchInstitution = ("research_institution", "科研机构"),
        SocialWelfareOrganization = ("social_welfare_organization", "社会公益组织"),
        LegalServiceInstitution = ("legal_service_institution", "法律服务机构"),
        Other = ("other", "其他"),
    }
}

labeled_enum! {
    /// A/B post of a window's staff (AB岗): when A is absent, B covers.
    pub enum Post {
        A = ("a", "A岗"),
        B = ("b", "B岗"),
    }
}

labeled_enum! {
    /// Who did something recorded in the audit log.
    pub enum ActorKind {
        User = ("user", "用户"),
        Client = ("client", "外部系统"),
        System = ("system", "系统"),
        Anonymous = ("anonymous", "匿名公众"),
    }
}

/// A login name: 3–64 characters of letters, digits and `_ . @ -`.
pub fn username(value: &str) -> Result<String, RuleViolation> {
    let ok = (3..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '@' | '-'));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(RuleViolation::new(
            Code::UsernameFormat,
            "3 to 64 characters: letters, digits and _ . @ -",
        ))
    }
}

/// A password: at least 10 characters, at most 128, with a letter and a digit.
pub fn password(value: &str) -> Result<(), RuleViolation> {
    let n = value.chars().count();
    if n < 10 {
        return Err(RuleViolation::new(
            Code::PasswordTooShort,
            "a password has at least 10 characters",
        ));
    }
    if n > 128 {
        return Err(RuleViolation::new(
            Code::PasswordTooLong,
            "a password has at most 128 characters",
        ));
    }
    if !value.chars().any(|c| c.is_alphabetic()) || !value.chars().any(|c| c.is_ascii_digit()) {
        return Err(RuleViolation::new(
            Code::PasswordTooSimple,
            "a password contains at least one letter and one digit",
        ));
    }
    Ok(())
}

/// Checks that the applicant type and legal-person kind fit together.
pub fn applicant_kind(
    applicant_type: ApplicantType,
    kind: Option<LegalPersonKind>,
) -> Result<Option<LegalPersonKind>, RuleViolation> {
    match (applicant_type, kind) {
        (ApplicantType::NaturalPerson, None) => Ok(None),
        (ApplicantType::NaturalPerson, Some(_)) => Err(RuleViolation::new(
            Code::ApplicantKindForNaturalPerson,
            "a natural person has no legal-person kind",
        )),
        (ApplicantType::LegalPerson, Some(k)) => Ok(Some(k)),
        (ApplicantType::LegalPerson, None) => Err(RuleViolation::new(
            Code::ApplicantKindRequired,
            "a legal person or other organisation needs its kind",
        )),
    }
}

/// Checks a window's staff list: empty, or at least one A post and one B post
/// (a staffed window is never left without cover), each person once.
pub fn window_staffing<T: PartialEq>(staff: &[(T, Post)]) -> Result<(), RuleViolation> {
    for (i, (a, _)) in staff.iter().enumerate() {
        if staff[..i].iter().any(|(b, _)| b == a) {
            return Err(RuleViolation::new(
                Code::WindowStaffDuplicate,
                "each person holds one post at a window",
            ));
        }
    }
    if staff.is_empty() {
        return Ok(());
    }
    let has_a = staff.iter().any(|(_, p)| *p == Post::A);
    let has_b = staff.iter().any(|(_, p)| *p == Post::B);
    if has_a && has_b {
        Ok(())
    } else {
        Err(RuleViolation::new(
            Code::WindowAbPosts,
            "a staffed window needs at least one A post and one B post (AB岗)",
        ))
    }
}

/// The throttle of failed logins, per account name and client address. From the `free`-th
/// failure of a pair on, each failure blocks the pair for a delay that doubles from
/// [`LoginThrottle::FIRST_DELAY_SECONDS`] up to `cap_seconds`. A pair's
/// failures are forgotten [`LoginThrottle::MEMORY_HOURS`] after its last one, or at a
/// successful login. The account name need not exist: an unknown name is throttled as a
/// known one is, and the owner at another address is never blocked by someone else's
/// guesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    pub free: u32,
    pub cap_seconds: i64,
}

/// What a failed attempt leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterFailure {
    pub failures: u32,
    /// How long the pair is blocked from now, if it is.
    pub block_seconds: Option<i64>,
}

impl LoginThrottle {
    pub const FIRST_DELAY_SECONDS: i64 = 30;
    pub const MEMORY_HOURS: i64 = 24;

    /// The failures still counted at `now`, of `failures` the last of which was at `last`.
    pub fn remembered(
        failures: u32,
        last: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> u32 {
        match last {
            Some(at) if now - at < chrono::Duration::hours(Self::MEMORY_HOURS) => failures,
            _ => 0,
        }
    }

    /// One more failure after `failures` (remembered ones).
    pub fn after_failure(&self, failures: u32) -> AfterFailure {
        let failures = failures.saturating_add(1);
        let block_seconds = failures.checked_sub(self.free.max(1)).map(|beyond| {
            let doubled = Self::FIRST_DELAY_SECONDS.saturating_mul(1i64 << beyond.min(30));
            doubled.min(self.cap_seconds.max(1))
        });
        AfterFailure {
            failures,
            block_seconds,
        }
    }
}

/// Why a role cannot be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantRefusal {
    /// Not a role an administrator gives (`/role`, 422).
    NotStaff(RuleViolation),
    /// Not one this administrator may give (403).
    Forbidden(Forbidden),
}

/// Whether an account of role `actor` may give `role` to a staff account.
pub fn check_grant(actor: Role, role: Role) -> Result<(), GrantRefusal> {
    if role == Role::Applicant {
        return Err(GrantRefusal::NotStaff(RuleViolation::new(
            Code::RoleApplicantNotStaff,
            "applicants register themselves at /auth/register",
        )));
    }
    if !actor.can_grant(role) {
        return Err(GrantRefusal::Forbidden(Forbidden(RuleViolation::new(
            Code::AuthForbidden,
            format!("you cannot grant the role {role}"),
        ))));
    }
    Ok(())
}

/// A change an administrator makes to an account, as far as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountChange {
    /// The administrator's role.
    pub actor: Role,
    /// Whether the administrator changes their own account.
    pub by_self: bool,
    /// The account's role now.
    pub current: Role,
    /// The role asked for, if any.
    pub role: Option<Role>,
    pub deactivates: bool,
}

impl AccountChange {
    /// The role the account has afterwards.
    pub fn new_role(&self) -> Role {
        self.role.unwrap_or(self.current)
    }

    fn changes_role(&self) -> bool {
        self.role.is_some_and(|r| r != self.current)
    }

    /// Applicants manage their own accounts; a system administrator's account is changed by
    /// system administrators only; a new role follows the rule of creation; nobody
    /// deactivates themselves or changes their own role.
    pub fn check(&self) -> Result<(), GrantRefusal> {
        let refuse = |m: &'static str| {
            Err(GrantRefusal::Forbidden(Forbidden(RuleViolation::new(
                Code::AuthForbidden,
                m,
            ))))
        };
        if self.current == Role::Applicant {
            return refuse("applicant accounts are managed by their owners");
        }
        if self.current == Role::SysAdmin && self.actor != Role::SysAdmin {
            return refuse("only a system administrator changes a sys_admin");
        }
        if self.changes_role() {
            check_grant(self.actor, self.new_role())?;
        }
        if self.by_self && (self.deactivates || self.changes_role()) {
            return refuse("you cannot deactivate yourself or change your own role");
        }
        Ok(())
    }
}

/// Staff other than system administrators belong to an organisation.
pub fn check_membership(role: Role, has_organization: bool) -> Result<(), RuleViolation> {
    if has_organization || role == Role::SysAdmin {
        Ok(())
    } else {
        Err(RuleViolation::new(
            Code::FieldRequiredWhen,
            "staff other than system administrators belong to an organisation",
        ))
    }
}

/// Whether a machine client may have the role: a working role, not an administrator's nor
/// an applicant's.
pub fn client_role_allowed(role: Role) -> bool {
    !matches!(role, Role::SysAdmin | Role::OrgAdmin | Role::Applicant)
}

/// The role of a new machine client.
pub fn client_role(role: Role) -> Result<Role, RuleViolation> {
    if client_role_allowed(role) {
        Ok(role)
    } else {
        Err(RuleViolation::new(
            Code::ClientRole,
            "a machine client has a working role, not an administrator's or an applicant's",
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn failed_logins_cost_nothing_at_first_then_a_doubling_delay_up_to_the_cap() {
        let t = LoginThrottle {
            free: 5,
            cap_seconds: 900,
        };
        let delays: Vec<Option<i64>> = (0..12).map(|f| t.after_failure(f).block_seconds).collect();
        assert_eq!(
            delays,
            vec![
                None,
                None,
                None,
                None,
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(900),
                Some(900),
                Some(900)
            ]
        );
        assert_eq!(t.after_failure(4).failures, 5);
        assert_eq!(t.after_failure(u32::MAX).block_seconds, Some(900));
    }

    #[test]
    fn failures_are_forgotten_a_day_after_the_last() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let hours = |h| Some(now - chrono::Duration::hours(h));
        assert_eq!(LoginThrottle::remembered(7, hours(23), now), 7);
        assert_eq!(LoginThrottle::remembered(7, hours(24), now), 0);
        assert_eq!(LoginThrottle::remembered(7, None, now), 0);
    }

    use super::*;

    #[test]
    fn granting_roles() {
        assert!(Role::SysAdmin.can_grant(Role::SysAdmin));
        assert!(Role::OrgAdmin.can_grant(Role::Clerk));
        assert!(Role::OrgAdmin.can_grant(Role::OrgAdmin));
        assert!(!Role::OrgAdmin.can_grant(Role::SysAdmin));
        assert!(!Role::Clerk.can_grant(Role::Clerk));
        assert!(!Role::Supervisor.can_grant(Role::Applicant));
    }

    #[test]
    fn passwords() {
        assert!(password("correct-horse-7").is_ok());
        assert_eq!(
            password("short1").err().map(|e| e.code),
            Some(Code::PasswordTooShort)
        );
        assert_eq!(
            password("onlyletters").err().map(|e| e.code),
            Some(Code::PasswordTooSimple)
        );
        assert_eq!(
            password("1234567890").err().map(|e| e.code),
            Some(Code::PasswordTooSimple)
        );
    }

    #[test]
    fn usernames() {
        assert!(username("zhang.san@jinan").is_ok());
        assert!(username("ab").is_err());
        assert!(username("张三").is_err());
    }

    #[test]
    fn applicant_kinds() {
        use ApplicantType::*;
        assert_eq!(applicant_kind(NaturalPerson, None), Ok(None));
        assert!(applicant_kind(NaturalPerson, Some(LegalPersonKind::Other)).is_err());
        assert!(applicant_kind(LegalPerson, None).is_err());
        assert_eq!(
            applicant_kind(LegalPerson, Some(LegalPersonKind::ResearchInstitution)),
            Ok(Some(LegalPersonKind::ResearchInstitution))
        );
    }

    #[test]
    fn staffing() {
        assert!(window_staffing::<u8>(&[]).is_ok());
        assert!(window_staffing(&[(1, Post::A), (2, Post::B)]).is_ok());
        assert_eq!(
            window_staffing(&[(1, Post::A), (2, Post::A)])
                .err()
                .map(|e| e.code),
            Some(Code::WindowAbPosts)
        );
        assert_eq!(
            window_staffing(&[(1, Post::A), (1, Post::B)])
                .err()
                .map(|e| e.code),
            Some(Code::WindowStaffDuplicate)
        );
    }
    #[test]
    fn roles_are_given_by_those_above_them() {
        use super::*;
        assert!(check_grant(Role::SysAdmin, Role::SysAdmin).is_ok());
        assert!(matches!(
            check_grant(Role::OrgAdmin, Role::SysAdmin),
            Err(GrantRefusal::Forbidden(_))
        ));
        assert!(matches!(
            check_grant(Role::SysAdmin, Role::Applicant),
            Err(GrantRefusal::NotStaff(_))
        ));
        assert!(check_grant(Role::OrgAdmin, Role::Clerk).is_ok());
        assert!(check_grant(Role::Clerk, Role::Clerk).is_err());
        assert!(client_role(Role::Clerk).is_ok());
        assert!(check_membership(Role::Clerk, false).is_err());
        assert!(check_membership(Role::Clerk, true).is_ok());
        assert!(check_membership(Role::SysAdmin, false).is_ok());
        for r in [Role::SysAdmin, Role::OrgAdmin, Role::Applicant] {
            assert!(client_role(r).is_err());
        }
    }

    #[test]
    fn account_changes_follow_the_rules() {
        use super::*;
        let change = AccountChange {
            actor: Role::OrgAdmin,
            by_self: false,
            current: Role::Clerk,
            role: None,
            deactivates: false,
        };
        assert!(change.check().is_ok());
        let refused = |c: AccountChange| c.check().is_err();
        assert!(refused(AccountChange {
            current: Role::Applicant,
            ..change
        }));
        assert!(refused(AccountChange {
            current: Role::SysAdmin,
            ..change
        }));
        assert!(refused(AccountChange {
            role: Some(Role::SysAdmin),
            ..change
        }));
        assert!(refused(AccountChange {
            by_self: true,
            deactivates: true,
            ..change
        }));
        assert!(refused(AccountChange {
            by_self: true,
            role: Some(Role::Reviewer),
            ..change
        }));
        // Naming one's own role again is no change.
        assert!(!refused(AccountChange {
            by_self: true,
            role: Some(Role::Clerk),
            ..change
        }));
        assert_eq!(
            AccountChange {
                role: Some(Role::Reviewer),
                ..change
            }
            .new_role(),
            Role::Reviewer
        );
    }
}

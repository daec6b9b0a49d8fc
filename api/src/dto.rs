//! Response bodies shared by several resources, and helpers for request bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::{ApplicantType, LegalPersonKind, Role};
use zhengwu_persistence::users::User;

/// An account as the API shows it (never the password hash or lock counters).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    #[schema(example = "zhang.wei")]
    pub username: String,
    #[schema(example = "张伟")]
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<Uuid>,
    pub applicant_type: Option<ApplicantType>,
    pub legal_person_kind: Option<LegalPersonKind>,
    #[schema(example = "13812345678")]
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserDto {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            organization_id: u.organization_id,
            applicant_type: u.applicant_type,
            legal_person_kind: u.legal_person_kind,
            phone: u.phone,
            email: u.email,
            active: u.active,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// For PATCH bodies: distinguishes an absent field (`None`, unchanged) from `null`
/// (`Some(None)`, cleared).
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

//! The request bodies and answers of the catalogue and guide endpoints.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::disclosure::{DocumentKind, IndexFormat, category_code};
use zhengwu_domain::ids::CategoryId;
use zhengwu_domain::validation::{self, Errors};

use crate::app::catalogue::{CategoryChanges, Guide, NewCategory};
use crate::dto::double_option;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub parent_id: Option<Uuid>,
    #[schema(example = "05")]
    pub code: String,
    #[schema(example = "行政许可")]
    pub name: String,
    pub sort_order: i32,
    /// One of the standard categories of OGI Art.20/21.
    pub standard: bool,
    /// The kind of document filed here (and in the categories below), counted apart in the
    /// annual report: set on the standard sub-categories 0101 (规章) and 0102 (行政规范性文件).
    pub document_kind: Option<DocumentKind>,
    /// Retired categories take no new items; their items stay.
    pub retired: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// The whole catalogue of an organisation, in display order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Catalogue {
    pub items: Vec<CategoryDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Also list retired categories (staff of the organisation).
    #[serde(default)]
    pub include_retired: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "05-01", "name": "行政许可事项清单", "parent_id": null,
    "sort_order": 55}))]
pub struct CreateCategory {
    pub code: String,
    pub name: String,
    pub parent_id: Option<Uuid>,
    pub sort_order: Option<i32>,
}

/// Changes to a category: rename, reorder, move, retire or reinstate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "行政许可事项清单", "sort_order": 56}))]
pub struct PatchCategory {
    pub name: Option<String>,
    pub sort_order: Option<i32>,
    pub retired: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
}

/// How to obtain information from an organisation (政府信息公开指南).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GuideDto {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    /// The index-number format (索引号); the default when absent.
    #[schema(example = "{org_code}/{year}-{serial:05}")]
    pub index_format: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "how_to_obtain": "主动公开的政府信息通过济南市人民政府门户网站、政府公报、公开栏等渠道公开。",
    "how_to_apply": "申请人可通过网上申请、信函、当面等方式提出政府信息公开申请。",
    "office": "济南市人民政府办公厅政务公开办公室", "address": "济南市历下区龙奥北路1号",
    "office_hours": "工作日 9:00-12:00, 13:30-17:00", "phone": "0531-51705012",
    "email": "zwgk@jinan.gov.cn", "index_format": "{org_code}/{year}-{serial:05}"
}))]
pub struct PutGuide {
    pub how_to_obtain: String,
    pub how_to_apply: String,
    pub office: String,
    pub address: String,
    pub office_hours: String,
    pub phone: String,
    pub email: Option<String>,
    /// Placeholders `{org_code}`, `{category}`, `{year}`, `{serial}` or `{serial:05}`.
    pub index_format: Option<String>,
}

/// A value every field error of which was collected: present once `finish` passed.
fn checked<T>(v: Option<T>) -> ApiResult<T> {
    v.ok_or_else(ApiError::internal)
}

impl CreateCategory {
    pub fn parse(self) -> ApiResult<NewCategory> {
        let mut e = Errors::new();
        let code = e.check("code", category_code(&self.code));
        let name = e.check("name", validation::text(&self.name, 100));
        e.finish()?;
        Ok(NewCategory {
            code: checked(code)?,
            name: checked(name)?,
            parent_id: self.parent_id.map(CategoryId),
            sort_order: self.sort_order,
        })
    }
}

impl PatchCategory {
    pub fn parse(self) -> ApiResult<CategoryChanges> {
        let mut e = Errors::new();
        let name = e.check_opt("name", self.name.as_deref(), |v| validation::text(v, 100));
        e.finish()?;
        Ok(CategoryChanges {
            name,
            sort_order: self.sort_order,
            retired: self.retired,
            parent_id: self.parent_id.map(|p| p.map(CategoryId)),
        })
    }
}

impl PutGuide {
    pub fn parse(self) -> ApiResult<Guide> {
        let mut e = Errors::new();
        let how_to_obtain = e.check("how_to_obtain", validation::text(&self.how_to_obtain, 5000));
        let how_to_apply = e.check("how_to_apply", validation::text(&self.how_to_apply, 5000));
        let office = e.check("office", validation::text(&self.office, 200));
        let address = e.check("address", validation::text(&self.address, 300));
        let office_hours = e.check("office_hours", validation::text(&self.office_hours, 200));
        let phone = e.check("phone", validation::phone(&self.phone));
        let email = e.check_opt("email", self.email.as_deref(), validation::email);
        let index_format = e.check_opt(
            "index_format",
            self.index_format.as_deref(),
            IndexFormat::parse,
        );
        e.finish()?;
        Ok(Guide {
            how_to_obtain: checked(how_to_obtain)?,
            how_to_apply: checked(how_to_apply)?,
            office: checked(office)?,
            address: checked(address)?,
            office_hours: checked(office_hours)?,
            phone: checked(phone)?,
            email,
            index_format,
        })
    }
}

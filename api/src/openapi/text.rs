//! The rules of free text in request bodies: not blank, no NUL character.

use utoipa::openapi::{RefOr, Schema};

use super::*;

/// Whether a schema is free text: a string with no format and no enumeration of values.
pub(super) fn is_free_text(o: &utoipa::openapi::schema::Object) -> bool {
    use utoipa::openapi::schema::{SchemaType, Type};
    let string = match &o.schema_type {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    };
    string && o.format.is_none() && o.enum_values.is_none()
}

/// The rule the server applies to a request field of this name, as a schema: every phone number
/// is checked by `validation::phone`, every e-mail address by `validation::email`, account names
/// by `account::username`, passwords by `account::password`, division and credit codes by
/// `org::DivisionCode` and `org::CreditCode` (whose check character a schema cannot state).
pub(super) fn named_field_rule(name: &str, o: &mut utoipa::openapi::schema::Object) {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    match name {
        // A field documented with a narrower rule of its own keeps it (a mobile number).
        n if n.ends_with("phone") => {
            o.pattern
                .get_or_insert_with(|| "^[ ()+-]*([0-9][ ()+-]*){3,20}$".to_owned());
        }
        "email" => {
            o.format = Some(SchemaFormat::KnownFormat(KnownFormat::Email));
            o.max_length = Some(254);
        }
        "username" | "client_id" => {
            o.min_length = Some(3);
            o.max_length = Some(64);
            o.pattern = Some("^[A-Za-z0-9_.@-]+$".to_owned());
        }
        "password" | "new_password" => {
            o.min_length = Some(10);
            o.max_length = Some(128);
            o.pattern = Some(
                "^[^\\u0000]*([A-Za-z][^\\u0000]*[0-9]|[0-9][^\\u0000]*[A-Za-z])[^\\u0000]*$"
                    .to_owned(),
            );
        }
        "division_code" => {
            let provinces = zhengwu_domain::org::PROVINCE_PREFIXES.join("|");
            o.pattern = Some(format!("^({provinces})[0-9]{{4}}([0-9]{{6}})?$"));
        }
        "credit_code" => {
            o.pattern = Some("^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$".to_owned());
        }
        _ => {}
    }
}

/// Free text: at least one character that is not white space, and no NUL character (U+0000),
/// which no text of this API may hold.
pub(super) const FREE_TEXT: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";

/// Marks the free text of a request schema as not blank (`minLength: 1` and [`FREE_TEXT`]),
/// which is what the server requires of every text it takes (a blank text is `text.empty`, one
/// with NUL `text.nul_character`), writes the rules of named fields ([`named_field_rule`]), and
/// collects the components the schema refers to.
pub(super) fn not_blank(schema: &mut RefOr<Schema>, refs: &mut Vec<String>) {
    match schema {
        RefOr::Ref(r) => {
            if let Some(name) = r.ref_location.strip_prefix("#/components/schemas/") {
                refs.push(name.to_owned());
            }
        }
        RefOr::T(Schema::Object(o)) => {
            if is_free_text(o) {
                o.min_length.get_or_insert(1);
                o.pattern.get_or_insert_with(|| FREE_TEXT.to_owned());
            }
            for (name, p) in o.properties.iter_mut() {
                if let RefOr::T(Schema::Object(field)) = p
                    && is_free_text(field)
                {
                    named_field_rule(name, field);
                }
                not_blank(p, refs);
            }
        }
        RefOr::T(Schema::Array(a)) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut a.items {
                not_blank(items, refs);
            }
        }
        RefOr::T(Schema::OneOf(x)) => x.items.iter_mut().for_each(|s| not_blank(s, refs)),
        RefOr::T(Schema::AllOf(x)) => x.items.iter_mut().for_each(|s| not_blank(s, refs)),
        RefOr::T(Schema::AnyOf(x)) => x.items.iter_mut().for_each(|s| not_blank(s, refs)),
        RefOr::T(_) => {}
    }
}

/// Applies [`not_blank`] to every request body and every schema it refers to.
pub(super) fn request_text_not_blank(api: &mut utoipa::openapi::OpenApi) {
    let mut refs = Vec::new();
    for item in api.paths.paths.values_mut() {
        for op in [
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let Some(RefOr::T(body)) = &mut op.request_body else {
                continue;
            };
            for (media_type, content) in body.content.iter_mut() {
                if let (true, RefOr::T(content)) = (media_type == "application/json", content)
                    && let Some(schema) = &mut content.schema
                {
                    not_blank(schema, &mut refs);
                }
            }
        }
    }
    let components = api.components.get_or_insert_with(Default::default);
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = refs.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        merge_all_of(components, &name);
        if let Some(schema) = components.schemas.get_mut(&name) {
            not_blank(schema, &mut refs);
        }
    }
}

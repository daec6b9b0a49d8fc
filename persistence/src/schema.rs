// @generated automatically by Diesel CLI.

diesel::table! {
    api_clients (id) {
        id -> Uuid,
        client_id -> Text,
        secret_hash -> Text,
        name -> Text,
        role -> Text,
        organization_id -> Uuid,
        active -> Bool,
        failed_logins -> Int4,
        locked_until -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        actor_kind -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        org_path -> Nullable<Text>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        prev_hash -> Bytea,
        hash -> Bytea,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        year -> Int4,
        kind -> Text,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Int4,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (principal, key) {
        principal -> Text,
        key -> Text,
        method -> Text,
        path -> Text,
        request_hash -> Bytea,
        status -> Nullable<Int4>,
        response -> Nullable<Jsonb>,
        location -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    organizations (id) {
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        path -> Text,
        kind -> Text,
        level -> Text,
        name -> Text,
        short_name -> Nullable<Text>,
        division_code -> Nullable<Text>,
        credit_code -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        office_hours -> Nullable<Text>,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        token_hash -> Bytea,
        family_id -> Uuid,
        user_id -> Uuid,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        username -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        organization_id -> Nullable<Uuid>,
        applicant_type -> Nullable<Text>,
        legal_person_kind -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        active -> Bool,
        failed_logins -> Int4,
        locked_until -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    window_staff (window_id, user_id) {
        window_id -> Uuid,
        user_id -> Uuid,
        post -> Text,
    }
}

diesel::table! {
    windows (id) {
        id -> Uuid,
        hall_id -> Uuid,
        number -> Text,
        name -> Text,
        combined -> Bool,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(api_clients -> organizations (organization_id));
diesel::joinable!(calendar_days -> calendar_years (year));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(window_staff -> users (user_id));
diesel::joinable!(window_staff -> windows (window_id));
diesel::joinable!(windows -> organizations (hall_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_clients,
    audit_events,
    calendar_days,
    calendar_years,
    idempotency_keys,
    organizations,
    refresh_tokens,
    users,
    window_staff,
    windows,
);

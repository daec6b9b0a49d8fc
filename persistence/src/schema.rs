// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    annual_report_texts (organization_id, year) {
        organization_id -> Uuid,
        year -> Int4,
        overview -> Text,
        problems -> Text,
        other_matters -> Text,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Uuid,
        client_id -> Text,
        secret_hash -> Text,
        name -> Text,
        role -> Text,
        organization_id -> Uuid,
        active -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_checkpoints (id) {
        id -> Int8,
        event_id -> Int8,
        event_hash -> Bytea,
        events -> Int8,
        created_at -> Timestamptz,
        prev_signature -> Nullable<Bytea>,
        key_id -> Text,
        signature -> Bytea,
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
        chain -> Int2,
    }
}

diesel::table! {
    audit_checkpoint_heads (checkpoint_id, chain) {
        checkpoint_id -> Int8,
        chain -> Int2,
        event_id -> Int8,
        event_hash -> Bytea,
        events -> Int8,
    }
}

diesel::joinable!(audit_checkpoint_heads -> audit_checkpoints (checkpoint_id));
diesel::allow_tables_to_appear_in_same_query!(audit_checkpoint_heads, audit_checkpoints);

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
    login_throttle (subject, address) {
        subject -> Text,
        address -> Text,
        failures -> Int4,
        blocked_until -> Nullable<Timestamptz>,
        last_failure_at -> Timestamptz,
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
    service_matters (id) {
        id -> Uuid,
        organization_id -> Uuid,
        basic_code -> Text,
        implementation_code -> Text,
        working_version -> Int4,
        published_version -> Nullable<Int4>,
        state -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    service_matter_versions (matter_id, number) {
        matter_id -> Uuid,
        number -> Int4,
        name -> Text,
        matter_type -> Text,
        implementer_nature -> Text,
        service_objects -> Array<Text>,
        legal_basis -> Text,
        conditions -> Text,
        procedure -> Jsonb,
        statutory_days -> Int4,
        promised_days -> Int4,
        case_kind -> Text,
        max_visits -> Int4,
        online_depth -> Text,
        fees -> Jsonb,
        materials -> Jsonb,
        result_certificate -> Nullable<Text>,
        window_ids -> Array<Uuid>,
        consultation_phone -> Nullable<Text>,
        complaint_phone -> Nullable<Text>,
        entered_hall -> Bool,
        classified -> Bool,
        submitted_at -> Nullable<Timestamptz>,
        published_at -> Nullable<Timestamptz>,
        published_by -> Nullable<Uuid>,
        search_vector -> Tsvector,
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

diesel::table! {
    case_counters (organization_id, day) {
        organization_id -> Uuid,
        day -> Date,
        last_serial -> Int4,
    }
}

diesel::table! {
    case_events (id) {
        id -> Int8,
        case_id -> Uuid,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        note -> Nullable<Text>,
        data -> Jsonb,
    }
}

diesel::table! {
    case_fees (id) {
        id -> Uuid,
        case_id -> Uuid,
        item_name -> Text,
        amount_fen -> Int8,
        anomaly -> Nullable<Text>,
        at -> Timestamptz,
        by_id -> Uuid,
    }
}

diesel::table! {
    case_missing_notices (case_id, round) {
        case_id -> Uuid,
        round -> Int4,
        items -> Jsonb,
        at -> Timestamptz,
        by_id -> Uuid,
    }
}

diesel::table! {
    case_outcomes (case_id) {
        case_id -> Uuid,
        accepted_at -> Nullable<Timestamptz>,
        refusal_reason -> Nullable<Text>,
        extension_reason -> Nullable<Text>,
        decision -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        result_number -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        delivery_method -> Nullable<Text>,
        updated_at -> Timestamptz,
        delivery_due -> Nullable<Date>,
        delivered_on -> Nullable<Date>,
    }
}

diesel::table! {
    case_pauses (case_id, seq) {
        case_id -> Uuid,
        seq -> Int4,
        procedure -> Text,
        reason -> Text,
        start_on -> Date,
        expected_end -> Nullable<Date>,
        end_on -> Nullable<Date>,
    }
}

diesel::table! {
    case_steps (case_id, seq) {
        case_id -> Uuid,
        seq -> Int4,
        name -> Text,
        actor_id -> Uuid,
        opinion -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    cases (id) {
        id -> Uuid,
        number -> Text,
        parent_id -> Nullable<Uuid>,
        matter_id -> Nullable<Uuid>,
        matter_version -> Nullable<Int4>,
        organization_id -> Uuid,
        window_id -> Nullable<Uuid>,
        applicant_id -> Nullable<Uuid>,
        applicant_name -> Text,
        applicant_type -> Text,
        applicant_phone -> Nullable<Text>,
        project_name -> Nullable<Text>,
        channel -> Text,
        submitted_materials -> Jsonb,
        query_password_hash -> Bytea,
        state -> Text,
        case_kind -> Text,
        statutory_days -> Int4,
        promised_days -> Int4,
        received_at -> Timestamptz,
        received_on -> Date,
        submission_round -> Int4,
        accepted_on -> Nullable<Date>,
        extension_days -> Int4,
        due_date -> Nullable<Date>,
        decided_on -> Nullable<Date>,
        assignee_id -> Nullable<Uuid>,
        first_contact_id -> Nullable<Uuid>,
        green_channel -> Bool,
        classified -> Bool,
        version -> Int4,
    }
}

diesel::table! {
    consultation_comments (id) {
        id -> Uuid,
        consultation_id -> Uuid,
        author_id -> Nullable<Uuid>,
        display_name -> Nullable<Text>,
        contact -> Jsonb,
        text -> Text,
        state -> Text,
        rejection_reason -> Nullable<Text>,
        adopted -> Nullable<Bool>,
        adoption_note -> Nullable<Text>,
        submitted_at -> Timestamptz,
    }
}

diesel::table! {
    consultations (id) {
        id -> Uuid,
        organization_id -> Uuid,
        title -> Text,
        draft_text -> Text,
        opens_at -> Timestamptz,
        closes_at -> Timestamptz,
        state -> Text,
        feedback_summary -> Nullable<Text>,
        summarized_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    public_messages (id) {
        id -> Uuid,
        kind -> Text,
        organization_id -> Uuid,
        submitter_id -> Nullable<Uuid>,
        submitter_name -> Nullable<Text>,
        contact -> Jsonb,
        subject -> Text,
        text -> Text,
        state -> Text,
        submitted_at -> Timestamptz,
        forwarded_to -> Nullable<Uuid>,
        forwarded_at -> Nullable<Timestamptz>,
        feedback_due -> Nullable<Date>,
        answer_kind -> Nullable<Text>,
        answer -> Nullable<Text>,
        disclosure_id -> Nullable<Uuid>,
        answered_at -> Nullable<Timestamptz>,
        published_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    disclosure_attachments (id) {
        id -> Uuid,
        item_id -> Uuid,
        filename -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        storage_key -> Text,
        uploaded_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    disclosure_categories (id) {
        id -> Uuid,
        organization_id -> Uuid,
        parent_id -> Nullable<Uuid>,
        code -> Text,
        name -> Text,
        sort_order -> Int4,
        standard -> Bool,
        retired -> Bool,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        document_kind -> Nullable<Text>,
    }
}

diesel::table! {
    disclosure_guides (organization_id) {
        organization_id -> Uuid,
        how_to_obtain -> Text,
        how_to_apply -> Text,
        office -> Text,
        address -> Text,
        office_hours -> Text,
        phone -> Text,
        email -> Nullable<Text>,
        index_format -> Nullable<Text>,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    disclosure_index_counters (organization_id, year) {
        organization_id -> Uuid,
        year -> Int4,
        last_serial -> Int4,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    disclosure_items (id) {
        id -> Uuid,
        organization_id -> Uuid,
        issuing_organization_id -> Uuid,
        category_id -> Uuid,
        kind -> Text,
        interprets_id -> Nullable<Uuid>,
        title -> Text,
        summary -> Text,
        content -> Text,
        content_format -> Text,
        doc_number -> Nullable<Text>,
        subject_terms -> Array<Text>,
        formed_on -> Date,
        attribute -> Text,
        non_disclosure_ground -> Nullable<Text>,
        channels -> Array<Text>,
        validity -> Text,
        cadence -> Text,
        state -> Text,
        index_number -> Nullable<Text>,
        publish_due -> Date,
        published_version -> Nullable<Int4>,
        first_published_at -> Nullable<Timestamptz>,
        rejection_reason -> Nullable<Text>,
        withdraw_reason -> Nullable<Text>,
        author_id -> Uuid,
        reviewer_id -> Nullable<Uuid>,
        search_vector -> Tsvector,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    disclosure_requests (id) {
        id -> Uuid,
        number -> Text,
        organization_id -> Uuid,
        applicant_id -> Nullable<Uuid>,
        applicant_name -> Text,
        applicant_type -> Text,
        legal_person_kind -> Nullable<Text>,
        contact -> Jsonb,
        description -> Text,
        purpose -> Nullable<Text>,
        requested_form -> Text,
        delivery_method -> Text,
        channel -> Text,
        submitted_on -> Date,
        received_on -> Date,
        state -> Text,
        restarted_on -> Nullable<Date>,
        correction_due -> Nullable<Date>,
        corrected_on -> Nullable<Date>,
        extension_days -> Int4,
        due_date -> Nullable<Date>,
        fee_method -> Nullable<Text>,
        fee_fen -> Nullable<Int8>,
        fee_due -> Nullable<Date>,
        created_by -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        receipt_seq -> Int8,
    }
}

diesel::table! {
    request_counters (organization_id, day) {
        organization_id -> Uuid,
        day -> Date,
        last_serial -> Int4,
    }
}

diesel::table! {
    request_events (id) {
        id -> Int8,
        request_id -> Uuid,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        note -> Nullable<Text>,
        data -> Jsonb,
    }
}

diesel::table! {
    request_remedies (id) {
        id -> Uuid,
        request_id -> Uuid,
        kind -> Text,
        filed_on -> Date,
        outcome -> Text,
        decided_on -> Nullable<Date>,
        note -> Nullable<Text>,
        version -> Int4,
    }
}

diesel::table! {
    request_replies (request_id) {
        request_id -> Uuid,
        reply_type -> Text,
        reply_text -> Text,
        responsible_agency -> Nullable<Text>,
        provided_items -> Jsonb,
        replied_on -> Date,
        late -> Bool,
        replied_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    request_stops (request_id, seq) {
        request_id -> Uuid,
        seq -> Int4,
        kind -> Text,
        party -> Nullable<Text>,
        start_on -> Date,
        due_on -> Nullable<Date>,
        end_on -> Nullable<Date>,
        opinion -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    disclosure_versions (item_id, number) {
        item_id -> Uuid,
        number -> Int4,
        organization_id -> Uuid,
        org_path -> Text,
        issuing_organization_id -> Uuid,
        category_id -> Uuid,
        kind -> Text,
        interprets_id -> Nullable<Uuid>,
        index_number -> Text,
        title -> Text,
        summary -> Text,
        content -> Text,
        content_format -> Text,
        doc_number -> Nullable<Text>,
        subject_terms -> Array<Text>,
        formed_on -> Date,
        year -> Int4,
        attribute -> Text,
        non_disclosure_ground -> Nullable<Text>,
        channels -> Array<Text>,
        validity -> Text,
        cadence -> Text,
        attachments -> Jsonb,
        pii_exception -> Nullable<Jsonb>,
        published_at -> Timestamptz,
        published_by -> Uuid,
        is_current -> Bool,
        search_vector -> Tsvector,
    }
}

diesel::joinable!(api_clients -> organizations (organization_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(case_fees -> cases (case_id));
diesel::joinable!(case_missing_notices -> cases (case_id));
diesel::joinable!(case_outcomes -> cases (case_id));
diesel::joinable!(case_pauses -> cases (case_id));
diesel::joinable!(case_steps -> cases (case_id));
diesel::joinable!(cases -> organizations (organization_id));
diesel::joinable!(cases -> service_matters (matter_id));
diesel::joinable!(cases -> windows (window_id));
diesel::joinable!(consultation_comments -> consultations (consultation_id));
diesel::joinable!(disclosure_attachments -> disclosure_items (item_id));
diesel::joinable!(disclosure_categories -> organizations (organization_id));
diesel::joinable!(disclosure_guides -> organizations (organization_id));
diesel::joinable!(disclosure_index_counters -> organizations (organization_id));
diesel::joinable!(disclosure_items -> disclosure_categories (category_id));
diesel::joinable!(disclosure_requests -> organizations (organization_id));
diesel::joinable!(request_events -> disclosure_requests (request_id));
diesel::joinable!(request_remedies -> disclosure_requests (request_id));
diesel::joinable!(request_replies -> disclosure_requests (request_id));
diesel::joinable!(request_stops -> disclosure_requests (request_id));
diesel::joinable!(disclosure_versions -> disclosure_categories (category_id));
diesel::joinable!(disclosure_versions -> disclosure_items (item_id));
diesel::joinable!(calendar_days -> calendar_years (year));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(service_matter_versions -> service_matters (matter_id));
diesel::joinable!(service_matters -> organizations (organization_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(window_staff -> users (user_id));
diesel::joinable!(window_staff -> windows (window_id));
diesel::joinable!(windows -> organizations (hall_id));

diesel::table! {
    provisional_deadlines (kind, object_id, seq) {
        kind -> Text,
        object_id -> Uuid,
        seq -> Int4,
        start_on -> Date,
        working_days -> Int4,
        stops -> Jsonb,
        due_date -> Date,
        years -> Array<Int4>,
        computed_at -> Timestamptz,
    }
}

diesel::table! {
    supervision_rules (organization_id) {
        organization_id -> Uuid,
        config -> Jsonb,
        version -> Int4,
        updated_by -> Nullable<Uuid>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    alert_states (object_kind, object_id, stage) {
        object_kind -> Text,
        object_id -> Uuid,
        stage -> Int4,
        level -> Text,
        due_date -> Date,
    }
}

diesel::table! {
    obligations (kind, object_id, stage) {
        kind -> Text,
        object_id -> Uuid,
        stage -> Int4,
        label -> Text,
        organization_id -> Uuid,
        org_path -> Text,
        responsible_id -> Nullable<Uuid>,
        start_on -> Nullable<Date>,
        due_date -> Date,
        limit_days -> Nullable<Int4>,
        yellow_on -> Nullable<Date>,
        red_on -> Date,
        opened_on -> Date,
        closed_on -> Nullable<Date>,
    }
}

diesel::table! {
    alert_events (id) {
        id -> Int8,
        object_kind -> Text,
        object_id -> Uuid,
        stage -> Int4,
        label -> Text,
        organization_id -> Uuid,
        responsible_id -> Nullable<Uuid>,
        rule_id -> Text,
        from_level -> Nullable<Text>,
        to_level -> Nullable<Text>,
        due_date -> Date,
        as_of -> Date,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    supervision_orders (id) {
        id -> Uuid,
        number -> Text,
        organization_id -> Uuid,
        object_kind -> Text,
        object_id -> Uuid,
        subject -> Text,
        instructions -> Text,
        level -> Int4,
        issued_on -> Date,
        due_date -> Date,
        state -> Text,
        issued_by -> Uuid,
        issued_at -> Timestamptz,
        response -> Nullable<Text>,
        responded_by -> Nullable<Uuid>,
        responded_at -> Nullable<Timestamptz>,
        escalation_reason -> Nullable<Text>,
        closing_note -> Nullable<Text>,
        closed_by -> Nullable<Uuid>,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    complaints (id) {
        id -> Uuid,
        number -> Text,
        kind -> Text,
        category -> Text,
        complainant_id -> Nullable<Uuid>,
        complainant_name -> Nullable<Text>,
        contact -> Jsonb,
        organization_id -> Uuid,
        window_id -> Nullable<Uuid>,
        staff_id -> Nullable<Uuid>,
        case_id -> Nullable<Uuid>,
        text -> Text,
        query_code_hash -> Bytea,
        received_on -> Date,
        received_at -> Timestamptz,
        acceptance_due -> Date,
        state -> Text,
        handler_id -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        decision_reason -> Nullable<Text>,
        findings -> Nullable<Text>,
        reply -> Nullable<Text>,
        replied_at -> Nullable<Timestamptz>,
        referral_note -> Nullable<Text>,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    accountability_records (id) {
        id -> Uuid,
        kind -> Text,
        organization_id -> Uuid,
        user_id -> Nullable<Uuid>,
        order_id -> Nullable<Uuid>,
        complaint_id -> Nullable<Uuid>,
        reason -> Text,
        decided_on -> Date,
        recorded_by -> Uuid,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    supervision_counters (kind, year) {
        kind -> Text,
        year -> Int4,
        last_serial -> Int4,
    }
}

diesel::joinable!(supervision_orders -> organizations (organization_id));
diesel::joinable!(complaints -> organizations (organization_id));
diesel::joinable!(alert_events -> organizations (organization_id));
diesel::joinable!(accountability_records -> organizations (organization_id));
diesel::joinable!(supervision_rules -> organizations (organization_id));

diesel::table! {
    use diesel::sql_types::*;

    hotline_tickets (id) {
        id -> Uuid,
        number -> Text,
        kind -> Text,
        urgency -> Text,
        channel -> Text,
        subject -> Text,
        description -> Text,
        location -> Nullable<Text>,
        caller_name -> Nullable<Text>,
        caller_contact -> Jsonb,
        classified -> Bool,
        public_answer -> Bool,
        query_code_hash -> Bytea,
        center_id -> Uuid,
        submitter_id -> Nullable<Uuid>,
        state -> Text,
        received_at -> Timestamptz,
        received_on -> Date,
        responsible_org_id -> Nullable<Uuid>,
        dispatched_on -> Nullable<Date>,
        due_date -> Nullable<Date>,
        return_count -> Int4,
        extension_days -> Int4,
        extension_request -> Nullable<Jsonb>,
        reply -> Nullable<Text>,
        replied_at -> Nullable<Timestamptz>,
        callback_satisfied -> Nullable<Bool>,
        reopen_count -> Int4,
        merged_into -> Nullable<Uuid>,
        closed_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    hotline_events (id) {
        id -> Int8,
        ticket_id -> Uuid,
        at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        note -> Nullable<Text>,
        data -> Jsonb,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    knowledge_entries (id) {
        id -> Uuid,
        organization_id -> Uuid,
        question -> Text,
        answer -> Text,
        matter_ids -> Array<Uuid>,
        disclosure_ids -> Array<Uuid>,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        state -> Text,
        author_id -> Uuid,
        reviewer_id -> Nullable<Uuid>,
        source_ticket_id -> Nullable<Uuid>,
        search_vector -> Tsvector,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    case_stat_days (organization_id, received_on) {
        organization_id -> Uuid,
        received_on -> Date,
        hall_id -> Nullable<Uuid>,
        received -> Int4,
        accepted -> Int4,
        refused -> Int4,
        completed -> Int4,
        completed_on_time -> Int4,
        completed_early -> Int4,
        immediate_completed -> Int4,
        immediate_on_the_spot -> Int4,
        working_days_used_total -> Int8,
        limit_days_total -> Int8,
    }
}

diesel::table! {
    case_stat_queue (id) {
        id -> Int8,
        organization_id -> Uuid,
        received_on -> Date,
        case_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    case_stat_cases (case_id) {
        case_id -> Uuid,
        organization_id -> Uuid,
        received_on -> Date,
        hall_id -> Nullable<Uuid>,
        accepted -> Int2,
        refused -> Int2,
        completed -> Int2,
        completed_on_time -> Int2,
        completed_early -> Int2,
        immediate_completed -> Int2,
        immediate_on_the_spot -> Int2,
        working_days_used -> Int4,
        limit_days -> Int4,
    }
}

diesel::joinable!(hotline_events -> hotline_tickets (ticket_id));
diesel::joinable!(knowledge_entries -> organizations (organization_id));

diesel::allow_tables_to_appear_in_same_query!(
    hotline_events,
    hotline_tickets,
    knowledge_entries,
    accountability_records,
    alert_events,
    alert_states,
    complaints,
    supervision_counters,
    supervision_orders,
    supervision_rules,
    consultation_comments,
    consultations,
    public_messages,
    annual_report_texts,
    api_clients,
    audit_events,
    calendar_days,
    calendar_years,
    case_counters,
    case_events,
    case_fees,
    case_missing_notices,
    case_outcomes,
    case_pauses,
    case_stat_cases,
    case_stat_days,
    case_stat_queue,
    case_steps,
    cases,
    disclosure_attachments,
    disclosure_categories,
    disclosure_guides,
    disclosure_index_counters,
    disclosure_items,
    disclosure_requests,
    disclosure_versions,
    idempotency_keys,
    organizations,
    refresh_tokens,
    request_counters,
    request_events,
    request_remedies,
    request_replies,
    request_stops,
    service_matter_versions,
    service_matters,
    users,
    window_staff,
    windows,
);

diesel::table! {
    attendance_records (id) {
        id -> Uuid,
        hall_id -> Uuid,
        window_id -> Uuid,
        user_id -> Uuid,
        day -> Date,
        status -> Text,
        covered_by -> Nullable<Uuid>,
        note -> Nullable<Text>,
        recorded_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    assessments (id) {
        id -> Uuid,
        hall_id -> Uuid,
        subject_kind -> Text,
        window_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        day -> Date,
        score -> Int4,
        note -> Nullable<Text>,
        assessed_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    assessment_items (assessment_id, seq) {
        assessment_id -> Uuid,
        seq -> Int4,
        dimension -> Text,
        points -> Int4,
        reason -> Text,
    }
}

diesel::joinable!(assessment_items -> assessments (assessment_id));
diesel::joinable!(attendance_records -> windows (window_id));

diesel::allow_tables_to_appear_in_same_query!(assessment_items, assessments);
diesel::allow_tables_to_appear_in_same_query!(attendance_records, windows);

diesel::table! {
    evaluations (id) {
        id -> Uuid,
        case_id -> Uuid,
        applicant_id -> Nullable<Uuid>,
        organization_id -> Uuid,
        window_id -> Nullable<Uuid>,
        staff_id -> Nullable<Uuid>,
        level -> Text,
        channel -> Text,
        text -> Nullable<Text>,
        evaluated_at -> Timestamptz,
        evaluated_on -> Date,
        annulled_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    rectifications (id) {
        id -> Uuid,
        evaluation_id -> Uuid,
        organization_id -> Uuid,
        responsible_id -> Nullable<Uuid>,
        state -> Text,
        opened_on -> Date,
        due_date -> Date,
        findings -> Nullable<Text>,
        verified_at -> Nullable<Timestamptz>,
        verified_by -> Nullable<Uuid>,
        measures -> Nullable<Text>,
        explanation -> Nullable<Text>,
        handled_at -> Nullable<Timestamptz>,
        handled_by -> Nullable<Uuid>,
        callback_satisfied -> Nullable<Bool>,
        callback_note -> Nullable<Text>,
        called_back_at -> Nullable<Timestamptz>,
        called_back_by -> Nullable<Uuid>,
        close_note -> Nullable<Text>,
        closed_at -> Nullable<Timestamptz>,
        closed_by -> Nullable<Uuid>,
        version -> Int4,
    }
}

diesel::table! {
    evaluation_appeals (evaluation_id) {
        evaluation_id -> Uuid,
        state -> Text,
        reason -> Text,
        appealed_by -> Uuid,
        appealed_at -> Timestamptz,
        decision_reason -> Nullable<Text>,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(evaluations -> cases (case_id));
diesel::joinable!(rectifications -> evaluations (evaluation_id));
diesel::joinable!(evaluation_appeals -> evaluations (evaluation_id));

diesel::allow_tables_to_appear_in_same_query!(evaluations, rectifications, evaluation_appeals,);
diesel::allow_tables_to_appear_in_same_query!(evaluations, cases);
diesel::allow_tables_to_appear_in_same_query!(evaluations, windows);
diesel::allow_tables_to_appear_in_same_query!(evaluations, organizations);
diesel::allow_tables_to_appear_in_same_query!(rectifications, cases);
diesel::allow_tables_to_appear_in_same_query!(rectifications, windows);
diesel::allow_tables_to_appear_in_same_query!(rectifications, organizations);

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        organization_id -> Uuid,
        url -> Text,
        event_types -> Array<Text>,
        description -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        active -> Bool,
        disabled_reason -> Nullable<Text>,
        disabled_at -> Nullable<Timestamptz>,
        failures -> Int4,
        position -> Int8,
        created_by -> Uuid,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Int8,
        subscription_id -> Uuid,
        event_seq -> Int8,
        subject -> Text,
        delivered -> Bool,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
        manual -> Bool,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Int8,
        delivery_id -> Int8,
        attempted_at -> Timestamptz,
        duration_ms -> Int4,
        status_code -> Nullable<Int4>,
        error -> Nullable<Text>,
        trigger -> Text,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
    organizations,
);

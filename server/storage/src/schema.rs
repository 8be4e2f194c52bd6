//! Table definitions, hand-kept and limited to types both backends share: TEXT for ids (UUID strings),
//! BIGINT milliseconds for times. Each table has a migration of the same name in migrations/sqlite and
//! migrations/postgres; the tests migrate both backends up, down and up again.

diesel::table! {
    kv_entries (key) {
        key -> Text,
        value -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    kv_counters (key) {
        key -> Text,
        count -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    feedback (id) {
        id -> Text,
        reference -> Text,
        topic -> Text,
        area -> Nullable<Text>,
        message -> Text,
        happened_on -> Nullable<Text>,
        reply_email -> Nullable<Text>,
        name -> Nullable<Text>,
        lang -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    citizens (id) {
        id -> Text,
        name -> Text,
        name_kana -> Text,
        birth_date -> Text,
        sex -> Text,
        address -> Text,
        municipality_code -> Text,
        email -> Nullable<Text>,
        lang -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    card_links (serial) {
        serial -> Text,
        citizen_id -> Text,
        not_after -> BigInt,
        linked_at -> BigInt,
    }
}

diesel::table! {
    security_events (id) {
        id -> Text,
        at -> BigInt,
        kind -> Text,
        serial -> Nullable<Text>,
        citizen_id -> Nullable<Text>,
        client_addr -> Text,
        detail -> Text,
    }
}

diesel::table! {
    agencies (id) {
        id -> Text,
        code -> Text,
        kind -> Text,
        name_ja -> Text,
        name_en -> Text,
        pseudonym_key -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    agency_clients (client_id) {
        client_id -> Text,
        agency_id -> Text,
        secret_hash -> Text,
        label -> Text,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    agency_pseudonyms (agency_id, pseudonym) {
        agency_id -> Text,
        pseudonym -> Text,
        citizen_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    records (id) {
        id -> Text,
        citizen_id -> Text,
        agency_id -> Text,
        category -> Text,
        external_id -> Text,
        data -> Text,
        updated_on -> Text,
        published_at -> BigInt,
    }
}

diesel::table! {
    linkage_records (id) {
        id -> Text,
        citizen_id -> Text,
        seq -> BigInt,
        at -> BigInt,
        requester_kind -> Text,
        requester_id -> Text,
        requester_name -> Text,
        providers -> Text,
        items -> Text,
        task_code -> Text,
        purpose -> Text,
        result -> Text,
        withheld -> Bool,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    linkage_chains (citizen_id) {
        citizen_id -> Text,
        last_seq -> BigInt,
        last_hash -> Text,
        pruned_seq -> BigInt,
        pruned_hash -> Text,
    }
}

diesel::joinable!(card_links -> citizens (citizen_id));
diesel::joinable!(records -> agencies (agency_id));
diesel::joinable!(agency_clients -> agencies (agency_id));
diesel::allow_tables_to_appear_in_same_query!(citizens, card_links);
diesel::allow_tables_to_appear_in_same_query!(records, agencies);
diesel::allow_tables_to_appear_in_same_query!(agency_clients, agencies);
diesel::allow_tables_to_appear_in_same_query!(linkage_records, linkage_chains);

diesel::table! {
    notices (id) {
        id -> Text,
        agency_id -> Text,
        audience -> Text,
        rule_areas -> Text,
        rule_born_from -> Nullable<Text>,
        rule_born_to -> Nullable<Text>,
        title -> Text,
        body -> Text,
        lang -> Text,
        category -> Text,
        importance -> Text,
        deadline -> Nullable<Text>,
        action_url -> Nullable<Text>,
        action_label -> Nullable<Text>,
        expires_at -> Nullable<BigInt>,
        posted_at -> BigInt,
        corrected_at -> Nullable<BigInt>,
        withdrawn_at -> Nullable<BigInt>,
        recipients -> Nullable<BigInt>,
    }
}

diesel::table! {
    notice_recipients (citizen_id, notice_id) {
        citizen_id -> Text,
        notice_id -> Text,
        listed -> Bool,
        read_at -> Nullable<BigInt>,
        archived_at -> Nullable<BigInt>,
        read_by -> Nullable<Text>,
    }
}

diesel::table! {
    notice_list_chunks (bucket, notice_id, part) {
        bucket -> Text,
        notice_id -> Text,
        part -> Integer,
        size -> Integer,
        citizens -> Text,
    }
}

diesel::table! {
    email_addresses (citizen_id) {
        citizen_id -> Text,
        address -> Text,
        categories -> Text,
        unsubscribe_token -> Text,
        confirmed_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        purpose -> Text,
        dedupe_key -> Text,
        notice_id -> Nullable<Text>,
        citizen_id -> Nullable<Text>,
        to_address -> Text,
        lang -> Text,
        params -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        claimed_until -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        sent_at -> Nullable<BigInt>,
        handed_over_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    notice_fanouts (notice_id) {
        notice_id -> Text,
        stage -> Text,
        cursor -> Text,
        due_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    banks (code) {
        code -> Text,
        name -> Text,
        kana -> Text,
        hira -> Text,
    }
}

diesel::table! {
    bank_branches (bank_code, code) {
        bank_code -> Text,
        code -> Text,
        name -> Text,
        kana -> Text,
        hira -> Text,
    }
}

diesel::table! {
    bank_directory_loads (loaded_at, version) {
        version -> Text,
        loaded_at -> BigInt,
    }
}

diesel::table! {
    bank_accounts (citizen_id) {
        citizen_id -> Text,
        bank_code -> Text,
        branch_code -> Text,
        account_type -> Text,
        account_number -> Text,
        holder_name -> Text,
        branch_kana -> Text,
        channel -> Text,
        channel_agency -> Nullable<Text>,
        completed_at -> BigInt,
        invalid_since -> Nullable<BigInt>,
        invalid_reason -> Nullable<Text>,
    }
}

diesel::table! {
    bank_account_events (id) {
        id -> Text,
        citizen_id -> Text,
        kind -> Text,
        channel -> Text,
        channel_agency -> Nullable<Text>,
        bank_code -> Nullable<Text>,
        branch_code -> Nullable<Text>,
        account_type -> Nullable<Text>,
        number_last3 -> Nullable<Text>,
        at -> BigInt,
    }
}

diesel::joinable!(notices -> agencies (agency_id));
diesel::joinable!(notice_recipients -> notices (notice_id));
diesel::joinable!(notice_list_chunks -> notices (notice_id));
diesel::joinable!(notice_recipients -> citizens (citizen_id));
diesel::joinable!(email_addresses -> citizens (citizen_id));
diesel::joinable!(notice_fanouts -> notices (notice_id));
diesel::allow_tables_to_appear_in_same_query!(
    notices,
    notice_recipients,
    notice_list_chunks,
    agencies,
    citizens,
    email_addresses,
    mail_outbox,
    notice_fanouts,
    agency_pseudonyms
);

diesel::table! {
    form_definitions (id) {
        id -> Text,
        agency_id -> Text,
        form_key -> Text,
        version -> Integer,
        title_ja -> Text,
        title_en -> Text,
        document -> Text,
        published_at -> BigInt,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        citizen_id -> Text,
        form_definition_id -> Text,
        agency_id -> Text,
        status -> Text,
        answers -> Text,
        sources -> Text,
        receipt_number -> Nullable<Text>,
        correction_fields -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        submitted_at -> Nullable<BigInt>,
        acted_by -> Nullable<Text>,
        acted_by_name -> Nullable<Text>,
    }
}

diesel::table! {
    application_events (id) {
        id -> Text,
        application_id -> Text,
        kind -> Text,
        status -> Nullable<Text>,
        actor -> Text,
        body -> Nullable<Text>,
        at -> BigInt,
        acted_by -> Nullable<Text>,
        acted_by_name -> Nullable<Text>,
    }
}

diesel::table! {
    application_signatures (id) {
        id -> Text,
        application_id -> Text,
        digest -> Text,
        signature -> Text,
        certificate -> Text,
        signer_name -> Text,
        signer_birth_date -> Text,
        signed_at -> BigInt,
    }
}

diesel::joinable!(applications -> form_definitions (form_definition_id));
diesel::joinable!(application_events -> applications (application_id));
diesel::joinable!(application_signatures -> applications (application_id));
diesel::allow_tables_to_appear_in_same_query!(
    form_definitions,
    applications,
    application_events,
    application_signatures,
    agencies
);

diesel::table! {
    benefits (id) {
        id -> Text,
        agency_id -> Text,
        form_key -> Text,
        title_ja -> Text,
        title_en -> Text,
        amount_per_household -> BigInt,
        amount_per_member -> BigInt,
        municipalities -> Text,
        max_income -> Nullable<BigInt>,
        deadline -> Text,
        notice_id -> Nullable<Text>,
        eligible -> BigInt,
        created_at -> BigInt,
    }
}

diesel::table! {
    benefit_claims (benefit_id, citizen_id) {
        benefit_id -> Text,
        citizen_id -> Text,
        application_id -> Text,
        amount -> BigInt,
        state -> Text,
        paid_on -> Nullable<Text>,
        claimed_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(benefit_claims, applications);

diesel::table! {
    apps (id) {
        id -> Text,
        client_id -> Text,
        name -> Text,
        operator -> Text,
        purpose -> Text,
        scopes -> Text,
        redirect_uris -> Text,
        confidential -> Bool,
        secret_hash -> Nullable<Text>,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    app_consents (id) {
        id -> Text,
        citizen_id -> Text,
        app_id -> Text,
        scopes -> Text,
        granted_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    app_tokens (token_hash) {
        token_hash -> Text,
        consent_id -> Text,
        kind -> Text,
        issued_at -> BigInt,
        expires_at -> BigInt,
        spent_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    linkage_queue (id) {
        id -> Text,
        citizen_id -> Text,
        at -> BigInt,
        requester_kind -> Text,
        requester_id -> Text,
        requester_name -> Text,
        providers -> Text,
        items -> Text,
        task_code -> Text,
        purpose -> Text,
        result -> Text,
        withheld -> Bool,
    }
}

diesel::table! {
    proxies (id) {
        id -> Text,
        principal_id -> Text,
        proxy_id -> Nullable<Text>,
        scope -> Text,
        ends_on -> Text,
        invitation_hash -> Nullable<Text>,
        invitation_expires_at -> BigInt,
        created_at -> BigInt,
        accepted_at -> Nullable<BigInt>,
        ended_at -> Nullable<BigInt>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(proxies, citizens);
diesel::joinable!(app_consents -> apps (app_id));
diesel::joinable!(app_tokens -> app_consents (consent_id));
diesel::allow_tables_to_appear_in_same_query!(app_consents, apps);
diesel::allow_tables_to_appear_in_same_query!(app_tokens, app_consents);
diesel::allow_tables_to_appear_in_same_query!(app_tokens, apps);

diesel::table! {
    staff_members (id) {
        id -> Text,
        agency_id -> Text,
        login -> Text,
        name -> Text,
        roles -> Text,
        password_hash -> Text,
        totp_secret -> Text,
        totp_last_step -> BigInt,
        created_at -> BigInt,
        disabled_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    staff_audit (id) {
        id -> Text,
        agency_id -> Text,
        staff_id -> Text,
        at -> BigInt,
        action -> Text,
        target -> Text,
        detail -> Text,
    }
}

diesel::table! {
    staff_jobs (id) {
        id -> Text,
        agency_id -> Text,
        staff_id -> Text,
        kind -> Text,
        state -> Text,
        total -> BigInt,
        done -> BigInt,
        payload -> Text,
        result -> Nullable<Text>,
        lease_until -> BigInt,
        created_at -> BigInt,
        finished_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(staff_members -> agencies (agency_id));
diesel::joinable!(staff_audit -> staff_members (staff_id));
diesel::allow_tables_to_appear_in_same_query!(staff_members, agencies, staff_audit);

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

diesel::joinable!(card_links -> citizens (citizen_id));
diesel::allow_tables_to_appear_in_same_query!(citizens, card_links);

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

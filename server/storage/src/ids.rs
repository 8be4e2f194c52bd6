//! Typed ids: one newtype per entity, so a citizen's id can never be passed where an agency's is expected.
//! Stored as TEXT (hyphenated UUID) on both backends; new ids are UUIDv7, so they sort by creation time and
//! keep index inserts local.

/// Declares an id newtype over a UUID with diesel conversions for TEXT on both backends.
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, diesel::AsExpression, diesel::FromSqlRow)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.0.as_hyphenated().to_string().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.0.as_hyphenated().to_string());
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg>>::from_sql(bytes)?;
                Ok(Self(uuid::Uuid::parse_str(&text)?))
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn from_sql(
                bytes: <diesel::sqlite::Sqlite as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = <String as diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::sqlite::Sqlite>>::from_sql(bytes)?;
                Ok(Self(uuid::Uuid::parse_str(&text)?))
            }
        }
    };
}

typed_id!(
    /// A message sent through the feedback form.
    FeedbackId
);

typed_id!(
    /// A citizen. Internal to the portal; agencies know citizens by pseudonyms derived per agency.
    CitizenId
);

typed_id!(
    /// One entry of the security audit log.
    SecurityEventId
);

typed_id!(
    /// An agency: ministry, pension service, tax agency, municipality or health insurer.
    AgencyId
);

typed_id!(
    /// One record of わたしの情報, as the portal stores it (agencies use their own record ids).
    RecordId
);

typed_id!(
    /// One row of やりとり履歴.
    LinkageId
);

typed_id!(
    /// A notice (お知らせ) posted by an agency.
    NoticeId
);

typed_id!(
    /// A mail in the outbox; also the mail's Message-ID, so a resend after a crash is recognisably the same.
    MailId
);

typed_id!(
    /// One entry of a citizen's 公金受取口座 history (registered, changed, deleted, invalidated).
    BankEventId
);

typed_id!(
    /// One published version of a form definition (ぴったりサービス).
    FormDefinitionId
);

typed_id!(
    /// A citizen's application, from its first saved page (a draft) to its final status.
    ApplicationId
);

typed_id!(
    /// One status change or message of an application.
    ApplicationEventId
);

typed_id!(
    /// A benefit an agency publishes for eligible citizens to claim (即日給付).
    BenefitId
);

typed_id!(
    /// One electronic signature of a sent application.
    ApplicationSignatureId
);

typed_id!(
    /// A private app registered to read citizens' data with their consent (自己情報取得API).
    AppId
);

typed_id!(
    /// A citizen's consent to an app reading their data (期間連携).
    ConsentId
);

typed_id!(
    /// A citizen's naming of another citizen as their proxy (代理人).
    ProxyId
);

typed_id!(
    /// A member of an agency's staff, signing in to the console.
    StaffId
);

typed_id!(
    /// One entry of an agency's staff audit log.
    StaffAuditId
);

typed_id!(
    /// A long job started in the staff console.
    StaffJobId
);

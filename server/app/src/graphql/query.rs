use async_graphql::{Object, SimpleObject};
use portal_web::Lang;

#[derive(Default)]
pub struct ServiceQuery;

/// A language the portal speaks.
#[derive(SimpleObject)]
pub struct Language {
    /// BCP 47 tag, e.g. `ja`.
    code: &'static str,
    /// The language's name in that language, e.g. `日本語`.
    name: &'static str,
}

/// Facts about this portal installation.
pub struct ServiceInfo;

#[Object]
impl ServiceInfo {
    /// The service name in Japanese.
    async fn name(&self) -> &'static str {
        Lang::Ja.t("service.name")
    }

    /// The service name in English.
    async fn name_en(&self) -> &'static str {
        Lang::En.t("service.name")
    }

    /// Version of the running server.
    async fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// Languages the pages and messages are available in; the first is the default.
    async fn languages(&self) -> Vec<Language> {
        Lang::ALL
            .iter()
            .map(|lang| Language {
                code: lang.code(),
                name: lang.t("language.name"),
            })
            .collect()
    }
}

#[Object]
impl ServiceQuery {
    /// The service's name, version and languages. Needs no credentials.
    async fn service(&self) -> ServiceInfo {
        ServiceInfo
    }
}

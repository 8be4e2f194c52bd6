//! HTML helpers: escaping, the page layout every page shares, and the response headers.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Formats yen with thousands separators: 1234567 → `1,234,567`.
pub fn yen(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.6;margin:0;color:#0b0c0c}\
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}\
header{border-bottom:4px solid #1d70b8}header p{margin:.5rem 0}\
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}\
a{color:#1d70b8}a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #fd0;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}\
button{font:inherit;padding:.5rem 1rem;background:#00703c;color:#fff;border:0;border-bottom:2px solid #002d18;cursor:pointer}\
button.secondary{background:#f3f2f1;color:#0b0c0c;border-bottom-color:#929191}\
table{border-collapse:collapse;margin:1rem 0}caption{text-align:left;font-weight:bold;padding:.25rem 0}\
th,td{border-bottom:1px solid #b1b4b6;padding:.4rem .75rem .4rem 0;text-align:left;vertical-align:top}\
td.num{text-align:right}.source{color:#505a5f;font-size:.9rem}\
footer{border-top:1px solid #b1b4b6;margin-top:2rem;color:#505a5f;font-size:.9rem}";

/// A whole page: skip link, header with the app's name, `<main>` holding `body` (already HTML), footer.
/// `title` is the page's own title (plain text); `body` should start with the page's one `<h1>`.
pub fn layout(app_name: &str, title: &str, body: &str) -> String {
    let app = escape(app_name);
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{title} - {app}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
<a class=\"skip\" href=\"#main\">本文へ移動</a>\n\
<header>\n<p><a href=\"/\">{app}</a></p>\n</header>\n\
<main id=\"main\" tabindex=\"-1\">\n{body}\n</main>\n\
<footer>\n<p>マイナポータルの自己情報取得APIを使うサンプルアプリです。\
連携で受け取った情報はこのアプリのメモリにだけ置き、アプリを止めると消えます。</p>\n</footer>\n\
</body>\n</html>\n"
    )
}

/// The form that starts the OAuth flow: a GET to `/connect`.
pub fn connect_button(label: &str) -> String {
    format!(
        "<form method=\"get\" action=\"/connect\">\n<button type=\"submit\">{}</button>\n</form>",
        escape(label)
    )
}

/// An HTML answer with the headers every page of these apps carries: no caching (the pages show personal
/// records), and a content security policy that allows the inline stylesheet, forms to this app and
/// `form_target` (the portal, which `/connect` redirects to), and nothing else.
pub fn response(status: StatusCode, csp: &str, page: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, csp.to_owned()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(page)
}

/// The content security policy for pages whose forms may lead to `portal_origin`.
pub fn csp(portal_origin: &str) -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' {portal_origin}; \
base-uri 'none'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("健診"), "健診");
    }

    #[test]
    fn groups_yen_by_thousands() {
        assert_eq!(yen(0), "0");
        assert_eq!(yen(999), "999");
        assert_eq!(yen(1000), "1,000");
        assert_eq!(yen(100000), "100,000");
        assert_eq!(yen(1234567), "1,234,567");
    }

    #[test]
    fn layout_has_language_landmark_and_escaped_title() {
        let page = layout("PHR <app>", "記録", "<h1>記録</h1>");
        assert!(page.contains("<html lang=\"ja\">"));
        assert!(page.contains("<main id=\"main\""));
        assert!(page.contains("<title>記録 - PHR &lt;app&gt;</title>"));
        assert!(page.contains("href=\"#main\""));
    }
}

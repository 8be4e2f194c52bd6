//! View-models shared by the component macros in `templates/components/`.

/// One validation error: the id of the input it belongs to (the error summary links to `#<field>`) and the
/// catalog key of its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message_key: &'static str,
}

/// The errors of one form submission, in the order the fields appear on the page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message_key: &'static str) {
        self.0.push(FieldError { field, message_key });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// Catalog key of the first error for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message_key)
    }
}

/// Message lookup with `{count}` filled in. The component macros only call `shell.t(key)` for their fixed
/// texts and error messages, so a page whose error message carries a number (e.g. "2 more wrong PINs and the
/// card locks") passes this to `error_summary` and the field macro in place of the shell
/// (`{% let messages = shell.counted(…) %}`).
///
/// For a count of one, `<key>_one` is used when the catalog has it; without a count, `<key>_uncounted` is used
/// when the catalog has it (so a message never shows a bare `{count}`).
#[derive(Debug, Clone, Copy)]
pub struct CountedMessages {
    lang: crate::Lang,
    count: Option<u64>,
}

impl CountedMessages {
    pub fn new(lang: crate::Lang, count: Option<u64>) -> Self {
        CountedMessages { lang, count }
    }

    pub fn t(&self, key: &str) -> String {
        match self.count {
            Some(count) => {
                let one = (count == 1)
                    .then(|| self.lang.get(&format!("{key}_one")))
                    .flatten();
                one.unwrap_or_else(|| self.lang.t(key))
                    .replace("{count}", &count.to_string())
            }
            None => self
                .lang
                .get(&format!("{key}_uncounted"))
                .unwrap_or_else(|| self.lang.t(key))
                .to_owned(),
        }
    }
}

/// Messages for a form whose errors carry what was typed (a code, a count of digits). Each field's error is
/// still a fixed catalog key, so the error summary and the field link up as on every form; this resolves
/// those keys to the texts written for this submission, and every other key from the catalog. Pass it to
/// `error_summary` and the field macros in place of the shell (`{% call c::text_input(messages, …) %}`).
#[derive(Debug, Clone)]
pub struct FieldMessages {
    lang: crate::Lang,
    texts: Vec<(String, String)>,
}

impl FieldMessages {
    pub fn new(lang: crate::Lang) -> Self {
        FieldMessages {
            lang,
            texts: Vec::new(),
        }
    }

    /// Shows `text` wherever `key` is asked for.
    pub fn add(&mut self, key: impl Into<String>, text: String) {
        self.texts.push((key.into(), text));
    }

    pub fn t(&self, key: &str) -> String {
        self.texts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, text)| text.clone())
            .unwrap_or_else(|| self.lang.t(key).to_owned())
    }
}

/// One link or gap in a [`Pagination`] block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageItem {
    Page {
        number: usize,
        href: String,
        current: bool,
    },
    Ellipsis,
}

/// Page links for a paged list (GOV.UK pagination): the first and last page, the current page and its
/// neighbours, with gaps in between, plus previous/next links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    pub previous: Option<String>,
    pub next: Option<String>,
    pub items: Vec<PageItem>,
}

impl Pagination {
    /// `href_prefix` is followed by the page number, e.g. `?page=` or `/notices?page=`. `current` is
    /// clamped to `1..=total`; a single page gives no links at all (nothing to render).
    pub fn new(current: usize, total: usize, href_prefix: &str) -> Self {
        let total = total.max(1);
        let current = current.clamp(1, total);
        let href = |n: usize| format!("{href_prefix}{n}");
        let page = |number: usize| PageItem::Page {
            number,
            href: href(number),
            current: number == current,
        };
        let mut items = Vec::new();
        if total > 1 {
            let mut shown: Vec<usize> = [1, current.saturating_sub(1), current, current + 1, total]
                .into_iter()
                .filter(|n| (1..=total).contains(n))
                .collect();
            shown.sort_unstable();
            shown.dedup();
            let mut previous_shown = 0;
            for number in shown {
                match number - previous_shown {
                    1 => {}
                    // A gap of one page shows that page rather than an ellipsis standing for it.
                    2 => items.push(page(previous_shown + 1)),
                    _ => items.push(PageItem::Ellipsis),
                }
                items.push(page(number));
                previous_shown = number;
            }
        }
        Pagination {
            previous: (current > 1).then(|| href(current - 1)),
            next: (current < total).then(|| href(current + 1)),
            items,
        }
    }

    /// Previous and next links only, for a list whose length is not counted (GOV.UK's pagination for
    /// sequential pages): `has_next` says whether a page follows `current`.
    pub fn sequential(current: usize, has_next: bool, href_prefix: &str) -> Self {
        let current = current.max(1);
        Pagination {
            previous: (current > 1).then(|| format!("{href_prefix}{}", current - 1)),
            next: has_next.then(|| format!("{href_prefix}{}", current + 1)),
            items: Vec::new(),
        }
    }

    /// Whether there is anything to show (more than one page).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.previous.is_none() && self.next.is_none()
    }
}

/// Id of the `index`-th (1-based) item of a radio or checkbox group whose first item carries the group's own
/// id, as GOV.UK does: `topic`, `topic-2`, `topic-3`… The error summary links to the bare id, so it lands on
/// the first item.
/// `index` is any integer, by value or by reference (askama passes loop.index by reference).
pub fn item_id(base: &str, index: impl std::fmt::Display) -> String {
    let index = index.to_string();
    if index == "1" {
        base.to_owned()
    } else {
        format!("{base}-{index}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(p: &Pagination) -> Vec<Option<usize>> {
        p.items
            .iter()
            .map(|i| match i {
                PageItem::Page { number, .. } => Some(*number),
                PageItem::Ellipsis => None,
            })
            .collect()
    }

    #[test]
    fn pagination_shows_ends_neighbours_and_gaps() {
        let p = Pagination::new(5, 10, "?page=");
        assert_eq!(
            numbers(&p),
            vec![Some(1), None, Some(4), Some(5), Some(6), None, Some(10)]
        );
        assert_eq!(p.previous.as_deref(), Some("?page=4"));
        assert_eq!(p.next.as_deref(), Some("?page=6"));
        assert!(p.items.contains(&PageItem::Page {
            number: 5,
            href: "?page=5".into(),
            current: true
        }));
    }

    #[test]
    fn pagination_edges() {
        let first = Pagination::new(1, 3, "?p=");
        assert_eq!(numbers(&first), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(first.previous, None);
        let last = Pagination::new(9, 3, "?p=");
        assert_eq!(last.next, None);
        assert_eq!(last.previous.as_deref(), Some("?p=2"));
        assert!(Pagination::new(1, 1, "?p=").is_empty());
        assert!(Pagination::new(1, 0, "?p=").is_empty());
        // A gap of a single page shows the page itself.
        assert_eq!(
            numbers(&Pagination::new(4, 10, "?p=")),
            vec![Some(1), Some(2), Some(3), Some(4), Some(5), None, Some(10)]
        );
    }

    #[test]
    fn sequential_pagination_has_only_previous_and_next() {
        let middle = Pagination::sequential(2, true, "?a=1&page=");
        assert!(middle.items.is_empty() && !middle.is_empty());
        assert_eq!(middle.previous.as_deref(), Some("?a=1&page=1"));
        assert_eq!(middle.next.as_deref(), Some("?a=1&page=3"));
        assert!(Pagination::sequential(1, false, "?page=").is_empty());
        let last = Pagination::sequential(3, false, "?page=");
        assert_eq!(
            (last.previous.as_deref(), last.next),
            (Some("?page=2"), None)
        );
    }

    #[test]
    fn field_errors_get_first() {
        let mut errors = FieldErrors::default();
        errors.add("email", "a");
        errors.add("email", "b");
        assert_eq!(errors.get("email"), Some("a"));
        assert_eq!(errors.get("name"), None);
    }
}

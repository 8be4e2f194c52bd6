//! CSV for downloads: UTF-8 with a byte order mark, because Excel in Japan reads a file without one as
//! Shift_JIS and garbles every Japanese character; CRLF line ends and quoting as RFC 4180 says.

/// A CSV document being written, row by row.
pub struct Csv {
    out: String,
}

impl Default for Csv {
    fn default() -> Self {
        Csv {
            out: String::from('\u{feff}'),
        }
    }
}

impl Csv {
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for (i, value) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_cell(&mut self.out, value.as_ref());
        }
        self.out.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn push_cell(out: &mut String, value: &str) {
    // A spreadsheet runs a cell that starts with = + - @ as a formula; data from agencies is never meant as
    // one, so it gets a leading apostrophe (the usual guard against CSV injection).
    let guard = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = guard || value.contains([',', '"', '\n', '\r']) || value.trim() != value;
    if !quote {
        out.push_str(value);
        return;
    }
    out.push('"');
    if guard {
        out.push('\'');
    }
    out.push_str(&value.replace('"', "\"\""));
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let mut csv = Csv::default();
        csv.row(["調剤日", "薬剤名"]);
        csv.row([
            "a,b",
            "say \"hi\"",
            "two\nlines",
            " pad",
            "=1+1",
            "-5",
            "plain",
        ]);
        assert_eq!(
            csv.finish(),
            "\u{feff}調剤日,薬剤名\r\n\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",\"'=1+1\",\"'-5\",plain\r\n"
        );
    }

    #[test]
    fn an_empty_document_is_only_the_byte_order_mark() {
        assert_eq!(Csv::default().finish().as_bytes(), [0xEF, 0xBB, 0xBF]);
    }
}

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

/// Why a CSV file could not be read; lines count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// A quoted cell starting on this line never closes.
    UnclosedQuote { line: usize },
    /// A quote inside an unquoted cell, or text right after a closing quote, on this line.
    StrayQuote { line: usize },
    /// More records than allowed (the header counts as one).
    TooManyRecords,
}

/// Reads CSV as RFC 4180 writes it (commas, quoted cells with `""` for a quote, CRLF or LF line ends): each
/// record with the line it starts on. A byte order mark is skipped and blank lines are left out. Stops with
/// [`ReadError::TooManyRecords`] past `max_records`, so a huge file costs no more than that.
pub fn read(text: &str, max_records: usize) -> Result<Vec<(usize, Vec<String>)>, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut cell = String::new();
    let mut line = 1;
    let mut start = 1;
    // Inside quotes; and whether the current cell was quoted (only a separator may follow its close).
    let (mut quoted, mut was_quoted) = (false, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cell.push(c);
                }
                _ => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.is_empty() && !was_quoted => (quoted, was_quoted) = (true, true),
            '"' => return Err(ReadError::StrayQuote { line }),
            ',' => {
                record.push(std::mem::take(&mut cell));
                was_quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut cell));
                was_quoted = false;
                if !(record.len() == 1 && record.first().is_some_and(String::is_empty)) {
                    if records.len() == max_records {
                        return Err(ReadError::TooManyRecords);
                    }
                    records.push((start, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start = line;
            }
            _ if was_quoted => return Err(ReadError::StrayQuote { line }),
            _ => cell.push(c),
        }
    }
    if quoted {
        return Err(ReadError::UnclosedQuote { line: start });
    }
    if !cell.is_empty() || was_quoted || !record.is_empty() {
        record.push(cell);
        if records.len() == max_records {
            return Err(ReadError::TooManyRecords);
        }
        records.push((start, record));
    }
    Ok(records)
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

    #[test]
    fn reading_follows_rfc_4180_and_counts_lines() {
        let text = "\u{feff}a,b,c\r\n1,\"two, \"\"quoted\"\"\",3\r\n\r\n4,\"multi\nline\",\n7,8,9";
        let records = read(text, 10).expect("valid");
        assert_eq!(
            records,
            vec![
                (1, vec!["a".into(), "b".into(), "c".into()]),
                (2, vec!["1".into(), "two, \"quoted\"".into(), "3".into()]),
                (4, vec!["4".into(), "multi\nline".into(), String::new()]),
                (6, vec!["7".into(), "8".into(), "9".into()]),
            ]
        );
        assert_eq!(
            read("a\n\"open,b\n", 10),
            Err(ReadError::UnclosedQuote { line: 2 })
        );
        assert_eq!(
            read("a\nx\"y\n", 10),
            Err(ReadError::StrayQuote { line: 2 })
        );
        assert_eq!(
            read("a\n\"x\"y\n", 10),
            Err(ReadError::StrayQuote { line: 2 })
        );
        assert_eq!(read("a\nb\nc\n", 2), Err(ReadError::TooManyRecords));
        assert_eq!(read("", 2), Ok(vec![]));
    }
}

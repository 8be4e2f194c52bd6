//! The Zengin 総合振込 (general transfer, 種別コード 21) file: how an agency's benefit payments reach the
//! banks. A file is four kinds of 120-byte record in Shift_JIS, one per line: a header (データ区分 1) naming
//! the paying account, one data record (2) per payment, a trailer (8) with the count and sum, and an end
//! record (9).
//!
//! Only the single-byte part of Shift_JIS (JIS X 0201: ASCII and half-width katakana) occurs in these files,
//! so the encoder and decoder here cover exactly that and refuse the rest rather than pulling in a codec.
//!
//! [`TransferFile::to_bytes`] checks every value against what banks accept before writing a byte, since a
//! file the bank rejects means benefits paid late; [`TransferFile::parse`] checks the structure of a file
//! read back (record lengths, order, numbers, totals) but takes the text in any JIS X 0201 character.

use crate::BankError;

/// Every record is this many bytes, separators not counted.
pub const RECORD_LEN: usize = 120;

/// 種別コード of 総合振込; other transfer kinds (給与振込 11, …) have other rules and are not written here.
const KIND_GENERAL_TRANSFER: &str = "21";
/// コード区分 0: the text is JIS (Shift_JIS), not EBCDIC.
const CODE_JIS: u8 = b'0';
/// 振込指定区分 7: telegraphic transfer, the usual choice for same-day credit.
const TELEGRAPHIC: u8 = b'7';
/// The largest amount 振込金額 (N10) holds.
pub const MAX_AMOUNT: u64 = 9_999_999_999;
/// The largest sum 合計金額 (N12) holds.
pub const MAX_TOTAL: u64 = 999_999_999_999;
/// The most data records 合計件数 (N6) counts.
pub const MAX_PAYMENTS: usize = 999_999;
/// The DOS end-of-file mark some banking software still appends; tolerated once at the very end.
const EOF_MARK: u8 = 0x1A;

/// 預金種目: the kind of account, as banks code it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// 普通預金.
    Ordinary,
    /// 当座預金.
    Current,
    /// 貯蓄預金.
    Savings,
}

impl AccountType {
    /// All kinds, in the order forms list them.
    pub const ALL: [AccountType; 3] = [Self::Ordinary, Self::Current, Self::Savings];

    /// The 預金種目 digit in Zengin records (3 is 納税準備預金, never a benefit account).
    pub fn zengin_code(self) -> u8 {
        match self {
            Self::Ordinary => 1,
            Self::Current => 2,
            Self::Savings => 4,
        }
    }

    /// The kind a 預金種目 digit stands for; `None` for digits that are not a payable account kind.
    pub fn from_zengin_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Ordinary),
            2 => Some(Self::Current),
            4 => Some(Self::Savings),
            _ => None,
        }
    }

    /// A stable word for databases and form values, independent of the Zengin digits.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ordinary => "ordinary",
            Self::Current => "current",
            Self::Savings => "savings",
        }
    }

    /// The kind [`Self::code`] names; `None` for any other string.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The name banks print (普通, 当座, 貯蓄).
    pub fn name_ja(self) -> &'static str {
        match self {
            Self::Ordinary => "普通",
            Self::Current => "当座",
            Self::Savings => "貯蓄",
        }
    }

    /// The English name for the English pages.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Ordinary => "Ordinary",
            Self::Current => "Current",
            Self::Savings => "Savings",
        }
    }
}

/// Whether 取組日 `(month, day)` exists in some year: the record has no year, so 29 February always passes.
fn is_valid_date((month, day): (u8, u8)) -> bool {
    let last = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// The header record: who pays, when, and from which account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 委託者コード: the number the paying bank gave the agency, up to 10 digits. A shorter code is written
    /// zero-padded, so it reads back as 10 digits.
    pub requester_code: String,
    /// 委託者名: the agency's name in half-width characters, at most 40.
    pub requester_name: String,
    /// 取組日 as (month, day); the file carries no year.
    pub transfer_date: (u8, u8),
    /// 仕向銀行番号: the paying bank, 4 digits.
    pub bank_code: String,
    /// 仕向銀行名: half-width, at most 15; may be empty.
    pub bank_name: String,
    /// 仕向支店番号: 3 digits.
    pub branch_code: String,
    /// 仕向支店名: half-width, at most 15; may be empty.
    pub branch_name: String,
    /// 預金種目 of the paying account.
    pub account_type: AccountType,
    /// 口座番号 of the paying account: 7 digits (banks zero-pad shorter numbers).
    pub account_number: String,
}

/// One data record: a payment to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// 被仕向銀行番号: 4 digits.
    pub bank_code: String,
    /// 被仕向銀行名: half-width, at most 15; may be empty.
    pub bank_name: String,
    /// 被仕向支店番号: 3 digits.
    pub branch_code: String,
    /// 被仕向支店名: half-width, at most 15; may be empty.
    pub branch_name: String,
    /// 預金種目.
    pub account_type: AccountType,
    /// 口座番号: 7 digits.
    pub account_number: String,
    /// 受取人名: the holder's name as the bank keeps it, half-width, 1–30 characters.
    pub holder_name: String,
    /// 振込金額 in yen: 1 to 9,999,999,999.
    pub amount: u64,
    /// 顧客コード1: the agency's reference for this payment, at most 10 characters; may be empty.
    pub customer_code: String,
}

/// A whole 総合振込 file. The trailer is not stored: its count and sum follow from the payments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferFile {
    /// The header record.
    pub header: Header,
    /// The data records, in file order.
    pub payments: Vec<Payment>,
}

impl TransferFile {
    /// The sum of the payments, as the trailer's 合計金額 would carry it (saturating rather than wrapping,
    /// so an impossible sum stays impossible).
    pub fn total(&self) -> u64 {
        self.payments
            .iter()
            .fold(0u64, |sum, payment| sum.saturating_add(payment.amount))
    }

    /// The file as the bank wants it: 120-byte Shift_JIS records, each followed by CR LF.
    ///
    /// Every field is checked first; the error names the field and, for a payment, its number (record =
    /// payment number + 1, since the header is record 1).
    pub fn to_bytes(&self) -> Result<Vec<u8>, BankError> {
        if self.payments.is_empty() {
            return Err(problem(
                0,
                "there are no payments; a transfer file needs at least one".into(),
            ));
        }
        if self.payments.len() > MAX_PAYMENTS {
            return Err(problem(
                0,
                format!(
                    "{} payments; 合計件数 (6 digits) counts at most {MAX_PAYMENTS}",
                    self.payments.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity((self.payments.len() + 3) * (RECORD_LEN + 2));
        out.extend_from_slice(&header_record(&self.header)?);
        out.extend_from_slice(b"\r\n");
        let mut total: u64 = 0;
        for (index, payment) in self.payments.iter().enumerate() {
            out.extend_from_slice(&data_record(payment, index + 1)?);
            out.extend_from_slice(b"\r\n");
            total = total.saturating_add(payment.amount);
        }
        let trailer_number = self.payments.len() + 2;
        if total > MAX_TOTAL {
            return Err(problem(
                trailer_number,
                format!(
                    "trailer: the payments sum to {total} yen; 合計金額 (12 digits) holds at most {MAX_TOTAL}"
                ),
            ));
        }
        let mut trailer = RecordWriter::new(b'8');
        trailer.number(self.payments.len() as u64, 6);
        trailer.number(total, 12);
        trailer.spaces(101);
        out.extend_from_slice(&trailer.finish());
        out.extend_from_slice(b"\r\n");
        let mut end = RecordWriter::new(b'9');
        end.spaces(119);
        out.extend_from_slice(&end.finish());
        out.extend_from_slice(b"\r\n");
        Ok(out)
    }

    /// Reads a file back. Records may be separated by CR LF or LF, or follow one another directly; a single
    /// 0x1A end-of-file mark after the end record is ignored.
    ///
    /// Checked: each record is 120 bytes; one header, then data records, one trailer, one end record and
    /// nothing more; numeric fields are digits; 種別コード is 21 and コード区分 0; the trailer's 合計件数 and
    /// 合計金額 match the data records. Text is taken as any JIS X 0201 character, trailing spaces trimmed.
    pub fn parse(bytes: &[u8]) -> Result<TransferFile, BankError> {
        let records = split_records(bytes)?;
        let mut header = None;
        let mut payments = Vec::new();
        let mut trailer_seen = false;
        let mut end_seen = false;
        for (index, record) in records.iter().copied().enumerate() {
            let number = index + 1;
            let reader = RecordReader { record, number };
            if end_seen {
                return Err(problem(
                    number,
                    "a record after the end record (9); nothing may follow it".into(),
                ));
            }
            match record[0] {
                b'1' if header.is_none() => header = Some(reader.header()?),
                b'1' => return Err(problem(number, "a second header record (1)".into())),
                _ if header.is_none() => {
                    return Err(problem(
                        number,
                        format!(
                            "データ区分 is {}; the file must begin with a header record (1)",
                            shown(record[0])
                        ),
                    ));
                }
                b'2' if trailer_seen => {
                    return Err(problem(
                        number,
                        "a data record (2) after the trailer (8); data records come before it"
                            .into(),
                    ));
                }
                b'2' => {
                    if payments.len() == MAX_PAYMENTS {
                        return Err(problem(
                            number,
                            format!(
                                "more than {MAX_PAYMENTS} data records; 合計件数 cannot count them"
                            ),
                        ));
                    }
                    payments.push(reader.payment()?);
                }
                b'8' if trailer_seen => {
                    return Err(problem(number, "a second trailer record (8)".into()));
                }
                b'8' => {
                    reader.check_trailer(&payments)?;
                    trailer_seen = true;
                }
                b'9' if !trailer_seen => {
                    return Err(problem(
                        number,
                        "the end record (9) comes before any trailer record (8)".into(),
                    ));
                }
                b'9' => end_seen = true,
                other => {
                    return Err(problem(
                        number,
                        format!("データ区分 is {}; a record is 1, 2, 8 or 9", shown(other)),
                    ));
                }
            }
        }
        let Some(header) = header else {
            return Err(problem(0, "the file is empty".into()));
        };
        if !trailer_seen {
            return Err(problem(
                0,
                format!(
                    "the file ends after record {} without a trailer record (8)",
                    records.len()
                ),
            ));
        }
        if !end_seen {
            return Err(problem(
                0,
                format!(
                    "the file ends after record {} without an end record (9)",
                    records.len()
                ),
            ));
        }
        if payments.is_empty() {
            return Err(problem(0, "the file has no data records (2)".into()));
        }
        Ok(TransferFile { header, payments })
    }
}

fn problem(record: usize, problem: String) -> BankError {
    BankError::Transfer { record, problem }
}

/// A byte for an error message: the character if printable ASCII, else its hex value.
fn shown(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("'{}'", char::from(byte))
    } else {
        format!("byte 0x{byte:02X}")
    }
}

// ---------------------------------------------------------------------------------------------------------
// Character set

/// One character in JIS X 0201 as Shift_JIS stores it: printable ASCII as itself, half-width katakana
/// U+FF61–U+FF9F as 0xA1–0xDF. Control characters are refused: they would break the fixed layout.
fn encode_char(c: char) -> Option<u8> {
    let code = u32::from(c);
    match code {
        0x20..=0x7E => u8::try_from(code).ok(),
        0xFF61..=0xFF9F => u8::try_from(code - 0xFF61 + 0xA1).ok(),
        _ => None,
    }
}

/// The reverse of [`encode_char`]; `None` for bytes outside printable JIS X 0201 (control bytes, and the
/// lead bytes of double-byte Shift_JIS characters).
fn decode_byte(byte: u8) -> Option<char> {
    match byte {
        0x20..=0x7E => Some(char::from(byte)),
        0xA1..=0xDF => char::from_u32(0xFF61 + u32::from(byte - 0xA1)),
        _ => None,
    }
}

/// The characters banks accept in Zengin text fields. Lower case, small kana (ｧ, ｯ, …), the long-vowel
/// mark ｰ and most punctuation are not among them, though JIS X 0201 could carry them.
fn is_zengin_char(c: char) -> bool {
    c.is_ascii_digit()
        || c.is_ascii_uppercase()
        || matches!(
            c,
            ' ' | '(' | ')' | '-' | '.' | '/' | ',' | '\\' | '｢' | '｣' | 'ｦ' | 'ﾞ' | 'ﾟ'
        )
        || ('ｱ'..='ﾝ').contains(&c)
}

// ---------------------------------------------------------------------------------------------------------
// Writing

/// Where a value being written belongs, for error messages: the record number and "header" / "payment N".
struct Place {
    record: usize,
    label: String,
}

impl Place {
    fn error(&self, field: &str, what: String) -> BankError {
        problem(self.record, format!("{}: {field} {what}", self.label))
    }

    /// A code of digits, `min..=max` long.
    fn digits(&self, field: &str, value: &str, min: usize, max: usize) -> Result<(), BankError> {
        if let Some(c) = value.chars().find(|c| !c.is_ascii_digit()) {
            return Err(self.error(field, format!("has {c:?}; only the digits 0–9 may appear")));
        }
        let len = value.len();
        if !(min..=max).contains(&len) {
            let wanted = if min == max {
                format!("{max} digits")
            } else {
                format!("{min} to {max} digits")
            };
            return Err(self.error(field, format!("is {len} digits long; it must be {wanted}")));
        }
        Ok(())
    }

    /// A text field in the Zengin character set, at most `max` characters, encoded. Trailing spaces are
    /// refused because the padding would swallow them and the file would read back differently.
    fn text(
        &self,
        field: &str,
        value: &str,
        max: usize,
        required: bool,
    ) -> Result<Vec<u8>, BankError> {
        let mut bytes = Vec::with_capacity(value.len());
        for c in value.chars() {
            let byte = encode_char(c).filter(|_| is_zengin_char(c)).ok_or_else(|| {
                self.error(
                    field,
                    format!(
                        "has {c:?} (U+{:04X}), which is not in the Zengin character set (digits, A–Z, \
                         half-width katakana, space and ( ) - . / ｢ ｣ , \\)",
                        u32::from(c)
                    ),
                )
            })?;
            bytes.push(byte);
        }
        if required && bytes.is_empty() {
            return Err(self.error(field, "is empty".into()));
        }
        if bytes.len() > max {
            return Err(self.error(
                field,
                format!("is {} characters long; at most {max} fit", bytes.len()),
            ));
        }
        if bytes.last() == Some(&b' ') {
            return Err(self.error(field, "ends with a space".into()));
        }
        Ok(bytes)
    }
}

/// Fills one record left to right; the layouts below add up to [`RECORD_LEN`].
struct RecordWriter {
    bytes: Vec<u8>,
}

impl RecordWriter {
    fn new(kind: u8) -> Self {
        let mut bytes = Vec::with_capacity(RECORD_LEN);
        bytes.push(kind);
        RecordWriter { bytes }
    }

    /// An N field from checked digits: right-aligned, zero-padded.
    fn digits(&mut self, digits: &str, width: usize) {
        let pad = width.saturating_sub(digits.len());
        self.bytes.extend(std::iter::repeat_n(b'0', pad));
        self.bytes.extend_from_slice(digits.as_bytes());
    }

    /// An N field from a number already checked to fit.
    fn number(&mut self, value: u64, width: usize) {
        self.digits(&value.to_string(), width);
    }

    /// A C field from encoded, checked text: left-aligned, space-padded.
    fn text(&mut self, text: &[u8], width: usize) {
        self.bytes.extend_from_slice(text);
        self.spaces(width.saturating_sub(text.len()));
    }

    fn byte(&mut self, byte: u8) {
        self.bytes.push(byte);
    }

    fn spaces(&mut self, width: usize) {
        self.bytes.extend(std::iter::repeat_n(b' ', width));
    }

    fn finish(self) -> Vec<u8> {
        debug_assert_eq!(self.bytes.len(), RECORD_LEN);
        self.bytes
    }
}

fn header_record(header: &Header) -> Result<Vec<u8>, BankError> {
    let place = Place {
        record: 1,
        label: "header".into(),
    };
    place.digits(
        "requester_code (委託者コード)",
        &header.requester_code,
        1,
        10,
    )?;
    let requester_name = place.text(
        "requester_name (委託者名)",
        &header.requester_name,
        40,
        true,
    )?;
    let (month, day) = header.transfer_date;
    if !is_valid_date((month, day)) {
        return Err(place.error(
            "transfer_date (取組日)",
            format!("is month {month} day {day}, which is no date"),
        ));
    }
    place.digits("bank_code (仕向銀行番号)", &header.bank_code, 4, 4)?;
    let bank_name = place.text("bank_name (仕向銀行名)", &header.bank_name, 15, false)?;
    place.digits("branch_code (仕向支店番号)", &header.branch_code, 3, 3)?;
    let branch_name = place.text("branch_name (仕向支店名)", &header.branch_name, 15, false)?;
    place.digits("account_number (口座番号)", &header.account_number, 7, 7)?;

    let mut record = RecordWriter::new(b'1');
    record.digits(KIND_GENERAL_TRANSFER, 2);
    record.byte(CODE_JIS);
    record.digits(&header.requester_code, 10);
    record.text(&requester_name, 40);
    record.number(u64::from(month), 2);
    record.number(u64::from(day), 2);
    record.digits(&header.bank_code, 4);
    record.text(&bank_name, 15);
    record.digits(&header.branch_code, 3);
    record.text(&branch_name, 15);
    record.number(u64::from(header.account_type.zengin_code()), 1);
    record.digits(&header.account_number, 7);
    record.spaces(17);
    Ok(record.finish())
}

/// The data record of the `ordinal`-th payment (1-based), which is record `ordinal + 1`.
fn data_record(payment: &Payment, ordinal: usize) -> Result<Vec<u8>, BankError> {
    let place = Place {
        record: ordinal + 1,
        label: format!("payment {ordinal}"),
    };
    place.digits("bank_code (被仕向銀行番号)", &payment.bank_code, 4, 4)?;
    let bank_name = place.text("bank_name (被仕向銀行名)", &payment.bank_name, 15, false)?;
    place.digits("branch_code (被仕向支店番号)", &payment.branch_code, 3, 3)?;
    let branch_name = place.text(
        "branch_name (被仕向支店名)",
        &payment.branch_name,
        15,
        false,
    )?;
    place.digits("account_number (口座番号)", &payment.account_number, 7, 7)?;
    let holder_name = place.text("holder_name (受取人名)", &payment.holder_name, 30, true)?;
    if payment.amount == 0 {
        return Err(place.error(
            "amount (振込金額)",
            "is 0 yen; a transfer must be at least 1 yen".into(),
        ));
    }
    if payment.amount > MAX_AMOUNT {
        return Err(place.error(
            "amount (振込金額)",
            format!(
                "is {} yen; at most {MAX_AMOUNT} fits in 10 digits",
                payment.amount
            ),
        ));
    }
    let customer_code = place.text(
        "customer_code (顧客コード1)",
        &payment.customer_code,
        10,
        false,
    )?;

    let mut record = RecordWriter::new(b'2');
    record.digits(&payment.bank_code, 4);
    record.text(&bank_name, 15);
    record.digits(&payment.branch_code, 3);
    record.text(&branch_name, 15);
    record.spaces(4); // 手形交換所番号: unused since clearing went electronic.
    record.number(u64::from(payment.account_type.zengin_code()), 1);
    record.digits(&payment.account_number, 7);
    record.text(&holder_name, 30);
    record.number(payment.amount, 10);
    record.byte(b'0'); // 新規コード: no claim that the account is new or changed.
    record.text(&customer_code, 10);
    record.spaces(10); // 顧客コード2: one reference is enough.
    record.byte(TELEGRAPHIC);
    record.byte(b' '); // 識別表示: blank, since 顧客コード1/2 hold a reference, not an EDI message.
    record.spaces(7);
    Ok(record.finish())
}

// ---------------------------------------------------------------------------------------------------------
// Reading

/// Cuts the file into 120-byte records, allowing CR LF, LF or nothing between them. A CR or LF inside the
/// 120 bytes means the record is short, which is reported as such rather than as a misplaced field.
fn split_records(bytes: &[u8]) -> Result<Vec<&[u8; RECORD_LEN]>, BankError> {
    let mut records = Vec::new();
    let mut rest = bytes;
    if rest.last() == Some(&EOF_MARK) {
        rest = &rest[..rest.len() - 1];
    }
    while !rest.is_empty() {
        let number = records.len() + 1;
        let window = &rest[..rest.len().min(RECORD_LEN)];
        let length = window
            .iter()
            .position(|&b| b == b'\r' || b == b'\n')
            .unwrap_or(window.len());
        let Some(record) = rest
            .get(..length)
            .and_then(|r| <&[u8; RECORD_LEN]>::try_from(r).ok())
        else {
            return Err(problem(
                number,
                format!("is {length} bytes long; a record is {RECORD_LEN}"),
            ));
        };
        records.push(record);
        rest = &rest[RECORD_LEN..];
        if let Some(after) = rest.strip_prefix(b"\r\n") {
            rest = after;
        } else if let Some(after) = rest.strip_prefix(b"\n") {
            rest = after;
        } else if rest.first() == Some(&b'\r') {
            return Err(problem(
                number,
                "is followed by a CR without LF; records end in CR LF or LF".into(),
            ));
        }
    }
    Ok(records)
}

/// One record being read, for fields and error messages.
struct RecordReader<'a> {
    record: &'a [u8; RECORD_LEN],
    number: usize,
}

impl RecordReader<'_> {
    fn field(&self, start: usize, width: usize) -> &[u8] {
        &self.record[start..start + width]
    }

    fn error(&self, field: &str, what: String) -> BankError {
        problem(self.number, format!("{field} {what}"))
    }

    /// An N field as its digits, zero padding kept (codes like 銀行番号 are strings with leading zeros).
    fn digits(&self, field: &str, start: usize, width: usize) -> Result<String, BankError> {
        let raw = self.field(start, width);
        if let Some(&bad) = raw.iter().find(|b| !b.is_ascii_digit()) {
            return Err(self.error(
                field,
                format!(
                    "(bytes {}..{}) has {}; it must be digits",
                    start,
                    start + width,
                    shown(bad)
                ),
            ));
        }
        Ok(raw.iter().map(|&b| char::from(b)).collect())
    }

    /// An N field as a number (at most 12 digits here, so it always fits a u64).
    fn number(&self, field: &str, start: usize, width: usize) -> Result<u64, BankError> {
        let digits = self.digits(field, start, width)?;
        digits
            .parse()
            .map_err(|_| self.error(field, format!("{digits} is not a number")))
    }

    /// A C field, trailing spaces trimmed.
    fn text(&self, field: &str, start: usize, width: usize) -> Result<String, BankError> {
        let raw = self.field(start, width);
        let used = raw
            .iter()
            .rposition(|&b| b != b' ')
            .map_or(0, |last| last + 1);
        raw[..used]
            .iter()
            .map(|&b| decode_byte(b))
            .collect::<Option<String>>()
            .ok_or_else(|| {
                self.error(
                    field,
                    format!(
                        "(bytes {}..{}) has a byte outside JIS X 0201 (ASCII and half-width katakana)",
                        start,
                        start + width
                    ),
                )
            })
    }

    fn account_type(&self, field: &str, at: usize) -> Result<AccountType, BankError> {
        let byte = self.record[at];
        byte.checked_sub(b'0')
            .and_then(AccountType::from_zengin_code)
            .ok_or_else(|| {
                self.error(
                    field,
                    format!(
                        "is {}; it must be 1 (普通), 2 (当座) or 4 (貯蓄)",
                        shown(byte)
                    ),
                )
            })
    }

    fn header(&self) -> Result<Header, BankError> {
        let kind = self.digits("種別コード", 1, 2)?;
        if kind != KIND_GENERAL_TRANSFER {
            return Err(self.error(
                "種別コード",
                format!("is {kind}; only 21 (総合振込) is read here"),
            ));
        }
        if self.record[3] != CODE_JIS {
            return Err(self.error(
                "コード区分",
                format!(
                    "is {}; only 0 (JIS / Shift_JIS) is read here",
                    shown(self.record[3])
                ),
            ));
        }
        let month = self.number("取組日 (month)", 54, 2)?;
        let day = self.number("取組日 (day)", 56, 2)?;
        // Two digits always fit a u8.
        let transfer_date = (
            u8::try_from(month).unwrap_or(0),
            u8::try_from(day).unwrap_or(0),
        );
        if !is_valid_date(transfer_date) {
            return Err(self.error(
                "取組日",
                format!("is {month:02}{day:02}, which is no date (MMDD)"),
            ));
        }
        Ok(Header {
            requester_code: self.digits("委託者コード", 4, 10)?,
            requester_name: self.text("委託者名", 14, 40)?,
            transfer_date,
            bank_code: self.digits("仕向銀行番号", 58, 4)?,
            bank_name: self.text("仕向銀行名", 62, 15)?,
            branch_code: self.digits("仕向支店番号", 77, 3)?,
            branch_name: self.text("仕向支店名", 80, 15)?,
            account_type: self.account_type("預金種目", 95)?,
            account_number: self.digits("口座番号", 96, 7)?,
        })
    }

    fn payment(&self) -> Result<Payment, BankError> {
        let payment = Payment {
            bank_code: self.digits("被仕向銀行番号", 1, 4)?,
            bank_name: self.text("被仕向銀行名", 5, 15)?,
            branch_code: self.digits("被仕向支店番号", 20, 3)?,
            branch_name: self.text("被仕向支店名", 23, 15)?,
            account_type: self.account_type("預金種目", 42)?,
            account_number: self.digits("口座番号", 43, 7)?,
            holder_name: self.text("受取人名", 50, 30)?,
            amount: self.number("振込金額", 80, 10)?,
            customer_code: self.text("顧客コード1", 91, 10)?,
        };
        // Read only to check they are digits; a file from elsewhere may use 新規コード 1/2 or 振込指定区分 8.
        self.digits("新規コード", 90, 1)?;
        self.digits("振込指定区分", 111, 1)?;
        Ok(payment)
    }

    fn check_trailer(&self, payments: &[Payment]) -> Result<(), BankError> {
        let count = self.number("合計件数", 1, 6)?;
        let total = self.number("合計金額", 7, 12)?;
        let actual_count = payments.len() as u64;
        let actual_total = payments
            .iter()
            .fold(0u64, |sum, payment| sum.saturating_add(payment.amount));
        if count != actual_count {
            return Err(self.error(
                "合計件数",
                format!("is {count}, but the file has {actual_count} data records"),
            ));
        }
        if total != actual_total {
            return Err(self.error(
                "合計金額",
                format!("is {total}, but the data records sum to {actual_total}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            requester_code: "1234567890".into(),
            requester_name: "ｺｸﾐﾝｷﾕｳﾌｷﾝ(ﾅｲｶｸﾌ)".into(),
            transfer_date: (3, 10),
            bank_code: "0001".into(),
            bank_name: "ﾐｽﾞﾎ".into(),
            branch_code: "001".into(),
            branch_name: "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ".into(),
            account_type: AccountType::Current,
            account_number: "0123456".into(),
        }
    }

    fn payment(holder: &str, amount: u64) -> Payment {
        Payment {
            bank_code: "0005".into(),
            bank_name: "ﾐﾂﾋﾞｼUFJ".into(),
            branch_code: "123".into(),
            branch_name: "ｼﾌﾞﾔ".into(),
            account_type: AccountType::Ordinary,
            account_number: "7654321".into(),
            holder_name: holder.into(),
            amount,
            customer_code: "K-0001".into(),
        }
    }

    fn file() -> TransferFile {
        let mut savings = payment("ｽｽﾞｷ ｲﾁﾛｳ", 100_000);
        savings.account_type = AccountType::Savings;
        savings.bank_code = "9900".into();
        savings.bank_name = String::new();
        savings.branch_name = String::new();
        savings.customer_code = String::new();
        TransferFile {
            header: header(),
            payments: vec![
                payment("ﾔﾏﾀﾞ ﾊﾅｺ", 12_345),
                savings,
                payment("ｻﾄｳ ｹﾝ", 9_999_999_999),
            ],
        }
    }

    /// Record `n` (1-based) of a file written with CR LF.
    fn record(bytes: &[u8], n: usize) -> &[u8] {
        &bytes[(n - 1) * 122..(n - 1) * 122 + 120]
    }

    fn transfer_error(result: Result<impl std::fmt::Debug, BankError>) -> (usize, String) {
        match result {
            Err(BankError::Transfer { record, problem }) => (record, problem),
            other => panic!("expected a transfer error, got {other:?}"),
        }
    }

    fn refusal(file: &TransferFile) -> (usize, String) {
        transfer_error(file.to_bytes())
    }

    fn parse_refusal(bytes: &[u8]) -> (usize, String) {
        transfer_error(TransferFile::parse(bytes))
    }

    #[test]
    fn three_payments_round_trip() {
        let file = file();
        let bytes = file.to_bytes().unwrap();
        assert_eq!(TransferFile::parse(&bytes).unwrap(), file);
        assert_eq!(file.total(), 12_345 + 100_000 + 9_999_999_999);
    }

    #[test]
    fn every_record_is_120_bytes_and_crlf() {
        let bytes = file().to_bytes().unwrap();
        assert_eq!(bytes.len(), 6 * 122);
        for line in bytes.chunks(122) {
            assert_eq!(&line[120..], b"\r\n");
            assert!(!line[..120].iter().any(|&b| b == b'\r' || b == b'\n'));
        }
        let kinds: Vec<u8> = bytes.chunks(122).map(|line| line[0]).collect();
        assert_eq!(kinds, b"122289");
    }

    #[test]
    fn header_fields_at_their_offsets() {
        let bytes = file().to_bytes().unwrap();
        let h = record(&bytes, 1);
        assert_eq!(&h[0..4], b"1210");
        assert_eq!(&h[4..14], b"1234567890");
        assert_eq!(h[14], 0xBA); // ｺ
        assert_eq!(&h[14 + 17..54], &[b' '; 23][..]); // 17-character name, then padding
        assert_eq!(&h[54..58], b"0310");
        assert_eq!(&h[58..62], b"0001");
        assert_eq!(&h[62..66], &[0xD0, 0xBD, 0xDE, 0xCE][..]); // ﾐｽﾞﾎ
        assert_eq!(&h[66..77], &[b' '; 11][..]);
        assert_eq!(&h[77..80], b"001");
        assert_eq!(h[80], 0xC4); // ﾄ
        assert_eq!(h[95], b'2');
        assert_eq!(&h[96..103], b"0123456");
        assert_eq!(&h[103..120], &[b' '; 17][..]);
    }

    #[test]
    fn short_requester_code_is_zero_padded() {
        let mut file = file();
        file.header.requester_code = "42".into();
        let bytes = file.to_bytes().unwrap();
        assert_eq!(&record(&bytes, 1)[4..14], b"0000000042");
        assert_eq!(
            TransferFile::parse(&bytes).unwrap().header.requester_code,
            "0000000042"
        );
    }

    #[test]
    fn data_fields_at_their_offsets() {
        let bytes = file().to_bytes().unwrap();
        let d = record(&bytes, 2);
        assert_eq!(d[0], b'2');
        assert_eq!(&d[1..5], b"0005");
        assert_eq!(&d[5..12], &[0xD0, 0xC2, 0xCB, 0xDE, 0xBC, b'U', b'F'][..]); // ﾐﾂﾋﾞｼUF
        assert_eq!(&d[12..20], b"J       ");
        assert_eq!(&d[20..23], b"123");
        assert_eq!(&d[38..42], b"    ");
        assert_eq!(d[42], b'1');
        assert_eq!(&d[43..50], b"7654321");
        assert_eq!(
            &d[50..58],
            &[0xD4, 0xCF, 0xC0, 0xDE, 0x20, 0xCA, 0xC5, 0xBA][..]
        );
        assert_eq!(&d[58..80], &[b' '; 22][..]);
        assert_eq!(&d[80..90], b"0000012345");
        assert_eq!(d[90], b'0');
        assert_eq!(&d[91..101], b"K-0001    ");
        assert_eq!(&d[101..111], &[b' '; 10][..]);
        assert_eq!(d[111], b'7');
        assert_eq!(&d[112..120], &[b' '; 8][..]);

        let savings = record(&bytes, 3);
        assert_eq!(&savings[1..5], b"9900");
        assert_eq!(&savings[5..20], &[b' '; 15][..]);
        assert_eq!(savings[42], b'4');
        assert_eq!(&savings[80..90], b"0000100000");
        assert_eq!(&record(&bytes, 4)[80..90], b"9999999999");
    }

    #[test]
    fn half_width_kana_are_single_bytes() {
        let encoded: Vec<u8> = "ﾔﾏﾀﾞ ﾊﾅｺ".chars().map(|c| encode_char(c).unwrap()).collect();
        assert_eq!(encoded, [0xD4, 0xCF, 0xC0, 0xDE, 0x20, 0xCA, 0xC5, 0xBA]);
        assert_eq!(encode_char('｡'), Some(0xA1));
        assert_eq!(encode_char('ﾟ'), Some(0xDF));
        assert_eq!(encode_char('ｦ'), Some(0xA6));
        assert_eq!(encode_char('ﾝ'), Some(0xDD));
        assert_eq!(encode_char('ア'), None);
        assert_eq!(encode_char('\u{7F}'), None);
        for byte in (0x20..=0x7E).chain(0xA1..=0xDF) {
            assert_eq!(decode_byte(byte).and_then(encode_char), Some(byte));
        }
        for byte in [0x00, 0x0D, 0x7F, 0x80, 0xA0, 0xE0, 0xFF] {
            assert_eq!(decode_byte(byte), None);
        }
    }

    #[test]
    fn zengin_character_set() {
        for c in "0189AZ ()-./,\\｢｣ｦｱﾝﾞﾟ".chars() {
            assert!(is_zengin_char(c), "{c:?}");
        }
        for c in "az!@_~ｧｯｰ｡､･".chars() {
            assert!(!is_zengin_char(c), "{c:?}");
        }
    }

    #[test]
    fn trailer_and_end_records() {
        let bytes = file().to_bytes().unwrap();
        let trailer = record(&bytes, 5);
        assert_eq!(trailer[0], b'8');
        assert_eq!(&trailer[1..7], b"000003");
        assert_eq!(&trailer[7..19], b"010000112344");
        assert_eq!(&trailer[19..120], &[b' '; 101][..]);
        let end = record(&bytes, 6);
        assert_eq!(end[0], b'9');
        assert_eq!(&end[1..120], &[b' '; 119][..]);
    }

    #[test]
    fn refuses_full_width_and_kanji() {
        let mut file = file();
        file.payments[1].holder_name = "ｽｽﾞｷ ｲﾁﾛウ".into();
        let (record, problem) = refusal(&file);
        assert_eq!(record, 3);
        assert!(
            problem.starts_with("payment 2: holder_name (受取人名) has 'ウ'"),
            "{problem}"
        );

        let mut file = self::file();
        file.payments[0].holder_name = "ＹＡＭＡＤＡ".into();
        assert_eq!(refusal(&file).0, 2);

        let mut file = self::file();
        file.header.requester_name = "内閣府".into();
        let (record, problem) = refusal(&file);
        assert_eq!(record, 1);
        assert!(
            problem.starts_with("header: requester_name (委託者名) has '内'"),
            "{problem}"
        );

        let mut file = self::file();
        file.payments[2].holder_name = "sato ken".into();
        assert_eq!(refusal(&file).0, 4);
    }

    #[test]
    fn refuses_eight_digit_account_number() {
        let mut file = file();
        file.payments[2].account_number = "12345678".into();
        let (record, problem) = refusal(&file);
        assert_eq!(record, 4);
        assert_eq!(
            problem,
            "payment 3: account_number (口座番号) is 8 digits long; it must be 7 digits"
        );

        let mut file = self::file();
        file.header.account_number = "12345A7".into();
        let (record, problem) = refusal(&file);
        assert_eq!(record, 1);
        assert!(
            problem.contains("account_number (口座番号) has 'A'"),
            "{problem}"
        );
    }

    #[test]
    fn refuses_amount_over_ten_digits_and_zero() {
        let mut file = file();
        file.payments[0].amount = 10_000_000_000;
        let (record, problem) = refusal(&file);
        assert_eq!(record, 2);
        assert!(
            problem.starts_with("payment 1: amount (振込金額) is 10000000000 yen"),
            "{problem}"
        );

        file.payments[0].amount = 0;
        assert_eq!(refusal(&file).0, 2);
    }

    #[test]
    fn refuses_holder_name_of_31_characters() {
        let mut file = file();
        file.payments[0].holder_name = "ｱ".repeat(31);
        let (record, problem) = refusal(&file);
        assert_eq!(record, 2);
        assert_eq!(
            problem,
            "payment 1: holder_name (受取人名) is 31 characters long; at most 30 fit"
        );
        file.payments[0].holder_name = "ｱ".repeat(30);
        let bytes = file.to_bytes().unwrap();
        assert_eq!(TransferFile::parse(&bytes).unwrap(), file);
    }

    #[test]
    fn refuses_other_bad_values() {
        let mut file = file();
        file.payments[0].holder_name = "ﾔﾏﾀﾞ ".into();
        assert!(refusal(&file).1.contains("ends with a space"));

        let mut file = self::file();
        file.payments[0].holder_name = String::new();
        assert!(refusal(&file).1.contains("is empty"));

        let mut file = self::file();
        file.header.transfer_date = (2, 30);
        assert!(refusal(&file).1.contains("transfer_date"));
        file.header.transfer_date = (2, 29);
        assert!(file.to_bytes().is_ok());

        let mut file = self::file();
        file.header.requester_code = "12345678901".into();
        assert_eq!(refusal(&file).0, 1);

        let mut file = self::file();
        file.payments[1].branch_code = "12".into();
        assert_eq!(refusal(&file).0, 3);

        let mut file = self::file();
        file.payments[0].customer_code = "REF-0000001".into();
        assert!(refusal(&file).1.contains("customer_code"));

        let mut file = self::file();
        file.payments.clear();
        assert_eq!(refusal(&file).0, 0);
    }

    #[test]
    fn refuses_a_sum_over_twelve_digits() {
        let mut file = file();
        file.payments = vec![payment("ｱ", MAX_AMOUNT); 100];
        assert_eq!(file.total(), 999_999_999_900);
        assert!(file.to_bytes().is_ok());
        file.payments.push(payment("ｱ", MAX_AMOUNT));
        let (record, problem) = refusal(&file);
        assert_eq!(record, 103);
        assert!(problem.contains("合計金額"), "{problem}");
    }

    #[test]
    fn parse_refuses_a_truncated_record() {
        let mut bytes = file().to_bytes().unwrap();
        bytes.remove(122 + 60); // record 2 loses one byte
        assert_eq!(
            parse_refusal(&bytes),
            (2, "is 119 bytes long; a record is 120".into())
        );

        let mut bytes = file().to_bytes().unwrap();
        bytes.truncate(bytes.len() - 5); // the end record cut short, no separator after it
        assert_eq!(
            parse_refusal(&bytes),
            (6, "is 117 bytes long; a record is 120".into())
        );

        let mut bytes = file().to_bytes().unwrap();
        bytes.truncate(4 * 122);
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 0);
        assert!(problem.contains("without a trailer record"), "{problem}");
    }

    #[test]
    fn parse_refuses_wrong_trailer_count_or_total() {
        let good = file().to_bytes().unwrap();

        let mut bytes = good.clone();
        bytes[4 * 122 + 6] = b'4';
        assert_eq!(
            parse_refusal(&bytes),
            (5, "合計件数 is 4, but the file has 3 data records".into())
        );

        let mut bytes = good.clone();
        bytes[4 * 122 + 18] = b'5';
        assert_eq!(
            parse_refusal(&bytes),
            (
                5,
                "合計金額 is 10000112345, but the data records sum to 10000112344".into()
            )
        );

        let mut bytes = good;
        bytes[4 * 122 + 10] = b'X';
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 5);
        assert!(
            problem.starts_with("合計金額 (bytes 7..19) has 'X'"),
            "{problem}"
        );
    }

    #[test]
    fn parse_refuses_a_data_record_after_the_trailer() {
        let good = file().to_bytes().unwrap();
        let mut bytes = good[..122].to_vec(); // header
        bytes.extend_from_slice(&good[122..3 * 122]); // payments 1, 2
        // Trailer for payments 1 and 2.
        let mut trailer = RecordWriter::new(b'8');
        trailer.number(2, 6);
        trailer.number(112_345, 12);
        trailer.spaces(101);
        bytes.extend_from_slice(&trailer.finish());
        bytes.extend_from_slice(b"\r\n");
        bytes.extend_from_slice(&good[3 * 122..4 * 122]); // payment 3, misplaced
        bytes.extend_from_slice(&good[5 * 122..]); // end
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 5);
        assert!(
            problem.starts_with("a data record (2) after the trailer"),
            "{problem}"
        );
    }

    #[test]
    fn parse_refuses_records_out_of_order_or_after_the_end() {
        let good = file().to_bytes().unwrap();

        let mut bytes = good.clone();
        bytes.extend_from_slice(&good[5 * 122..]);
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 7);
        assert!(
            problem.starts_with("a record after the end record"),
            "{problem}"
        );

        let bytes = &good[122..];
        let (record, problem) = parse_refusal(bytes);
        assert_eq!(record, 1);
        assert!(problem.contains("must begin with a header"), "{problem}");

        let mut bytes = good.clone();
        bytes[2 * 122] = b'3';
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 3);
        assert!(problem.starts_with("データ区分 is '3'"), "{problem}");

        let mut bytes = good[..4 * 122].to_vec();
        bytes.extend_from_slice(&good[5 * 122..]); // end without trailer
        assert_eq!(parse_refusal(&bytes).0, 5);

        assert_eq!(parse_refusal(b"").0, 0);
    }

    #[test]
    fn parse_refuses_a_wrong_kind_code() {
        let mut bytes = file().to_bytes().unwrap();
        bytes[1] = b'1'; // 種別コード 11: 給与振込
        assert_eq!(
            parse_refusal(&bytes),
            (
                1,
                "種別コード is 11; only 21 (総合振込) is read here".into()
            )
        );

        let mut bytes = file().to_bytes().unwrap();
        bytes[3] = b'1'; // コード区分 EBCDIC
        assert_eq!(parse_refusal(&bytes).0, 1);
    }

    #[test]
    fn parse_refuses_bad_fields() {
        let good = file().to_bytes().unwrap();

        let mut bytes = good.clone();
        bytes[122 + 42] = b'3';
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 2);
        assert!(problem.starts_with("預金種目 is '3'"), "{problem}");

        let mut bytes = good.clone();
        bytes[2 * 122 + 85] = b' ';
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 3);
        assert!(problem.starts_with("振込金額 (bytes 80..90)"), "{problem}");

        let mut bytes = good.clone();
        bytes[122 + 50] = 0x88; // a Shift_JIS lead byte
        let (record, problem) = parse_refusal(&bytes);
        assert_eq!(record, 2);
        assert!(problem.starts_with("受取人名 (bytes 50..80)"), "{problem}");

        let mut bytes = good;
        bytes[54..58].copy_from_slice(b"1331");
        assert!(parse_refusal(&bytes).1.starts_with("取組日 is 1331"));
    }

    #[test]
    fn parse_accepts_records_without_separators_or_with_lf() {
        let file = file();
        let crlf = file.to_bytes().unwrap();
        let plain: Vec<u8> = crlf
            .chunks(122)
            .flat_map(|line| &line[..120])
            .copied()
            .collect();
        assert_eq!(plain.len(), 6 * 120);
        assert_eq!(TransferFile::parse(&plain).unwrap(), file);

        let lf: Vec<u8> = crlf
            .chunks(122)
            .flat_map(|line| line[..120].iter().chain(b"\n"))
            .copied()
            .collect();
        assert_eq!(TransferFile::parse(&lf).unwrap(), file);

        let mut with_eof = crlf.clone();
        with_eof.push(EOF_MARK);
        assert_eq!(TransferFile::parse(&with_eof).unwrap(), file);

        let mut lone_cr = crlf;
        lone_cr.remove(121); // record 1 ends in CR only
        assert_eq!(parse_refusal(&lone_cr).0, 1);
    }

    #[test]
    fn account_type_codes() {
        for kind in AccountType::ALL {
            assert_eq!(
                AccountType::from_zengin_code(kind.zengin_code()),
                Some(kind)
            );
            assert_eq!(AccountType::from_code(kind.code()), Some(kind));
        }
        assert_eq!(AccountType::ALL.map(AccountType::zengin_code), [1, 2, 4]);
        assert_eq!(
            AccountType::ALL.map(AccountType::code),
            ["ordinary", "current", "savings"]
        );
        assert_eq!(
            AccountType::ALL.map(AccountType::name_ja),
            ["普通", "当座", "貯蓄"]
        );
        assert_eq!(
            AccountType::ALL.map(AccountType::name_en),
            ["Ordinary", "Current", "Savings"]
        );
        assert_eq!(AccountType::from_zengin_code(3), None);
        assert_eq!(AccountType::from_code("Ordinary"), None);
    }
}

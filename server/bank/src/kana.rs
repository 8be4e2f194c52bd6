//! Account holder names (口座名義) as Japanese banks keep them: half-width katakana in the Zengin (全銀)
//! character set.
//!
//! Banks store the holder name of every account in that set and the Zengin transfer record carries it in a
//! 30-byte field, so the portal converts whatever a citizen types (hiragana, full-width katakana, full-width
//! letters, the middle dot of a foreign name, …) the way banks do, and refuses what no bank could hold with a
//! [`NameProblem`] that names the offending characters, to show next to the form field.
//!
//! The conversion ([`to_half_width`]):
//! - hiragana and full-width katakana become half-width katakana; voiced and semi-voiced kana are written as
//!   the base kana followed by `ﾞ` / `ﾟ` (ガ → `ｶﾞ`, パ → `ﾊﾟ`, ヴ → `ｳﾞ`), and combining or spacing marks
//!   (U+3099/U+309A, ゛/゜) become `ﾞ` / `ﾟ`;
//! - small kana become large (ッ → `ﾂ`, ャ → `ﾔ`, ヵ → `ｶ`, ヶ → `ｹ` …), ヰ/ヱ become `ｲ`/`ｴ`, ヲ stays `ｦ`;
//! - the iteration marks ゝゞヽヾ repeat the kana before them (みすゞ → `ﾐｽｽﾞ`);
//! - the long vowel mark and dashes become `-`;
//! - full-width letters and digits become ASCII, letters upper-case;
//! - spaces of any kind and the middle dot become one space, trimmed at both ends;
//! - full-width （）．／，＼ and 「」 become `( ) . / , \ ｢ ｣`, and the yen signs ￥ ¥ become `\` (the same byte
//!   in JIS X 0201);
//! - invisible formatting characters (zero-width space, BOM, soft hyphen, direction marks) are dropped.
//!
//! Everything else is a problem: kanji ([`NameProblem::Kanji`]) or any other character
//! ([`NameProblem::NotAllowed`]).

/// The longest holder name a bank transfer can carry: the 受取人名 field of a Zengin data record is 30 bytes,
/// and every character of the set, `ﾞ` and `ﾟ` included, is one byte.
pub const HOLDER_NAME_MAX: usize = 30;

/// Why a typed name cannot be a bank holder name, or why it is not the citizen's own.
///
/// Each variant says what to show the citizen through [`NameProblem::message_ja`] and
/// [`NameProblem::message_en`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    /// Nothing but spaces (or nothing at all) was entered.
    Empty,
    /// The converted name is longer than the Zengin field; `length` counts half-width characters.
    TooLong { length: usize, max: usize },
    /// Kanji were typed: banks keep names in kana only. `chars` lists them once each, in order.
    Kanji { chars: String },
    /// Other characters outside the Zengin set (emoji, ☆, accented letters, full-width ！ …), once each,
    /// in order of appearance; a character with its accents or an emoji sequence counts as one.
    NotAllowed { chars: String },
    /// The holder name is not the citizen's registered kana name.
    Mismatch,
}

impl NameProblem {
    /// The message to show next to the field, in Japanese.
    pub fn message_ja(&self) -> String {
        match self {
            Self::Empty => {
                "口座名義が入力されていません。通帳に記載のとおり、カタカナで入力してください。"
                    .to_string()
            }
            Self::TooLong { length, max } => format!(
                "口座名義が長すぎます（半角{length}文字）。半角{max}文字以内で入力してください。\
                 スペースや濁点（ﾞ）・半濁点（ﾟ）も1文字と数えます。"
            ),
            Self::Kanji { chars } => format!(
                "漢字（{}）は使えません。口座名義はカタカナで、通帳に記載のとおり入力してください。",
                shown(chars)
            ),
            Self::NotAllowed { chars } => format!(
                "口座名義に使えない文字（{}）が含まれています。カタカナ、英字、数字、スペースと記号\
                 「( ) - . / ,」だけを使い、通帳に記載のとおり入力してください。",
                shown(chars)
            ),
            Self::Mismatch => "口座名義がマイナンバーカードの氏名（フリガナ）と一致しません。\
                               公金受取口座はご本人名義の口座のみ登録できます。"
                .to_string(),
        }
    }

    /// The message to show next to the field, in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Empty => "The account holder's name is empty. Enter it in katakana, as it appears in your \
                            bankbook."
                .to_string(),
            Self::TooLong { length, max } => format!(
                "The account holder's name is too long: {length} half-width characters, but at most {max} \
                 are allowed. Spaces and the voiced marks ﾞ and ﾟ count as one character each."
            ),
            Self::Kanji { chars } => format!(
                "Kanji ({}) cannot be used. Enter the account holder's name in katakana, as it appears in \
                 your bankbook.",
                shown(chars)
            ),
            Self::NotAllowed { chars } => format!(
                "These characters cannot be used in the account holder's name: {}. Use only katakana, \
                 Latin letters without accents, digits, spaces and the symbols ( ) - . / , and enter the \
                 name as it appears in your bankbook.",
                shown(chars)
            ),
            Self::Mismatch => "The account holder's name does not match the name (in kana) registered on \
                               your My Number Card. Only an account in your own name can be registered for \
                               receiving public funds."
                .to_string(),
        }
    }
}

/// Converts a typed holder name to the form banks keep: half-width Zengin characters, at most
/// [`HOLDER_NAME_MAX`] of them.
pub fn to_zengin(input: &str) -> Result<String, NameProblem> {
    let name = to_half_width(input)?;
    let length = name.chars().count();
    if length > HOLDER_NAME_MAX {
        return Err(NameProblem::TooLong {
            length,
            max: HOLDER_NAME_MAX,
        });
    }
    Ok(name)
}

/// The conversion of [`to_zengin`] without its length limit, for bank and branch names in transfer files
/// (they come as full-width katakana, e.g. ミツビシユ－エフジエイ → `ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ`).
pub fn to_half_width(input: &str) -> Result<String, NameProblem> {
    let mut out = String::with_capacity(input.len());
    let mut kanji = Offenders::default();
    let mut other = Offenders::default();
    // Spaces are written only once something follows them: this collapses runs and trims both ends.
    let mut space_pending = false;
    for cluster in clusters(input) {
        let mut chars = cluster.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else {
            // A character with accents, an emoji sequence or a kanji with a variation selector.
            if cluster.chars().next().is_some_and(is_kanji) {
                kanji.add(cluster);
            } else {
                other.add(cluster);
            }
            continue;
        };
        match convert(c) {
            Converted::Space => space_pending = !out.is_empty(),
            Converted::Kanji => kanji.add(cluster),
            Converted::NotAllowed => other.add(cluster),
            Converted::Repeat { voiced } => match kana_before(&out) {
                // After a space there is nothing to repeat.
                Some(base) if !space_pending => {
                    out.push(base);
                    if voiced {
                        out.push('ﾞ');
                    }
                }
                _ => other.add(cluster),
            },
            Converted::Char(c) => {
                write_pending_space(&mut out, &mut space_pending);
                out.push(c);
            }
            Converted::Kana(kana) => {
                write_pending_space(&mut out, &mut space_pending);
                out.push_str(kana);
            }
        }
    }
    if !kanji.chars.is_empty() {
        Err(NameProblem::Kanji { chars: kanji.chars })
    } else if !other.chars.is_empty() {
        Err(NameProblem::NotAllowed { chars: other.chars })
    } else if out.is_empty() {
        Err(NameProblem::Empty)
    } else {
        Ok(out)
    }
}

/// Checks that the typed holder name is the citizen's own: both it and the registered kana name (full-width
/// katakana with a space between surname and given name, e.g. "ヤマダ ハナコ") are converted, then compared
/// without their spaces, since banks space names differently (or not at all).
///
/// Returns the converted holder name, spaced as typed. A problem with the typed name is returned as is; a
/// registered name that cannot be converted matches nothing, so it gives [`NameProblem::Mismatch`].
pub fn same_holder(holder: &str, registered_kana: &str) -> Result<String, NameProblem> {
    let typed = to_zengin(holder)?;
    let registered = to_half_width(registered_kana).map_err(|_| NameProblem::Mismatch)?;
    let unspaced = |s: &str| s.chars().filter(|&c| c != ' ').collect::<String>();
    if unspaced(&typed) == unspaced(&registered) {
        Ok(typed)
    } else {
        Err(NameProblem::Mismatch)
    }
}

fn write_pending_space(out: &mut String, space_pending: &mut bool) {
    if *space_pending {
        out.push(' ');
        *space_pending = false;
    }
}

/// Offending characters, each listed once, in order of appearance.
#[derive(Default)]
struct Offenders<'a> {
    seen: Vec<&'a str>,
    chars: String,
}

impl<'a> Offenders<'a> {
    fn add(&mut self, cluster: &'a str) {
        if !self.seen.contains(&cluster) {
            self.seen.push(cluster);
            self.chars.push_str(cluster);
        }
    }
}

/// What one typed character becomes.
enum Converted {
    /// One character of the set.
    Char(char),
    /// Half-width kana, with its voiced mark if any.
    Kana(&'static str),
    /// A space or a separator standing for one.
    Space,
    /// An iteration mark (ゝゞヽヾ): the kana before it again, voiced or not.
    Repeat {
        voiced: bool,
    },
    Kanji,
    NotAllowed,
}

/// The conversion of a single character, as banks apply it.
fn convert(c: char) -> Converted {
    use Converted::*;
    match c {
        '0'..='9' | 'A'..='Z' | '(' | ')' | '-' | '.' | '/' | ',' | '\\' => Char(c),
        'a'..='z' => Char(c.to_ascii_uppercase()),
        // Full-width digits and letters sit 0xFEE0 above ASCII.
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => match char::from_u32(c as u32 - 0xFEE0) {
            Some(ascii) => Char(ascii.to_ascii_uppercase()),
            None => NotAllowed,
        },
        '（' => Char('('),
        '）' => Char(')'),
        '．' => Char('.'),
        '／' => Char('/'),
        '，' => Char(','),
        // JIS X 0201 has the yen sign where ASCII has the backslash: banks print `\` as ¥.
        '＼' | '￥' | '¥' => Char('\\'),
        '「' | '｢' => Char('｢'),
        '」' | '｣' => Char('｣'),
        // The Zengin set has no long vowel mark: banks write the hyphen.
        'ー' | 'ｰ' | '－' | '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' => Char('-'),
        '\u{3099}' | '\u{309B}' | 'ﾞ' => Char('ﾞ'),
        '\u{309A}' | '\u{309C}' | 'ﾟ' => Char('ﾟ'),
        'ｦ' | 'ｱ'..='ﾝ' => Char(c),
        // The middle dot separates the parts of foreign names; banks write a space.
        '・' | '･' | '·' => Space,
        c if c.is_whitespace() => Space,
        'ゝ' | 'ヽ' => Repeat { voiced: false },
        'ゞ' | 'ヾ' => Repeat { voiced: true },
        // Hiragana sit 0x60 below their katakana (ぁ..ゖ → ァ..ヶ).
        'ぁ'..='ゖ' => char::from_u32(c as u32 + 0x60)
            .and_then(half_width_kana)
            .map_or(NotAllowed, Kana),
        c if is_kanji(c) => Kanji,
        c => half_width_kana(c).map_or(NotAllowed, Kana),
    }
}

/// Full-width katakana (and half-width small kana) to the half-width form banks keep: small kana large,
/// voiced kana as base + `ﾞ`/`ﾟ`, the obsolete ヰヱ as `ｲ`/`ｴ`.
fn half_width_kana(c: char) -> Option<&'static str> {
    Some(match c {
        'ァ' | 'ア' | 'ｧ' => "ｱ",
        'ィ' | 'イ' | 'ヰ' | 'ｨ' => "ｲ",
        'ゥ' | 'ウ' | 'ｩ' => "ｳ",
        'ェ' | 'エ' | 'ヱ' | 'ｪ' => "ｴ",
        'ォ' | 'オ' | 'ｫ' => "ｵ",
        'ヴ' => "ｳﾞ",
        'ヵ' | 'カ' => "ｶ",
        'ガ' => "ｶﾞ",
        'キ' => "ｷ",
        'ギ' => "ｷﾞ",
        'ク' => "ｸ",
        'グ' => "ｸﾞ",
        'ヶ' | 'ケ' => "ｹ",
        'ゲ' => "ｹﾞ",
        'コ' => "ｺ",
        'ゴ' => "ｺﾞ",
        'サ' => "ｻ",
        'ザ' => "ｻﾞ",
        'シ' => "ｼ",
        'ジ' => "ｼﾞ",
        'ス' => "ｽ",
        'ズ' => "ｽﾞ",
        'セ' => "ｾ",
        'ゼ' => "ｾﾞ",
        'ソ' => "ｿ",
        'ゾ' => "ｿﾞ",
        'タ' => "ﾀ",
        'ダ' => "ﾀﾞ",
        'チ' => "ﾁ",
        'ヂ' => "ﾁﾞ",
        'ッ' | 'ツ' | 'ｯ' => "ﾂ",
        'ヅ' => "ﾂﾞ",
        'テ' => "ﾃ",
        'デ' => "ﾃﾞ",
        'ト' => "ﾄ",
        'ド' => "ﾄﾞ",
        'ナ' => "ﾅ",
        'ニ' => "ﾆ",
        'ヌ' => "ﾇ",
        'ネ' => "ﾈ",
        'ノ' => "ﾉ",
        'ハ' => "ﾊ",
        'バ' => "ﾊﾞ",
        'パ' => "ﾊﾟ",
        'ヒ' => "ﾋ",
        'ビ' => "ﾋﾞ",
        'ピ' => "ﾋﾟ",
        'フ' => "ﾌ",
        'ブ' => "ﾌﾞ",
        'プ' => "ﾌﾟ",
        'ヘ' => "ﾍ",
        'ベ' => "ﾍﾞ",
        'ペ' => "ﾍﾟ",
        'ホ' => "ﾎ",
        'ボ' => "ﾎﾞ",
        'ポ' => "ﾎﾟ",
        'マ' => "ﾏ",
        'ミ' => "ﾐ",
        'ム' => "ﾑ",
        'メ' => "ﾒ",
        'モ' => "ﾓ",
        'ャ' | 'ヤ' | 'ｬ' => "ﾔ",
        'ュ' | 'ユ' | 'ｭ' => "ﾕ",
        'ョ' | 'ヨ' | 'ｮ' => "ﾖ",
        'ラ' => "ﾗ",
        'リ' => "ﾘ",
        'ル' => "ﾙ",
        'レ' => "ﾚ",
        'ロ' => "ﾛ",
        'ヮ' | 'ワ' => "ﾜ",
        'ヲ' => "ｦ",
        'ン' => "ﾝ",
        'ヷ' => "ﾜﾞ",
        'ヸ' => "ｲﾞ",
        'ヹ' => "ｴﾞ",
        'ヺ' => "ｦﾞ",
        _ => return None,
    })
}

/// The half-width kana an iteration mark repeats: the last one written, without its voiced mark.
fn kana_before(out: &str) -> Option<char> {
    let mut rev = out.chars().rev();
    let last = match rev.next()? {
        'ﾞ' | 'ﾟ' => rev.next()?,
        c => c,
    };
    matches!(last, 'ｦ' | 'ｱ'..='ﾝ').then_some(last)
}

/// CJK ideographs, with the marks that only appear among them (々 in 佐々木, 〆, 〇) and the radicals that
/// copying from a PDF sometimes yields instead of the kanji: all mean "the name was typed in kanji".
fn is_kanji(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'      // CJK radicals, Kangxi radicals
        | '\u{3005}'..='\u{3007}'    // 々 〆 〇
        | '\u{3400}'..='\u{4DBF}'    // extension A
        | '\u{4E00}'..='\u{9FFF}'    // unified ideographs
        | '\u{F900}'..='\u{FAFF}'    // compatibility ideographs
        | '\u{20000}'..='\u{3FFFF}') // extensions B and later, compatibility supplement
}

/// Marks that change the look of the character before them (é typed as e + U+0301).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Invisible formatting that copy and paste carries along; it is no part of a name and is dropped (unless
/// it belongs to an emoji or a kanji, which are refused whole).
fn is_ignorable(c: char) -> bool {
    is_variation_selector(c)
        || matches!(c,
            '\u{00AD}'                   // soft hyphen
            | '\u{034F}'                 // combining grapheme joiner
            | '\u{200B}'..='\u{200F}'    // zero-width space, joiners, direction marks
            | '\u{2060}'..='\u{2064}'    // word joiner, invisible operators
            | '\u{FEFF}'                 // byte order mark
            | '\u{E0000}'..='\u{E007F}') // tags
}

/// Symbols and emoji: the bases of sequences joined by ZWJ, skin tones, tags and flags.
fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{2190}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Splits the input into what a reader sees as one character, so that a problem names "é" or "👨‍👩‍👧"
/// rather than their invisible parts. Ignorable formatting characters are skipped.
fn clusters(input: &str) -> impl Iterator<Item = &str> {
    let mut rest = input;
    std::iter::from_fn(move || {
        loop {
            let mut chars = rest.chars();
            let base = chars.next()?;
            if is_ignorable(base) {
                rest = chars.as_str();
                continue;
            }
            let emoji = is_pictograph(base);
            let kanji = is_kanji(base);
            let mut flag_open = is_regional_indicator(base);
            let mut join_next = false;
            let mut after = chars.as_str();
            let mut peek = after.chars();
            while let Some(c) = peek.next() {
                let belongs = join_next
                    || is_combining_mark(c)
                    || (is_variation_selector(c) && (emoji || kanji))
                    || (emoji && (c == '\u{200D}' || ('\u{1F3FB}'..='\u{1F3FF}').contains(&c)))
                    || (emoji && ('\u{E0020}'..='\u{E007F}').contains(&c))
                    || (flag_open && is_regional_indicator(c));
                if !belongs {
                    break;
                }
                flag_open = false;
                join_next = emoji && c == '\u{200D}';
                after = peek.as_str();
            }
            let (cluster, tail) = rest.split_at(rest.len() - after.len());
            rest = tail;
            return Some(cluster);
        }
    })
}

/// Offending characters as a message shows them: control characters by their code point, a combining mark
/// with nothing to sit on over a dotted circle.
fn shown(chars: &str) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut previous: Option<char> = None;
    for c in chars.chars() {
        if c.is_control() {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            if is_combining_mark(c) && previous.is_none_or(char::is_whitespace) {
                out.push('◌');
            }
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        match to_zengin(input) {
            Ok(name) => name,
            Err(problem) => panic!("{input:?}: {problem:?}"),
        }
    }

    fn kanji(chars: &str) -> Result<String, NameProblem> {
        Err(NameProblem::Kanji {
            chars: chars.to_string(),
        })
    }

    fn not_allowed(chars: &str) -> Result<String, NameProblem> {
        Err(NameProblem::NotAllowed {
            chars: chars.to_string(),
        })
    }

    /// The Zengin set as documented: digits, upper-case letters, ｦ and ｱ–ﾝ, the voiced marks, space and
    /// ( ) - . / ｢ ｣ , \.
    fn in_set(c: char) -> bool {
        matches!(c,
            '0'..='9' | 'A'..='Z' | 'ｦ' | 'ｱ'..='ﾝ' | 'ﾞ' | 'ﾟ'
            | ' ' | '(' | ')' | '-' | '.' | '/' | '｢' | '｣' | ',' | '\\')
    }

    #[test]
    fn katakana_hiragana_and_half_width_give_the_same_name() {
        assert_eq!(ok("ヤマダ ハナコ"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("やまだ はなこ"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("ﾔﾏﾀﾞ ﾊﾅｺ"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("ヤマダ　ハナコ"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("やまだ　ハナコ"), "ﾔﾏﾀﾞ ﾊﾅｺ");
    }

    #[test]
    fn voiced_and_semi_voiced_kana_are_split() {
        assert_eq!(ok("ガ"), "ｶﾞ");
        assert_eq!(ok("パ"), "ﾊﾟ");
        assert_eq!(ok("ヴ"), "ｳﾞ");
        assert_eq!(ok("ゔ"), "ｳﾞ");
        assert_eq!(ok("ヴィヴィアン ヴェルヌ"), "ｳﾞｲｳﾞｲｱﾝ ｳﾞｴﾙﾇ");
        assert_eq!(ok("ぱぴぷぺぽ ばびぶべぼ"), "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ");
        assert_eq!(ok("ヂヅ"), "ﾁﾞﾂﾞ");
        assert_eq!(ok("ヷヸヹヺ"), "ﾜﾞｲﾞｴﾞｦﾞ");
    }

    #[test]
    fn decomposed_voiced_marks_are_accepted() {
        assert_eq!(ok("カ\u{3099}"), "ｶﾞ");
        assert_eq!(ok("ハ\u{309A}"), "ﾊﾟ");
        assert_eq!(ok("か\u{309B}"), "ｶﾞ");
        assert_eq!(ok("は\u{309C}"), "ﾊﾟ");
        assert_eq!(ok("ヤマタ\u{3099} ハナコ"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("ｶ\u{3099}"), "ｶﾞ");
    }

    #[test]
    fn small_kana_become_large() {
        assert_eq!(ok("ｷｯﾄﾞ"), "ｷﾂﾄﾞ");
        assert_eq!(ok("キッド"), "ｷﾂﾄﾞ");
        assert_eq!(ok("ァィゥェォッャュョヮヵヶ"), "ｱｲｳｴｵﾂﾔﾕﾖﾜｶｹ");
        assert_eq!(ok("ぁぃぅぇぉっゃゅょゎゕゖ"), "ｱｲｳｴｵﾂﾔﾕﾖﾜｶｹ");
        assert_eq!(ok("ｧｨｩｪｫｯｬｭｮ"), "ｱｲｳｴｵﾂﾔﾕﾖ");
        assert_eq!(ok("シュウジ ハットリ"), "ｼﾕｳｼﾞ ﾊﾂﾄﾘ");
    }

    #[test]
    fn obsolete_kana_and_wo() {
        assert_eq!(ok("ヰヱヲ"), "ｲｴｦ");
        assert_eq!(ok("ゐゑを"), "ｲｴｦ");
        assert_eq!(ok("ｦ"), "ｦ");
    }

    #[test]
    fn iteration_marks_repeat_the_kana_before() {
        assert_eq!(ok("カネコ ミスゞ"), "ｶﾈｺ ﾐｽｽﾞ");
        assert_eq!(ok("さゝき"), "ｻｻｷ");
        assert_eq!(ok("ぶゝ"), "ﾌﾞﾌ");
        assert_eq!(ok("ハヾ"), "ﾊﾊﾞ");
        assert_eq!(to_zengin("ゞ"), not_allowed("ゞ"));
        assert_eq!(to_zengin("ヤマダ ヽコ"), not_allowed("ヽ"));
    }

    #[test]
    fn long_vowel_and_dashes_become_hyphen() {
        assert_eq!(ok("ユーコ"), "ﾕ-ｺ");
        assert_eq!(ok("ゆーこ"), "ﾕ-ｺ");
        assert_eq!(ok("ﾕｰｺ"), "ﾕ-ｺ");
        for dash in ['－', '‐', '―', '−', '‑', '‒', '–', '—', '-'] {
            assert_eq!(ok(&format!("ユ{dash}コ")), "ﾕ-ｺ", "{dash:?}");
        }
    }

    #[test]
    fn letters_and_digits_become_ascii_upper_case() {
        assert_eq!(ok("ＡＢＣ"), "ABC");
        assert_eq!(ok("ａｂｃ"), "ABC");
        assert_eq!(ok("abc"), "ABC");
        assert_eq!(ok("Ｓｍｉｔｈ Ｊｏｈｎ"), "SMITH JOHN");
        assert_eq!(ok("０１２３４５６７８９"), "0123456789");
        assert_eq!(ok("ＡＢＣショウジ"), "ABCｼﾖｳｼﾞ");
    }

    #[test]
    fn middle_dots_and_spaces_become_one_space() {
        assert_eq!(ok("ジョン・スミス"), "ｼﾞﾖﾝ ｽﾐｽ");
        assert_eq!(ok("ｼﾞｮﾝ･ｽﾐｽ"), "ｼﾞﾖﾝ ｽﾐｽ");
        assert_eq!(ok("ジョン · スミス"), "ｼﾞﾖﾝ ｽﾐｽ");
        assert_eq!(ok("  ヤマダ　　ハナコ  "), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("ヤマダ ・ ハナコ"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("・ヤマダ\tハナコ・"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("ジョン・Ｆ・ケネディ"), "ｼﾞﾖﾝ F ｹﾈﾃﾞｲ");
    }

    #[test]
    fn symbols_become_half_width() {
        assert_eq!(ok("カ）ヤマダシヨウテン"), "ｶ)ﾔﾏﾀﾞｼﾖｳﾃﾝ");
        assert_eq!(ok("（カ）ヤマダ"), "(ｶ)ﾔﾏﾀﾞ");
        assert_eq!(ok("．／，「」"), "./,｢｣");
        assert_eq!(ok("()./,｢｣\\"), "()./,｢｣\\");
        assert_eq!(ok("＼￥¥"), "\\\\\\");
    }

    #[test]
    fn invisible_formatting_is_dropped() {
        assert_eq!(ok("ヤマダ\u{200B}ハナコ"), "ﾔﾏﾀﾞﾊﾅｺ");
        assert_eq!(ok("\u{FEFF}ヤマダ ハナコ\u{200E}"), "ﾔﾏﾀﾞ ﾊﾅｺ");
        assert_eq!(ok("ヤ\u{FE0F}マ\u{200D}ダ"), "ﾔﾏﾀﾞ");
    }

    #[test]
    fn empty_names_are_refused() {
        for input in ["", "   ", "　", "・", " ･ ", "\u{200B}"] {
            assert_eq!(to_zengin(input), Err(NameProblem::Empty), "{input:?}");
        }
    }

    #[test]
    fn kanji_are_refused_once_each_in_order() {
        assert_eq!(to_zengin("山田"), kanji("山田"));
        assert_eq!(to_zengin("山田 花子"), kanji("山田花子"));
        assert_eq!(to_zengin("佐々木"), kanji("佐々木"));
        assert_eq!(to_zengin("山田はなこ"), kanji("山田"));
        assert_eq!(to_zengin("山山 田山"), kanji("山田"));
        assert_eq!(to_zengin("𠮷田"), kanji("𠮷田"));
        assert_eq!(to_zengin("葛\u{E0100}城"), kanji("葛\u{E0100}城"));
        // Kanji come first: writing the name in kana is the fix most likely to be needed.
        assert_eq!(to_zengin("山田☆"), kanji("山田"));
    }

    #[test]
    fn other_characters_are_refused_once_each_in_order() {
        assert_eq!(to_zengin("ヤマダ☆ハナコ☆"), not_allowed("☆"));
        assert_eq!(to_zengin("JOSÉ"), not_allowed("É"));
        assert_eq!(to_zengin("josé garcía"), not_allowed("éí"));
        assert_eq!(to_zengin("JOSE\u{301}"), not_allowed("E\u{301}"));
        assert_eq!(to_zengin("ハナコ😀"), not_allowed("😀"));
        assert_eq!(
            to_zengin("ハナコ👨\u{200D}👩\u{200D}👧"),
            not_allowed("👨\u{200D}👩\u{200D}👧")
        );
        assert_eq!(to_zengin("ハナコ👍🏽"), not_allowed("👍🏽"));
        assert_eq!(to_zengin("ハナコ🇯🇵"), not_allowed("🇯🇵"));
        assert_eq!(to_zengin("ハナコ❤\u{FE0F}"), not_allowed("❤\u{FE0F}"));
        assert_eq!(to_zengin("ヤマダ！"), not_allowed("！"));
        assert_eq!(to_zengin("ヤマダ、ハナコ。"), not_allowed("、。"));
        assert_eq!(to_zengin("ﾔﾏﾀﾞ､ﾊﾅｺ｡"), not_allowed("､｡"));
        assert_eq!(to_zengin("ユ～コ"), not_allowed("～"));
        assert_eq!(to_zengin("O'BRIEN & CO"), not_allowed("'&"));
        assert_eq!(to_zengin("ヤマダ\u{7}"), not_allowed("\u{7}"));
    }

    #[test]
    fn thirty_characters_fit_thirty_one_do_not() {
        let thirty = "ア".repeat(30);
        assert_eq!(ok(&thirty), "ｱ".repeat(30));
        assert_eq!(
            to_zengin(&"ア".repeat(31)),
            Err(NameProblem::TooLong {
                length: 31,
                max: 30
            })
        );
    }

    #[test]
    fn voiced_marks_and_spaces_count_towards_the_limit() {
        let fits = format!("{}ガ", "ア".repeat(28));
        assert_eq!(ok(&fits), format!("{}ｶﾞ", "ｱ".repeat(28)));
        let over = format!("{}ガ", "ア".repeat(29));
        assert_eq!(
            to_zengin(&over),
            Err(NameProblem::TooLong {
                length: 31,
                max: 30
            })
        );
        let spaced = format!("{} {}", "ア".repeat(15), "イ".repeat(15));
        assert_eq!(
            to_zengin(&spaced),
            Err(NameProblem::TooLong {
                length: 31,
                max: 30
            })
        );
        // Collapsed and trimmed spaces do not count.
        let trimmed = format!("  {}　　{}  ", "ア".repeat(14), "イ".repeat(15));
        assert_eq!(ok(&trimmed).chars().count(), 30);
    }

    #[test]
    fn bank_names_have_no_length_limit() {
        assert_eq!(
            to_half_width("ミツビシユ－エフジエイ").as_deref(),
            Ok("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ")
        );
        let long = "シンキンチユウオウキンコ".repeat(3);
        assert_eq!(
            to_half_width(&long).as_deref(),
            Ok("ｼﾝｷﾝﾁﾕｳｵｳｷﾝｺ".repeat(3).as_str())
        );
        assert_eq!(to_half_width(""), Err(NameProblem::Empty));
        assert_eq!(to_half_width("三菱"), kanji("三菱"));
    }

    #[test]
    fn messages_say_what_is_wrong() {
        assert_eq!(
            NameProblem::Empty.message_ja(),
            "口座名義が入力されていません。通帳に記載のとおり、カタカナで入力してください。"
        );
        assert_eq!(
            NameProblem::Empty.message_en(),
            "The account holder's name is empty. Enter it in katakana, as it appears in your bankbook."
        );
        let too_long = NameProblem::TooLong {
            length: 31,
            max: 30,
        };
        assert_eq!(
            too_long.message_ja(),
            "口座名義が長すぎます（半角31文字）。半角30文字以内で入力してください。\
             スペースや濁点（ﾞ）・半濁点（ﾟ）も1文字と数えます。"
        );
        assert_eq!(
            too_long.message_en(),
            "The account holder's name is too long: 31 half-width characters, but at most 30 are \
             allowed. Spaces and the voiced marks ﾞ and ﾟ count as one character each."
        );
        let Err(problem) = to_zengin("山田 ハナコ") else {
            panic!("kanji accepted");
        };
        assert_eq!(
            problem.message_ja(),
            "漢字（山田）は使えません。口座名義はカタカナで、通帳に記載のとおり入力してください。"
        );
        assert_eq!(
            problem.message_en(),
            "Kanji (山田) cannot be used. Enter the account holder's name in katakana, as it appears in \
             your bankbook."
        );
        let Err(problem) = to_zengin("ヤマダ☆ハナコ😀") else {
            panic!("symbols accepted");
        };
        assert_eq!(
            problem.message_ja(),
            "口座名義に使えない文字（☆😀）が含まれています。カタカナ、英字、数字、スペースと記号\
             「( ) - . / ,」だけを使い、通帳に記載のとおり入力してください。"
        );
        assert_eq!(
            problem.message_en(),
            "These characters cannot be used in the account holder's name: ☆😀. Use only katakana, Latin \
             letters without accents, digits, spaces and the symbols ( ) - . / , and enter the name as it \
             appears in your bankbook."
        );
        assert_eq!(
            NameProblem::Mismatch.message_ja(),
            "口座名義がマイナンバーカードの氏名（フリガナ）と一致しません。\
             公金受取口座はご本人名義の口座のみ登録できます。"
        );
        assert_eq!(
            NameProblem::Mismatch.message_en(),
            "The account holder's name does not match the name (in kana) registered on your My Number \
             Card. Only an account in your own name can be registered for receiving public funds."
        );
    }

    #[test]
    fn messages_show_invisible_characters() {
        let control = NameProblem::NotAllowed {
            chars: "\u{7}".to_string(),
        };
        assert!(control.message_en().contains(": U+0007."));
        assert!(control.message_ja().contains("（U+0007）"));
        let result = to_zengin("\u{301}ヤマダ");
        assert_eq!(result, not_allowed("\u{301}"));
        let Err(problem) = result else {
            panic!("lone accent accepted");
        };
        assert!(problem.message_ja().contains("（◌\u{301}）"));
        assert!(problem.message_en().contains(": ◌\u{301}."));
    }

    #[test]
    fn same_holder_accepts_the_citizens_own_name() {
        assert_eq!(
            same_holder("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ ハナコ").as_deref(),
            Ok("ﾔﾏﾀﾞ ﾊﾅｺ")
        );
        assert_eq!(
            same_holder("やまだ　はなこ", "ヤマダ ハナコ").as_deref(),
            Ok("ﾔﾏﾀﾞ ﾊﾅｺ")
        );
        assert_eq!(
            same_holder("ヤマダハナコ", "ヤマダ ハナコ").as_deref(),
            Ok("ﾔﾏﾀﾞﾊﾅｺ")
        );
        assert_eq!(
            same_holder("ﾔﾏ ﾀﾞﾊﾅｺ", "ヤマダ　ハナコ").as_deref(),
            Ok("ﾔﾏ ﾀﾞﾊﾅｺ")
        );
        // Banks write small kana and the long vowel their way; the registered name gets the same treatment.
        assert_eq!(
            same_holder("ｷﾂﾄﾞ ｼﾞﾖﾝ", "キッド ジョン").as_deref(),
            Ok("ｷﾂﾄﾞ ｼﾞﾖﾝ")
        );
        assert_eq!(
            same_holder("ｻﾄｳ ﾕ-ｺ", "サトウ ユーコ").as_deref(),
            Ok("ｻﾄｳ ﾕ-ｺ")
        );
        assert_eq!(
            same_holder("ｽﾐｽ ｼﾞﾖﾝ", "スミス・ジョン").as_deref(),
            Ok("ｽﾐｽ ｼﾞﾖﾝ")
        );
    }

    #[test]
    fn same_holder_refuses_another_persons_account() {
        assert_eq!(
            same_holder("ヤマダ タロウ", "ヤマダ ハナコ"),
            Err(NameProblem::Mismatch)
        );
        assert_eq!(
            same_holder("ヤマダ", "ヤマダ ハナコ"),
            Err(NameProblem::Mismatch)
        );
        assert_eq!(
            same_holder("ヤマダ ハナコ", "ヤマダ ハナ"),
            Err(NameProblem::Mismatch)
        );
        assert_eq!(
            same_holder("ハナコ ヤマダ", "ヤマダ ハナコ"),
            Err(NameProblem::Mismatch)
        );
    }

    #[test]
    fn same_holder_reports_the_typed_names_problem_first() {
        assert_eq!(same_holder("山田 花子", "ヤマダ ハナコ"), kanji("山田花子"));
        assert_eq!(same_holder("", "ヤマダ ハナコ"), Err(NameProblem::Empty));
        assert_eq!(same_holder("ヤマダ☆", "ヤマダ ハナコ"), not_allowed("☆"));
        assert_eq!(
            same_holder(&"ア".repeat(31), &"ア".repeat(31)),
            Err(NameProblem::TooLong {
                length: 31,
                max: 30
            })
        );
    }

    #[test]
    fn same_holder_treats_an_unusable_registered_name_as_a_mismatch() {
        assert_eq!(
            same_holder("ﾔﾏﾀﾞ ﾊﾅｺ", "山田 花子"),
            Err(NameProblem::Mismatch)
        );
        assert_eq!(same_holder("ﾔﾏﾀﾞ ﾊﾅｺ", ""), Err(NameProblem::Mismatch));
        assert_eq!(
            same_holder("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ☆ハナコ"),
            Err(NameProblem::Mismatch)
        );
    }

    /// Whatever a single character becomes lies in the Zengin set, and converting it again changes nothing.
    #[test]
    fn every_character_converts_into_the_set_or_is_refused() {
        let mut accepted = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let Ok(converted) = to_half_width(&c.to_string()) else {
                continue;
            };
            accepted += 1;
            assert!(converted.chars().all(in_set), "{c:?} → {converted:?}");
            assert_eq!(to_half_width(&converted).as_ref(), Ok(&converted), "{c:?}");
        }
        // The rules add up to: ASCII 69 (digits, both cases, 7 symbols), full-width 70 (digits, both cases,
        // （）．／，＼￥ and ¥), brackets 4, long vowel and dashes 10, voiced marks 6, half-width ｦ and ｱ–ﾝ 46,
        // hiragana ぁ–ゖ 86, katakana ァ–ヺ 90, half-width small kana 9.
        assert_eq!(accepted, 390);
    }

    #[test]
    fn every_character_of_the_set_is_kept() {
        for c in (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| in_set(c) && c != ' ')
        {
            assert_eq!(to_half_width(&c.to_string()), Ok(c.to_string()), "{c:?}");
        }
    }
}

//! Every bank and branch a refund account can be held at, from the zengin-code data, and what changed
//! between two copies of it.
//!
//! The portal keeps no bank table of its own: the table is the zengin-code data bundled with the `zengin`
//! crate ([`Directory::bundled`]) or a newer copy of that data folder an operator imports
//! ([`Directory::from_folder`]). Registered accounts refer to a bank code, a branch code and the branch
//! kana; [`changes`] lists the ones a newer table breaks, so those citizens are asked to register again.
//!
//! The search helpers ([`Directory::find_banks`], [`Directory::find_branches`]) serve the account form,
//! where people type a bank as "みずほ", "ミズホ", "ﾐｽﾞﾎ", "みずほ銀行" or "0001".

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::BankError;

/// The date of the zengin-code data bundled with zengin 1.1.1 (its `source-data/data/updated_at`). The
/// crate does not expose the file, so the date is written here; update it with the crate.
const BUNDLED_VERSION: &str = "20250610";

/// The version of a folder without an `updated_at` file.
const UNKNOWN_VERSION: &str = "unknown";

/// A financial institution with a 4-digit Zengin code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bank {
    /// 4 digits, e.g. `0001`.
    pub code: String,
    /// Short name as the data gives it, without 銀行 (`みずほ`, `北海道信金`).
    pub name: String,
    /// Full-width katakana, in the bank style (no small kana): what transfer files carry.
    pub kana: String,
    /// The kana in hiragana, for search.
    pub hira: String,
}

/// A branch (支店, 出張所, 営業部…) of a bank, with a 3-digit code unique within the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// The code of the bank the branch belongs to.
    pub bank_code: String,
    /// 3 digits, e.g. `001`.
    pub code: String,
    /// Name as the data gives it, without 支店 (`東京営業部`, `新宿`).
    pub name: String,
    /// Full-width katakana, in the bank style; accounts are checked against it.
    pub kana: String,
    /// The kana in hiragana, for search.
    pub hira: String,
}

/// The whole table. Banks are sorted by code and branches by bank code then code, so lookups are binary
/// searches; the constructors guarantee it, and code building one by hand must keep it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// The data's `updated_at` (e.g. `20250610`), or `unknown`.
    pub version: String,
    /// Sorted by code.
    pub banks: Vec<Bank>,
    /// Sorted by bank code, then code.
    pub branches: Vec<Branch>,
}

/// A registered (bank, branch) pair that a newer table no longer supports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchChange {
    pub bank_code: String,
    pub branch_code: String,
    pub what: Change,
}

/// Why an account at a branch must be registered again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// The bank code is gone (merger, closure): payments to it would be refused.
    BankGone,
    /// The bank remains but the branch code is gone (branch merged or renumbered).
    BranchGone,
    /// The branch kana changed; the account's recorded branch no longer matches what banks check.
    BranchKanaChanged { from: String, to: String },
}

/// The fields every entry of a zengin-code JSON file has (`roma` and anything else are ignored).
#[derive(Deserialize)]
struct RawEntry {
    code: String,
    name: String,
    kana: String,
    hira: String,
}

impl Directory {
    /// The table bundled with the `zengin` crate: always available, without files, but only as new as
    /// the crate.
    pub fn bundled() -> Result<Directory, BankError> {
        let zengin = zengin::Zengin::new()
            .map_err(|e| BankError::Directory(format!("zengin crate data: {e}")))?;
        let mut banks = Vec::new();
        let mut branches = Vec::new();
        for (key, bank) in zengin.all_banks() {
            let file = "zengin crate data, banks.json";
            check_entry(file, key, &bank.code, &bank.name, &bank.kana, 4)?;
            banks.push(Bank {
                code: bank.code.clone(),
                name: bank.name.clone(),
                kana: bank.kana.clone(),
                hira: bank.hira.clone(),
            });
            let file = format!("zengin crate data, branches/{key}.json");
            for (branch_key, branch) in bank.all_branches() {
                check_entry(
                    &file,
                    branch_key,
                    &branch.code,
                    &branch.name,
                    &branch.kana,
                    3,
                )?;
                branches.push(Branch {
                    bank_code: bank.code.clone(),
                    code: branch.code.clone(),
                    name: branch.name.clone(),
                    kana: branch.kana.clone(),
                    hira: branch.hira.clone(),
                });
            }
        }
        Ok(Directory::sorted(
            BUNDLED_VERSION.to_owned(),
            banks,
            branches,
        ))
    }

    /// Reads a zengin-code `data` folder: `banks.json`, `branches/<bank code>.json` (a bank without one
    /// has no branches) and `updated_at` (optional). Branch files of banks not in `banks.json` are not
    /// read: zengin-code leaves them behind when a bank goes. Refuses the whole folder on the first bad entry,
    /// naming file and entry, since a half-imported table would invalidate accounts wrongly.
    pub fn from_folder(path: &Path) -> Result<Directory, BankError> {
        let banks_file = path.join("banks.json");
        let raw_banks = read_entries(&banks_file)?.ok_or_else(|| {
            BankError::Directory(format!("{}: file not found", banks_file.display()))
        })?;
        let mut banks = Vec::with_capacity(raw_banks.len());
        let mut branches = Vec::new();
        for (key, raw) in raw_banks {
            let shown = banks_file.display().to_string();
            check_entry(&shown, &key, &raw.code, &raw.name, &raw.kana, 4)?;
            let branches_file = path.join("branches").join(format!("{key}.json"));
            if let Some(raw_branches) = read_entries(&branches_file)? {
                let shown = branches_file.display().to_string();
                for (branch_key, b) in raw_branches {
                    check_entry(&shown, &branch_key, &b.code, &b.name, &b.kana, 3)?;
                    branches.push(Branch {
                        bank_code: raw.code.clone(),
                        code: b.code,
                        name: b.name,
                        kana: b.kana,
                        hira: b.hira,
                    });
                }
            }
            banks.push(Bank {
                code: raw.code,
                name: raw.name,
                kana: raw.kana,
                hira: raw.hira,
            });
        }
        let version_file = path.join("updated_at");
        let version = match std::fs::read_to_string(&version_file) {
            Ok(text) if !text.trim().is_empty() => text.trim().to_owned(),
            Ok(_) => UNKNOWN_VERSION.to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => UNKNOWN_VERSION.to_owned(),
            Err(e) => {
                return Err(BankError::Directory(format!(
                    "{}: cannot read: {e}",
                    version_file.display()
                )));
            }
        };
        Ok(Directory::sorted(version, banks, branches))
    }

    fn sorted(version: String, mut banks: Vec<Bank>, mut branches: Vec<Branch>) -> Directory {
        banks.sort_by(|a, b| a.code.cmp(&b.code));
        branches.sort_by(|a, b| (&a.bank_code, &a.code).cmp(&(&b.bank_code, &b.code)));
        Directory {
            version,
            banks,
            branches,
        }
    }

    /// The bank with this code.
    pub fn bank(&self, code: &str) -> Option<&Bank> {
        let i = self
            .banks
            .binary_search_by(|b| b.code.as_str().cmp(code))
            .ok()?;
        self.banks.get(i)
    }

    /// The branches of a bank, by code; empty for an unknown bank.
    pub fn branches_of<'a>(&'a self, bank_code: &str) -> &'a [Branch] {
        let start = self
            .branches
            .partition_point(|b| b.bank_code.as_str() < bank_code);
        let rest = self.branches.get(start..).unwrap_or_default();
        let len = rest.partition_point(|b| b.bank_code == bank_code);
        rest.get(..len).unwrap_or_default()
    }

    /// The branch with this code in this bank.
    pub fn branch(&self, bank_code: &str, code: &str) -> Option<&Branch> {
        let branches = self.branches_of(bank_code);
        let i = branches
            .binary_search_by(|b| b.code.as_str().cmp(code))
            .ok()?;
        branches.get(i)
    }

    /// Banks for the account form's search box, best first, at most `limit`.
    ///
    /// Digits (half- or full-width) match a code prefix. Anything else matches the name, kana or hira
    /// containing it, with width, katakana/hiragana, small kana and dashes folded (so "とうきょう" finds
    /// the bank-style "トウキヨウ"), and a trailing 銀行 dropped (信用金庫/信用組合 read as the data's
    /// 信金/信組). Exact matches come first, then prefixes, then the rest, each by code. An empty query
    /// matches every bank.
    pub fn find_banks<'a>(&'a self, query: &str, limit: usize) -> Vec<&'a Bank> {
        let query = Query::new(query, BANK_SUFFIXES);
        ranked(
            self.banks.iter().filter_map(|b| {
                query
                    .rank(&b.code, [&b.name, &b.kana, &b.hira])
                    .map(|r| (r, b.code.as_str(), b))
            }),
            limit,
        )
    }

    /// Branches of one bank for the account form, matched and ordered as [`Directory::find_banks`]
    /// (a trailing 支店 is dropped from the query).
    pub fn find_branches<'a>(
        &'a self,
        bank_code: &str,
        query: &str,
        limit: usize,
    ) -> Vec<&'a Branch> {
        let query = Query::new(query, BRANCH_SUFFIXES);
        ranked(
            self.branches_of(bank_code).iter().filter_map(|b| {
                query
                    .rank(&b.code, [&b.name, &b.kana, &b.hira])
                    .map(|r| (r, b.code.as_str(), b))
            }),
            limit,
        )
    }
}

/// Every (bank, branch) of `old` that `new` breaks: its bank code or branch code is gone, or its branch
/// kana differs. A bank's or branch's new name alone, or a new bank kana, is not listed: payments are
/// routed by code and checked against the branch kana, and the bank's current name is taken from the
/// table when shown. New banks and branches break nothing. In `old`'s order; linear time.
pub fn changes(old: &Directory, new: &Directory) -> Vec<BranchChange> {
    let new_banks: HashSet<&str> = new.banks.iter().map(|b| b.code.as_str()).collect();
    let new_branches: HashMap<(&str, &str), &str> = new
        .branches
        .iter()
        .map(|b| ((b.bank_code.as_str(), b.code.as_str()), b.kana.as_str()))
        .collect();
    old.branches
        .iter()
        .filter_map(|b| {
            let what = if !new_banks.contains(b.bank_code.as_str()) {
                Change::BankGone
            } else {
                match new_branches.get(&(b.bank_code.as_str(), b.code.as_str())) {
                    None => Change::BranchGone,
                    Some(kana) if *kana != b.kana => Change::BranchKanaChanged {
                        from: b.kana.clone(),
                        to: (*kana).to_owned(),
                    },
                    Some(_) => return None,
                }
            };
            Some(BranchChange {
                bank_code: b.bank_code.clone(),
                branch_code: b.code.clone(),
                what,
            })
        })
        .collect()
}

/// Reads a zengin-code JSON object (code → entry); `None` when the file does not exist.
fn read_entries(file: &Path) -> Result<Option<BTreeMap<String, RawEntry>>, BankError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(BankError::Directory(format!(
                "{}: cannot read: {e}",
                file.display()
            )));
        }
    };
    // Parsed in two steps so that an error in an entry names the entry.
    let values: BTreeMap<String, serde_json::Value> = serde_json::from_str(&text).map_err(|e| {
        BankError::Directory(format!(
            "{}: not a JSON object of entries: {e}",
            file.display()
        ))
    })?;
    values
        .into_iter()
        .map(
            |(key, value)| match serde_json::from_value::<RawEntry>(value) {
                Ok(entry) => Ok((key, entry)),
                Err(e) => Err(BankError::Directory(format!(
                    "{}: entry \"{key}\": {e}",
                    file.display()
                ))),
            },
        )
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Checks one entry: the key is a code of `digits` digits equal to the inner code, and the name and kana
/// are present (an empty kana would invalidate every account at the branch).
fn check_entry(
    file: &str,
    key: &str,
    code: &str,
    name: &str,
    kana: &str,
    digits: usize,
) -> Result<(), BankError> {
    let problem = if key.len() != digits || !key.bytes().all(|b| b.is_ascii_digit()) {
        format!("the code is not {digits} digits")
    } else if code != key {
        format!("the inner code \"{code}\" differs from the key")
    } else if name.trim().is_empty() {
        "the name is empty".to_owned()
    } else if kana.trim().is_empty() {
        "the kana is empty".to_owned()
    } else {
        return Ok(());
    };
    Err(BankError::Directory(format!(
        "{file}: entry \"{key}\": {problem}"
    )))
}

/// How well an entry matches a query; the order is the display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Exact,
    Prefix,
    Contains,
}

/// Query suffixes people add that the data leaves out (folded form → replacement).
const BANK_SUFFIXES: &[(&str, &str)] = &[
    ("銀行", ""),
    ("ギンコウ", ""),
    ("信用金庫", "信金"),
    ("シンヨウキンコ", "シンキン"),
    ("信用組合", "信組"),
    ("シンヨウクミアイ", "シンクミ"),
];
const BRANCH_SUFFIXES: &[(&str, &str)] = &[("支店", ""), ("シテン", "")];

/// A search query, folded once.
enum Query {
    /// Matches every entry.
    All,
    /// Digits: a code prefix.
    Code(String),
    /// Folded text, matched against folded names.
    Text(String),
}

impl Query {
    fn new(raw: &str, suffixes: &[(&str, &str)]) -> Query {
        let folded = fold(raw);
        if folded.is_empty() {
            return Query::All;
        }
        if folded.bytes().all(|b| b.is_ascii_digit()) {
            return Query::Code(folded);
        }
        for (suffix, replacement) in suffixes {
            if let Some(stem) = folded.strip_suffix(suffix)
                && !stem.is_empty()
            {
                return Query::Text(format!("{stem}{replacement}"));
            }
        }
        Query::Text(folded)
    }

    fn rank(&self, code: &str, texts: [&str; 3]) -> Option<Rank> {
        let rank_in = |hay: &str, needle: &str| {
            if hay == needle {
                Some(Rank::Exact)
            } else if hay.starts_with(needle) {
                Some(Rank::Prefix)
            } else if hay.contains(needle) {
                Some(Rank::Contains)
            } else {
                None
            }
        };
        match self {
            Query::All => Some(Rank::Prefix),
            Query::Code(digits) => match rank_in(code, digits) {
                Some(Rank::Contains) | None => None,
                found => found,
            },
            Query::Text(text) => texts.iter().filter_map(|t| rank_in(&fold(t), text)).min(),
        }
    }
}

/// Sorts matches by rank then code and keeps the first `limit`.
fn ranked<'a, T>(
    matches: impl Iterator<Item = (Rank, &'a str, &'a T)>,
    limit: usize,
) -> Vec<&'a T> {
    let mut found: Vec<_> = matches.collect();
    found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    found.into_iter().take(limit).map(|(_, _, t)| t).collect()
}

/// Folds text for search: full-width ASCII to ASCII lower case, half-width katakana to full-width with
/// voiced marks joined, hiragana to katakana, small kana to large (the bank style), every dash and long
/// vowel mark to `-`, and spaces removed.
fn fold(text: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{FF61}'..='\u{FF9F}' => half_to_full(c),
            '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() {
            continue;
        }
        let c = c.to_ascii_lowercase();
        match c {
            '\u{309B}' | '\u{3099}' | '\u{309C}' | '\u{309A}' => {
                let semi = matches!(c, '\u{309C}' | '\u{309A}');
                match out.last().and_then(|&base| voiced(base, semi)) {
                    Some(joined) => {
                        out.pop();
                        out.push(joined);
                    }
                    None => out.push(c),
                }
            }
            'ー' | '‐' | '‑' | '–' | '—' | '−' => out.push('-'),
            _ => out.push(large(c)),
        }
    }
    out.into_iter().collect()
}

/// Half-width katakana (U+FF61–U+FF9F) to full-width; the voiced marks become ゛ and ゜ for [`voiced`].
fn half_to_full(c: char) -> char {
    const TABLE: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";
    TABLE.chars().nth((c as u32 - 0xFF61) as usize).unwrap_or(c)
}

/// A katakana with its voiced (or semi-voiced) mark joined, if it has one.
fn voiced(base: char, semi: bool) -> Option<char> {
    const VOICEABLE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
    const SEMI_VOICEABLE: &str = "ハヒフヘホ";
    let (bases, offset) = if semi {
        (SEMI_VOICEABLE, 2)
    } else if base == 'ウ' {
        return Some('ヴ');
    } else {
        (VOICEABLE, 1)
    };
    if bases.contains(base) {
        char::from_u32(base as u32 + offset)
    } else {
        None
    }
}

/// Small katakana to large, as bank kana writes them (キヨウ for キョウ).
fn large(c: char) -> char {
    match c {
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    /// The bundled table, read once for all tests.
    fn bundled() -> &'static Directory {
        static BUNDLED: OnceLock<Directory> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            let start = Instant::now();
            let directory = Directory::bundled().expect("bundled data");
            eprintln!("Directory::bundled() took {:?}", start.elapsed());
            directory
        })
    }

    /// A folder under the system temp dir, removed when dropped.
    struct TempFolder(PathBuf);

    impl TempFolder {
        fn new() -> TempFolder {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "portal-bank-directory-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(path.join("branches")).expect("temp folder");
            TempFolder(path)
        }

        fn write(&self, name: &str, text: &str) {
            std::fs::write(self.0.join(name), text).expect("write");
        }
    }

    impl Drop for TempFolder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn entry(code: &str, name: &str, kana: &str) -> String {
        format!(
            r#""{code}":{{"code":"{code}","name":"{name}","kana":"{kana}","hira":"","roma":"x"}}"#
        )
    }

    fn bank(code: &str, name: &str, kana: &str) -> Bank {
        Bank {
            code: code.into(),
            name: name.into(),
            kana: kana.into(),
            hira: String::new(),
        }
    }

    fn branch(bank_code: &str, code: &str, name: &str, kana: &str) -> Branch {
        Branch {
            bank_code: bank_code.into(),
            code: code.into(),
            name: name.into(),
            kana: kana.into(),
            hira: String::new(),
        }
    }

    fn codes(banks: &[&Bank]) -> Vec<String> {
        banks.iter().map(|b| b.code.clone()).collect()
    }

    #[test]
    fn bundled_has_every_bank_and_branch() {
        let d = bundled();
        assert_eq!(d.version, "20250610");
        // The counts of the 20250610 data. The folder holds 31,217 branches, but 2,182 of them are in
        // files of 232 banks no longer in banks.json, which zengin-code leaves behind; they are not read.
        assert_eq!(d.banks.len(), 1_154);
        assert_eq!(d.branches.len(), 29_035);
        assert!(d.banks.windows(2).all(|w| w[0].code < w[1].code));
        assert!(
            d.branches
                .windows(2)
                .all(|w| (&w[0].bank_code, &w[0].code) < (&w[1].bank_code, &w[1].code))
        );
        let mizuho = d.bank("0001").expect("0001");
        assert_eq!(mizuho.name, "みずほ");
        assert_eq!(mizuho.kana, "ミズホ");
        assert_eq!(mizuho.hira, "みずほ");
        let tokyo = d.branch("0001", "001").expect("0001-001");
        assert_eq!(tokyo.name, "東京営業部");
        assert_eq!(tokyo.kana, "トウキヨウ");
        assert_eq!(tokyo.bank_code, "0001");
        assert!(d.branches_of("0001").iter().all(|b| b.bank_code == "0001"));
        assert!(d.branches_of("0001").len() > 100);
        assert_eq!(d.branches_of("0001").first(), Some(tokyo));
    }

    #[test]
    fn lookups_of_unknown_codes_are_empty() {
        let d = bundled();
        assert_eq!(d.bank("0002"), None);
        assert_eq!(d.bank(""), None);
        assert!(d.branches_of("0002").is_empty());
        assert!(d.branches_of("").is_empty());
        assert_eq!(d.branch("0001", "002"), None);
        assert_eq!(d.branch("0002", "001"), None);
    }

    #[test]
    fn from_folder_reads_back() {
        let folder = TempFolder::new();
        folder.write(
            "banks.json",
            &format!(
                "{{{},{}}}",
                entry("0005", "三菱ＵＦＪ", "ミツビシユ－エフジエイ"),
                entry("0001", "みずほ", "ミズホ")
            ),
        );
        folder.write(
            "branches/0001.json",
            &format!(
                "{{{},{}}}",
                entry("004", "丸の内中央", "マルノウチチユウオウ"),
                entry("001", "東京営業部", "トウキヨウ")
            ),
        );
        folder.write("updated_at", "20991231\n");
        let d = Directory::from_folder(&folder.0).expect("folder");
        assert_eq!(
            d,
            Directory {
                version: "20991231".into(),
                banks: vec![
                    bank("0001", "みずほ", "ミズホ"),
                    bank("0005", "三菱ＵＦＪ", "ミツビシユ－エフジエイ"),
                ],
                branches: vec![
                    branch("0001", "001", "東京営業部", "トウキヨウ"),
                    branch("0001", "004", "丸の内中央", "マルノウチチユウオウ"),
                ],
            }
        );
        assert!(d.branches_of("0005").is_empty());

        std::fs::remove_file(folder.0.join("updated_at")).expect("remove");
        assert_eq!(
            Directory::from_folder(&folder.0).expect("folder").version,
            "unknown"
        );
    }

    #[test]
    fn from_folder_of_the_bundled_data_equals_bundled() {
        // The crate's own data folder, when the registry source is on disk next to this build.
        let Some(cargo_home) = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        else {
            return;
        };
        let registry = cargo_home.join("registry/src");
        let Some(data) = std::fs::read_dir(&registry).ok().and_then(|dirs| {
            dirs.filter_map(Result::ok)
                .map(|d| d.path().join("zengin-1.1.1/source-data/data"))
                .find(|p| p.is_dir())
        }) else {
            return;
        };
        assert_eq!(
            &Directory::from_folder(&data).expect("data folder"),
            bundled()
        );
    }

    /// Asserts that a folder with these files (`None`: not written) is refused with a message holding
    /// every part of `expected`.
    fn refused(banks: Option<&str>, branches_0001: Option<&str>, expected: &[&str]) {
        let folder = TempFolder::new();
        if let Some(text) = banks {
            folder.write("banks.json", text);
        }
        if let Some(text) = branches_0001 {
            folder.write("branches/0001.json", text);
        }
        let message = match Directory::from_folder(&folder.0) {
            Ok(d) => panic!("accepted: {d:?}"),
            Err(e) => e.to_string(),
        };
        assert!(message.starts_with("bank directory: "), "{message}");
        for part in expected {
            assert!(message.contains(part), "{message:?} lacks {part:?}");
        }
    }

    #[test]
    fn malformed_folders_are_refused_naming_file_and_entry() {
        let good_bank = format!("{{{}}}", entry("0001", "みずほ", "ミズホ"));
        refused(None, None, &["banks.json", "not found"]);
        refused(Some("[1, 2]"), None, &["banks.json", "not a JSON object"]);
        refused(Some("{"), None, &["banks.json", "not a JSON object"]);
        refused(
            Some(&format!("{{{}}}", entry("001", "みずほ", "ミズホ"))),
            None,
            &["banks.json", "entry \"001\"", "not 4 digits"],
        );
        refused(
            Some(r#"{"0001":{"code":"0002","name":"x","kana":"カ","hira":"か"}}"#),
            None,
            &["banks.json", "entry \"0001\"", "inner code \"0002\""],
        );
        refused(
            Some(r#"{"0001":{"code":"0001","name":"x","hira":"か"}}"#),
            None,
            &["banks.json", "entry \"0001\"", "missing field `kana`"],
        );
        refused(
            Some(&format!("{{{}}}", entry("0001", " ", "ミズホ"))),
            None,
            &["banks.json", "entry \"0001\"", "name is empty"],
        );
        refused(
            Some(&good_bank),
            Some("not json"),
            &["0001.json", "not a JSON object"],
        );
        refused(
            Some(&good_bank),
            Some(&format!("{{{}}}", entry("0012", "東京", "トウキヨウ"))),
            &["0001.json", "entry \"0012\"", "not 3 digits"],
        );
        refused(
            Some(&good_bank),
            Some(&format!("{{{}}}", entry("002", "", "トウキヨウ"))),
            &["0001.json", "entry \"002\"", "name is empty"],
        );
        refused(
            Some(&good_bank),
            Some(&format!("{{{}}}", entry("002", "東京", ""))),
            &["0001.json", "entry \"002\"", "kana is empty"],
        );
    }

    #[test]
    fn changes_lists_what_breaks_an_account() {
        let old = Directory {
            version: "1".into(),
            banks: vec![
                bank("0001", "みずほ", "ミズホ"),
                bank("0002", "消える", "キエル"),
                bank("0003", "旧名", "キユウメイ"),
            ],
            branches: vec![
                branch("0001", "001", "東京営業部", "トウキヨウ"),
                branch("0001", "002", "廃止", "ハイシ"),
                branch("0001", "003", "改称", "カイシヨウ"),
                branch("0001", "004", "漢字だけ変更", "カンジ"),
                branch("0002", "001", "本店", "ホンテン"),
                branch("0002", "002", "支店", "シテン"),
                branch("0003", "001", "本店", "ホンテン"),
            ],
        };
        let new = Directory {
            version: "2".into(),
            banks: vec![
                bank("0001", "みずほ", "ミズホ"),
                bank("0003", "新名", "シンメイ"),
                bank("0004", "新しい", "アタラシイ"),
            ],
            branches: vec![
                branch("0001", "001", "東京営業部", "トウキヨウ"),
                branch("0001", "003", "改称", "カイシヨウ－"),
                branch("0001", "004", "漢字を変更", "カンジ"),
                branch("0001", "005", "新設", "シンセツ"),
                branch("0003", "001", "本店", "ホンテン"),
                branch("0004", "001", "本店", "ホンテン"),
            ],
        };
        let change = |bank: &str, branch: &str, what: Change| BranchChange {
            bank_code: bank.into(),
            branch_code: branch.into(),
            what,
        };
        assert_eq!(
            changes(&old, &new),
            vec![
                change("0001", "002", Change::BranchGone),
                change(
                    "0001",
                    "003",
                    Change::BranchKanaChanged {
                        from: "カイシヨウ".into(),
                        to: "カイシヨウ－".into()
                    }
                ),
                change("0002", "001", Change::BankGone),
                change("0002", "002", Change::BankGone),
            ]
        );
        assert_eq!(changes(&old, &old), vec![]);
        // Backwards: 003's kana, 005 never existed, 0004 is unknown.
        assert_eq!(changes(&new, &old).len(), 3);
    }

    #[test]
    fn changes_over_the_bundled_table() {
        let d = bundled();
        assert_eq!(changes(d, d), vec![]);
        let mut newer = d.clone();
        newer
            .branches
            .retain(|b| !(b.bank_code == "0001" && b.code == "001"));
        assert_eq!(
            changes(d, &newer),
            vec![BranchChange {
                bank_code: "0001".into(),
                branch_code: "001".into(),
                what: Change::BranchGone,
            }]
        );
    }

    #[test]
    fn find_banks_folds_kana_width_and_suffixes() {
        let d = bundled();
        for query in [
            "みずほ",
            "ミズホ",
            "ﾐｽﾞﾎ",
            "みずほ銀行",
            "ミズホギンコウ",
            "ﾐｽﾞﾎｷﾞﾝｺｳ",
            " みずほ ",
            "0001",
            "０００１",
        ] {
            let found = d.find_banks(query, 10);
            assert_eq!(
                found.first().map(|b| b.code.as_str()),
                Some("0001"),
                "{query}"
            );
        }
        // みずほ, みずほ信託 (prefix), then 埼玉みずほ農協 (contains).
        let mizuho = d.find_banks("みずほ", 10);
        assert_eq!(mizuho.len(), 3);
        assert_eq!(mizuho[1].name, "みずほ信託");
        assert_eq!(mizuho[2].name, "埼玉みずほ農協");
        assert_eq!(codes(&d.find_banks("三菱", 10)), ["0005", "0288", "2820"]);
        assert_eq!(codes(&d.find_banks("三菱ufj", 10)), ["0005", "0288"]);
        assert_eq!(codes(&d.find_banks("みつびしゆーえふじぇい", 10)), ["0005"]);
        assert_eq!(codes(&d.find_banks("ゆうちょ", 10)), ["9900"]);
        assert_eq!(codes(&d.find_banks("北海道信用金庫", 10)), ["1001"]);
        assert_eq!(codes(&d.find_banks("000", 100)), ["0001", "0005", "0009"]);
        assert_eq!(d.find_banks("みずほ", 1).len(), 1);
        assert_eq!(d.find_banks("", 5).len(), 5);
        assert!(d.find_banks("存在しない銀行名", 10).is_empty());
        assert!(d.find_banks("99999", 10).is_empty());
    }

    #[test]
    fn find_banks_puts_exact_matches_first() {
        let d = Directory {
            version: "t".into(),
            banks: vec![
                bank("0001", "東京中央", "トウキヨウチユウオウ"),
                bank("0002", "西東京", "ニシトウキヨウ"),
                bank("0003", "東京", "トウキヨウ"),
                bank("0010", "十", "ジユウ"),
            ],
            branches: vec![],
        };
        assert_eq!(codes(&d.find_banks("東京", 10)), ["0003", "0001", "0002"]);
        assert_eq!(
            codes(&d.find_banks("とうきょう", 10)),
            ["0003", "0001", "0002"]
        );
        assert_eq!(codes(&d.find_banks("001", 10)), ["0010"]);
        assert_eq!(codes(&d.find_banks("0010", 10)), ["0010"]);
        assert_eq!(
            codes(&d.find_banks("00", 10)),
            ["0001", "0002", "0003", "0010"]
        );
    }

    #[test]
    fn find_branches_within_a_bank() {
        let d = bundled();
        let branch_codes = |query: &str, limit: usize| -> Vec<String> {
            d.find_branches("0001", query, limit)
                .iter()
                .map(|b| b.code.clone())
                .collect()
        };
        assert_eq!(branch_codes("東京営業部", 10), ["001"]);
        assert_eq!(branch_codes("とうきょう", 1), ["001"]);
        let tokyo = branch_codes("東京", 10);
        assert_eq!(tokyo.first().map(String::as_str), Some("001"));
        assert!(tokyo.contains(&"777".to_owned()), "{tokyo:?}");
        assert_eq!(branch_codes("00", 3), ["001", "004", "005"]);
        assert_eq!(branch_codes("001", 10), ["001"]);
        assert_eq!(branch_codes("東京営業部支店", 10), ["001"]);
        assert_eq!(
            d.find_branches("0001", "", 1000).len(),
            d.branches_of("0001").len()
        );
        assert!(d.find_branches("0002", "東京", 10).is_empty());
        assert!(
            d.find_branches("0005", "東京", 50)
                .iter()
                .all(|b| b.bank_code == "0005")
        );
    }

    #[test]
    fn fold_normalises_width_and_kana() {
        assert_eq!(fold("ﾐｽﾞﾎ"), "ミズホ");
        assert_eq!(fold("みずほ"), "ミズホ");
        assert_eq!(fold("ﾊﾟﾝ ﾋﾞﾙ"), "パンビル");
        assert_eq!(fold("ｳﾞｧ"), "ヴア");
        assert_eq!(fold("か\u{3099}"), "ガ");
        assert_eq!(fold("とうきょう"), "トウキヨウ");
        assert_eq!(fold("ＵＦＪ１　ufj"), "ufj1ufj");
        assert_eq!(fold("ゆーえふ－ｰ-"), "ユ-エフ---");
        assert_eq!(fold("ﾞア"), "゛ア");
        assert_eq!(fold("東京"), "東京");
    }
}

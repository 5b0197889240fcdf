//! The catalog's controlled vocabularies: each agency's list of 目录分类 (the catalog's categories, its public
//! facets and the annual report's categories), 主题分类 and 体裁, with the names other systems use for its
//! terms (aliases), so a value typed or imported in another form ("工作信息类", " 工作信息 ") lands on the
//! agency's term ("工作信息") and the facets and report categories cannot split.
//!
//! An agency that has not set a list up has an open one: the values its items already use. A value that
//! matches one of them (as [`key`] compares) is written as that value; a new value is taken as it is. Once
//! the agency's admin sets the list, only its terms and aliases are taken.

use std::collections::HashMap;

/// Which vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// 目录分类.
    Category,
    /// 主题分类.
    Subject,
    /// 体裁.
    Genre,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Category, Kind::Subject, Kind::Genre];

    /// The code stored and posted.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Category => "category",
            Kind::Subject => "subject",
            Kind::Genre => "genre",
        }
    }

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Category => "目录分类",
            Kind::Subject => "主题分类",
            Kind::Genre => "体裁",
        }
    }
}

/// Longest term or alias.
pub const MAX_TERM_CHARS: usize = 40;
/// Most terms in one list.
pub const MAX_TERMS: usize = 500;

/// How two names of one term compare: without spaces (half- or full-width), with full-width letters and
/// digits as ASCII, and without a final "类" ("工作信息类" is "工作信息").
pub fn key(value: &str) -> String {
    let mut key: String = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    if key.chars().count() > 1 && key.ends_with('类') {
        key.pop();
    }
    key
}

/// An agency's list of one kind: its terms in order, the other names of its terms (alias → term), and
/// whether it is open (not set up: the values in use, and new values taken).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub terms: Vec<String>,
    pub aliases: Vec<(String, String)>,
    pub open: bool,
}

/// What a value resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// No value (the field is optional for 主题分类 and 体裁).
    Empty,
    /// The term to store.
    Term(String),
    /// Not in a set-up list: the message for the person who typed it (Chinese).
    Unknown(String),
}

impl Vocabulary {
    /// An open list of the values in use.
    pub fn open(in_use: Vec<String>) -> Vocabulary {
        Vocabulary { terms: in_use, aliases: Vec::new(), open: true }
    }

    /// The term `value` names, as [`Resolved`]: an exact term; an alias; a term or alias equal by [`key`];
    /// in an open list, the value itself (trimmed) when none matches.
    pub fn resolve(&self, kind: Kind, value: &str) -> Resolved {
        let value = value.trim();
        if value.is_empty() {
            return Resolved::Empty;
        }
        if let Some(term) = self.terms.iter().find(|term| term.as_str() == value) {
            return Resolved::Term(term.clone());
        }
        if let Some((_, term)) = self.aliases.iter().find(|(alias, _)| alias == value) {
            return Resolved::Term(term.clone());
        }
        let wanted = key(value);
        let by_key = self.terms.iter().find(|term| key(term) == wanted).or_else(|| {
            self.aliases.iter().find(|(alias, _)| key(alias) == wanted).map(|(_, term)| term)
        });
        match by_key {
            Some(term) => Resolved::Term(term.clone()),
            None if self.open => Resolved::Term(value.to_owned()),
            None => Resolved::Unknown(format!(
                "{}“{value}”不在本单位的{}表中，请选用：{}",
                kind.label(),
                kind.label(),
                self.terms.join("、")
            )),
        }
    }

    /// A resolver for many values at once (an import): the keys computed once, and in an open list each
    /// new value remembered, so that later values of the import equal to it by [`key`] join it.
    pub fn resolver(&self, kind: Kind) -> Resolver<'_> {
        let mut by_key = HashMap::new();
        for (alias, term) in self.aliases.iter().rev() {
            by_key.insert(key(alias), term.clone());
        }
        for term in self.terms.iter().rev() {
            by_key.insert(key(term), term.clone());
        }
        Resolver { vocabulary: self, kind, by_key }
    }

    /// What is wrong with a list an admin typed (Chinese), empty when it may be saved: empty or long terms,
    /// two terms that [`key`] makes one (which would split nothing but confuse everyone), an alias of no
    /// term or equal to another term.
    pub fn problems(&self, kind: Kind) -> Vec<String> {
        let mut problems = Vec::new();
        if self.terms.len() > MAX_TERMS {
            problems.push(format!("{}最多{MAX_TERMS}项", kind.label()));
        }
        let mut seen: HashMap<String, &str> = HashMap::new();
        for term in &self.terms {
            if term.trim().is_empty() || term.trim() != term {
                problems.push(format!("{}“{term}”不能为空或以空格开头、结尾", kind.label()));
            } else if term.chars().count() > MAX_TERM_CHARS {
                problems.push(format!("{}“{term}”超过{MAX_TERM_CHARS}个字", kind.label()));
            } else if let Some(first) = seen.insert(key(term), term) {
                problems.push(format!(
                    "“{first}”和“{term}”是同一{}，请只保留一个（另一个可作为别名）",
                    kind.label()
                ));
            }
        }
        let mut aliases: HashMap<String, &str> = HashMap::new();
        for (alias, term) in &self.aliases {
            let alias_key = key(alias);
            if !self.terms.contains(term) {
                problems.push(format!("别名“{alias}”对应的“{term}”不在{}表中", kind.label()));
            } else if alias.trim().is_empty() || alias.chars().count() > MAX_TERM_CHARS {
                problems.push(format!("别名“{alias}”应为1至{MAX_TERM_CHARS}个字"));
            } else if let Some(same) = seen.get(&alias_key) {
                // Its own term in another form needs no alias ("工作信息类" finds 工作信息 by itself); another
                // term's would make one name mean two terms.
                if *same == term.as_str() {
                    problems.push(format!("别名“{alias}”与词条“{term}”写法相同，无需作为别名"));
                } else {
                    problems.push(format!("别名“{alias}”与{}“{same}”相同", kind.label()));
                }
            } else if let Some(first) = aliases.insert(alias_key, alias) {
                problems.push(format!("别名“{alias}”与别名“{first}”重复"));
            }
        }
        problems
    }
}

/// [`Vocabulary::resolve`] with the keys computed once.
pub struct Resolver<'a> {
    vocabulary: &'a Vocabulary,
    kind: Kind,
    by_key: HashMap<String, String>,
}

impl Resolver<'_> {
    pub fn resolve(&mut self, value: &str) -> Resolved {
        let value = value.trim();
        if value.is_empty() {
            return Resolved::Empty;
        }
        let wanted = key(value);
        if let Some(term) = self.by_key.get(&wanted) {
            return Resolved::Term(term.clone());
        }
        let resolved = self.vocabulary.resolve(self.kind, value);
        if let (true, Resolved::Term(term)) = (self.vocabulary.open, &resolved) {
            self.by_key.insert(wanted, term.clone());
        }
        resolved
    }
}

/// A list as an admin types it: one term a line; "别名=词条" (or "别名→词条") makes an alias. Blank lines are
/// skipped; spaces around a name are not part of it.
pub fn parse(text: &str) -> Vocabulary {
    let mut vocabulary = Vocabulary::default();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        match line.split_once(['=', '＝', '→']) {
            Some((alias, term)) => {
                vocabulary.aliases.push((alias.trim().to_owned(), term.trim().to_owned()));
            }
            None => vocabulary.terms.push(line.to_owned()),
        }
    }
    vocabulary
}

/// The list as [`parse`] reads it back: the terms, then the aliases.
pub fn format(vocabulary: &Vocabulary) -> String {
    let mut lines: Vec<String> = vocabulary.terms.clone();
    lines.extend(vocabulary.aliases.iter().map(|(alias, term)| format!("{alias}={term}")));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> Vocabulary {
        parse("工作信息\n通知公告\n\n人事信息\n工作动态=工作信息\n")
    }

    /// Issue #20: "工作信息类" made a facet beside 工作信息 and a report sentence "工作信息类类2条".
    #[test]
    fn a_term_typed_in_another_form_lands_on_the_agencys_term() {
        let list = list();
        for typed in ["工作信息", "工作信息类", " 工作信息 ", "工作 信息", "工作动态", "工作动态类"]
        {
            assert_eq!(
                list.resolve(Kind::Category, typed),
                Resolved::Term("工作信息".to_owned()),
                "{typed}"
            );
            assert_eq!(
                list.resolver(Kind::Category).resolve(typed),
                Resolved::Term("工作信息".to_owned()),
                "{typed}"
            );
        }
        assert_eq!(list.resolve(Kind::Category, "  "), Resolved::Empty);
        let Resolved::Unknown(message) = list.resolve(Kind::Category, "财政信息") else {
            panic!("a set-up list takes only its terms");
        };
        assert_eq!(
            message,
            "目录分类“财政信息”不在本单位的目录分类表中，请选用：工作信息、通知公告、人事信息"
        );
        assert_eq!(
            list.resolver(Kind::Category).resolve("财政信息"),
            list.resolve(Kind::Category, "财政信息")
        );
    }

    #[test]
    fn an_open_list_takes_new_values_but_joins_known_ones() {
        let open = Vocabulary::open(vec!["工作信息".to_owned()]);
        assert_eq!(
            open.resolve(Kind::Category, "工作信息类"),
            Resolved::Term("工作信息".to_owned())
        );
        assert_eq!(
            open.resolve(Kind::Category, "财政信息 "),
            Resolved::Term("财政信息".to_owned())
        );
        assert_eq!(key("ＡＢＣ类"), "abc");
        // An import brings two forms of one new value: the second joins the first.
        let mut resolver = open.resolver(Kind::Category);
        assert_eq!(resolver.resolve("财政信息类"), Resolved::Term("财政信息类".to_owned()));
        assert_eq!(resolver.resolve("财政信息"), Resolved::Term("财政信息类".to_owned()));
        assert_eq!(key("类"), "类", "a one-character name keeps its 类");
    }

    #[test]
    fn lists_that_would_confuse_are_refused_and_read_back_as_typed() {
        assert!(list().problems(Kind::Category).is_empty());
        assert_eq!(parse(&format(&list())), list());
        let twice = parse("工作信息\n工作信息类\n动态=财政信息\n");
        let problems = twice.problems(Kind::Category);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("“工作信息”和“工作信息类”是同一目录分类"), "{problems:?}");
        assert!(problems[1].contains("“财政信息”不在目录分类表中"), "{problems:?}");
        // Review: an alias that is its own term, or one name given twice, broke the store's key (a 500).
        let aliases =
            parse("工作信息\n通知公告\n工作信息=工作信息\n动态=工作信息\n动态类=通知公告\n");
        let problems = aliases.problems(Kind::Category);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("无需作为别名"), "{problems:?}");
        assert!(problems[1].contains("与别名“动态”重复"), "{problems:?}");
    }
}

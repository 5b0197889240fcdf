//! The jieba tokenizer, with the disclosure field's own words in its dictionary.
//!
//! One dictionary for the process (built once), shared by every clone of the tokenizer: tantivy clones a
//! tokenizer for each segment writer, query and snippet, and cloning a dictionary of 350,000 words each time
//! would cost more than the search. Punctuation and spaces are not indexed; Latin letters are lower-cased.

use std::sync::OnceLock;

use jieba_rs::{Jieba, TokenizeMode};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under.
pub(crate) const NAME: &str = "gongkai_jieba";

/// Words of government information disclosure that jieba's general dictionary splits or lacks.
pub const DOMAIN_WORDS: [&str; 24] = [
    "政府信息公开",
    "政府信息公开条例",
    "依申请公开",
    "主动公开",
    "不予公开",
    "部分公开",
    "予以公开",
    "政务公开",
    "公开指南",
    "公开目录",
    "索引号",
    "文号",
    "规范性文件",
    "行政复议",
    "行政诉讼",
    "行政许可",
    "行政处罚",
    "行政强制",
    "政策解读",
    "年度报告",
    "补正",
    "调休",
    "法律援助",
    "公共法律服务",
];

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        for word in DOMAIN_WORDS {
            // A high frequency keeps the word whole in the default cut; search mode still adds its parts.
            jieba.add_word(word, Some(50_000), None);
        }
        jieba
    })
}

/// Whether a token is worth indexing: it has a letter or digit.
fn is_word(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// The tokenizer (search mode with HMM for documents).
#[derive(Debug, Clone, Copy, Default)]
pub struct JiebaTokenizer;

/// A token stream over precomputed tokens.
pub struct JiebaTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        let tokens = jieba()
            .tokenize(text, TokenizeMode::Search, true)
            .into_iter()
            .filter(|token| is_word(token.word))
            .map(|token| Token {
                offset_from: token.byte_start,
                offset_to: token.byte_end,
                position: token.start,
                text: token.word.to_lowercase(),
                position_length: token.end - token.start,
            })
            .collect();
        JiebaTokenStream { tokens, index: 0 }
    }
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

/// The distinct words of a query (jieba's default cut), without punctuation; empty when nothing is
/// searchable.
pub fn terms(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for token in jieba().tokenize(query, TokenizeMode::Default, true) {
        let word = token.word.to_lowercase();
        if is_word(&word) && !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

//! The search engine of the portal: one tantivy index of the published documents, kept in
//! step with the database through the `search_changes` feed.
//!
//! # Ranking
//!
//! Every word of the query must occur in the document's texts (title, summary and body,
//! one field scored BM25), and weighs again ×[`TITLE`] where it is in the title and
//! ×[`SUMMARY`] in the summary; the query's words next to each other (its phrase) count the
//! same way again; a query equal to a document number (文号), index number (索引号) or
//! implementation code finds that document first. Scores equal to a thousandth are ordered
//! newest first, then by fixed bits of the id.
//!
//! BM25's statistics (how many documents hold a word, the fields' average lengths) are
//! fixed constants, not counted from the index: a score depends on the document and the
//! query only. Two replicas, each with its own index whose segments were written and merged
//! differently, therefore give every document the same score and answer a query alike.
//!
//! # Words and pairs
//!
//! Words are jieba's search-mode segmentation. Beside the words, every two words next to
//! each other in the text (the second starting where the first ends) are indexed as one
//! term, so a phrase is a conjunction of terms instead of a positional query, which would
//! read positions for every match. A phrase of three or more words is found when each of its
//! neighbouring pairs is.

use std::ops::Bound;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::directory::MmapDirectory;
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader,
    TantivyDocument, Term,
};
use uuid::Uuid;
use zhengwu_domain::access::Scope;
use zhengwu_domain::matters::APPLY_ONLINE;

use super::source::{self, EntryDoc, ItemDoc, MatterDoc};
use super::{jieba, keep};
use crate::db::{Conn, DbError};

/// Weight of a word found in the title.
pub const TITLE: Score = 8.0;
/// Weight of a word found in the summary.
pub const SUMMARY: Score = 3.0;
/// Weight of a query equal to a document or index number.
const NUMBER: Score = 1000.0;
/// The fixed statistics of BM25 (see the module's documentation).
const REFERENCE_DOCS: u64 = 1_000_000;
const REFERENCE_DOC_FREQ: u64 = 1_000;
/// Words and pairs of words per field.
const REFERENCE_LENGTH: [(&str, u64); 3] = [("title", 32), ("summary", 120), ("all", 1350)];
/// Documents read from the database per statement while building.
const BUILD_BATCH: i64 = 2_000;
/// Changes applied per statement while catching up.
const CHANGE_BATCH: i64 = 1_000;
/// Memory of the index writer (two threads).
const WRITER_MEMORY: usize = 40_000_000;
/// Length of a highlighted fragment, in characters.
const FRAGMENT: usize = 80;
/// The schema's version, recorded with each commit: another one means a rebuild.
const SCHEMA_VERSION: u32 = 2;

fn search_error(e: impl std::fmt::Display) -> DbError {
    DbError::Other(format!("search index: {e}"))
}

// ---------------------------------------------------------------- words

/// jieba's search-mode words, lower-cased, at the offset of their first character.
#[derive(Clone, Default)]
pub struct Words;

pub struct WordStream {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

/// The term of two words next to each other in the text, the first before the second.
fn pair(first: &str, second: &str) -> String {
    format!("{first}\u{1f}{second}")
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let mut tokens: Vec<Token> = jieba()
            .cut_for_search(text, true)
            .into_iter()
            .filter(|t| keep(t.word))
            .map(|t| Token {
                offset_from: t.byte_start,
                offset_to: t.byte_end,
                position: t.start,
                text: t.word.to_lowercase(),
                // The word's end, in characters, until the pairs are made.
                position_length: t.end,
            })
            .collect();
        let mut starting: std::collections::HashMap<usize, Vec<usize>> = Default::default();
        for (i, t) in tokens.iter().enumerate() {
            starting.entry(t.position).or_default().push(i);
        }
        let mut pairs = vec![];
        for a in &tokens {
            for &j in starting.get(&a.position_length).into_iter().flatten() {
                if let Some(b) = tokens.get(j) {
                    pairs.push(Token {
                        offset_from: a.offset_from,
                        offset_to: b.offset_to,
                        position: a.position,
                        text: pair(&a.text, &b.text),
                        position_length: 1,
                    });
                }
            }
        }
        for t in &mut tokens {
            t.position_length = 1;
        }
        tokens.extend(pairs);
        WordStream {
            tokens,
            next: 0,
            current: Token::default(),
        }
    }
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(t) => {
                self.current = std::mem::take(t);
                self.next += 1;
                true
            }
            None => false,
        }
    }
    fn token(&self) -> &Token {
        &self.current
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// The query's words (jieba's precise segmentation) at the offsets of their first
/// characters, in order.
fn query_words(q: &str) -> Vec<(usize, String)> {
    jieba()
        .cut(q, true)
        .into_iter()
        .filter(|t| keep(t.word))
        .map(|t| (t.start, t.word.trim().to_lowercase()))
        .filter(|(_, w)| !w.is_empty())
        .collect()
}

/// The pairs of the query's words next to each other (the query's phrase).
fn query_pairs(words: &[(usize, String)]) -> Vec<String> {
    words
        .windows(2)
        .filter_map(|w| match w {
            [(a, x), (b, y)] if a + x.chars().count() == *b => Some(pair(x, y)),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------- schema

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    title: Field,
    summary: Field,
    /// Every text of the document (title, summary and body): what a word must be in.
    all: Field,
    numbers: Field,
    org: Field,
    path: Field,
    category: Field,
    year: Field,
    attribute: Field,
    validity: Field,
    doc_number: Field,
    published: Field,
    state: Field,
    valid_from: Field,
    valid_to: Field,
    matter_type: Field,
    objects: Field,
    online: Field,
    hall: Field,
    windows: Field,
    order: Field,
    id_hi: Field,
    id_lo: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("zh")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let f = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING),
        title: b.add_text_field("title", text.clone()),
        summary: b.add_text_field("summary", text.clone()),
        all: b.add_text_field("all", text),
        numbers: b.add_text_field("numbers", STRING),
        org: b.add_text_field("org", STRING | FAST),
        path: b.add_text_field("path", STRING),
        category: b.add_text_field("category", STRING | FAST),
        year: b.add_i64_field("year", INDEXED | FAST),
        attribute: b.add_text_field("attribute", STRING),
        validity: b.add_text_field("validity", STRING),
        doc_number: b.add_text_field("doc_number", STRING),
        published: b.add_i64_field("published", INDEXED | FAST),
        state: b.add_text_field("state", STRING),
        valid_from: b.add_i64_field("valid_from", INDEXED | FAST),
        valid_to: b.add_i64_field("valid_to", INDEXED | FAST),
        matter_type: b.add_text_field("matter_type", STRING),
        objects: b.add_text_field("objects", STRING),
        online: b.add_text_field("online", STRING),
        hall: b.add_text_field("hall", STRING),
        windows: b.add_text_field("windows", STRING),
        order: b.add_u64_field("order", FAST),
        id_hi: b.add_u64_field("id_hi", FAST),
        id_lo: b.add_u64_field("id_lo", FAST),
    };
    (b.build(), f)
}

/// The term a document is replaced and deleted by.
fn key(kind: &str, id: Uuid) -> String {
    format!("{kind}:{id}")
}

fn day(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce())
}

/// The paths of the organisation and of each of its ancestors (`/a/`, `/a/b/`, …).
fn ancestor_paths(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices()
        .filter(|(i, c)| *c == '/' && *i > 0)
        .map(move |(i, _)| &path[..=i])
}

fn add_texts(f: &Fields, doc: &mut TantivyDocument, title: &str, summary: &str, body: &str) {
    doc.add_text(f.title, title);
    doc.add_text(f.summary, summary);
    for t in [title, summary, body] {
        doc.add_text(f.all, t);
    }
}

fn item_document(f: &Fields, d: &ItemDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.key, key("item", d.item_id));
    doc.add_text(f.kind, "item");
    add_texts(f, &mut doc, &d.title, &d.summary, &d.content);
    doc.add_text(f.numbers, d.index_number.trim().to_lowercase());
    if let Some(n) = &d.doc_number {
        doc.add_text(f.numbers, n.trim().to_lowercase());
        doc.add_text(f.doc_number, n);
    }
    doc.add_text(f.org, d.organization_id.to_string());
    for p in ancestor_paths(&d.org_path) {
        doc.add_text(f.path, p);
    }
    doc.add_text(f.category, d.category_id.to_string());
    doc.add_i64(f.year, i64::from(d.year));
    doc.add_text(f.attribute, &d.attribute);
    doc.add_text(f.validity, &d.validity);
    doc.add_i64(f.published, d.published_at.timestamp_micros());
    identify(f, &mut doc, d.item_id, Some(d.published_at));
    doc
}

/// A matter: its name as the title, the conditions as the summary, the legal basis and the
/// materials as the body; its implementation code found exactly.
fn matter_document(f: &Fields, d: &MatterDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.key, key("matter", d.id));
    doc.add_text(f.kind, "matter");
    add_texts(f, &mut doc, &d.name, &d.conditions, &d.body);
    doc.add_text(f.numbers, d.implementation_code.trim().to_lowercase());
    doc.add_text(f.org, d.organization_id.to_string());
    for p in ancestor_paths(&d.org_path) {
        doc.add_text(f.path, p);
    }
    doc.add_text(f.matter_type, &d.matter_type);
    for o in &d.service_objects {
        doc.add_text(f.objects, o);
    }
    doc.add_text(f.online, &d.online_depth);
    doc.add_text(f.hall, if d.entered_hall { "true" } else { "false" });
    for w in &d.window_ids {
        doc.add_text(f.windows, w.to_string());
    }
    doc.add_i64(f.published, 0);
    identify(f, &mut doc, d.id, None);
    doc
}

/// Microseconds since 2020 fill the top 51 bits of `order` (until the year 2091).
const ORDER_EPOCH: i64 = 1_577_836_800_000_000;

/// The document's id, and its place among equally good matches: newer first (by the
/// microsecond of `at`), then by the id's last bits (fixed, so every replica orders alike).
fn identify(f: &Fields, doc: &mut TantivyDocument, id: Uuid, at: Option<DateTime<Utc>>) {
    let (hi, lo) = id.as_u64_pair();
    let micros = at.map_or(0, |t| {
        u64::try_from(t.timestamp_micros() - ORDER_EPOCH).unwrap_or(0)
    });
    doc.add_u64(f.order, (micros << 13) | (lo >> 51));
    doc.add_u64(f.id_hi, hi);
    doc.add_u64(f.id_lo, lo);
}

/// An entry: the question as its title, the answer as its body.
fn entry_document(f: &Fields, d: &EntryDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.key, key("knowledge", d.id));
    doc.add_text(f.kind, "knowledge");
    add_texts(f, &mut doc, &d.question, "", &d.answer);
    doc.add_text(f.org, d.organization_id.to_string());
    for p in ancestor_paths(&d.org_path) {
        doc.add_text(f.path, p);
    }
    doc.add_text(f.state, &d.state);
    doc.add_i64(f.valid_from, d.valid_from.map_or(i64::MIN, day));
    doc.add_i64(f.valid_to, d.valid_to.map_or(i64::MAX, day));
    doc.add_i64(f.published, d.updated_at.timestamp_micros());
    identify(f, &mut doc, d.id, Some(d.updated_at));
    doc
}

// ---------------------------------------------------------------- statistics

/// BM25 statistics fixed once for all: scores depend on the document and the query only.
struct Reference {
    lengths: Vec<(Field, u64)>,
}

impl Bm25StatisticsProvider for Reference {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let per_doc = self
            .lengths
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(1, |(_, l)| *l);
        Ok(per_doc * REFERENCE_DOCS)
    }
    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(REFERENCE_DOCS)
    }
    fn doc_freq(&self, _term: &Term) -> tantivy::Result<u64> {
        Ok(REFERENCE_DOC_FREQ)
    }
}

// ---------------------------------------------------------------- queries

/// A search of the published disclosure items.
#[derive(Debug, Clone)]
pub struct ItemQuery {
    /// The words to find (at least one searchable word).
    pub q: String,
    pub organization_id: Option<Uuid>,
    /// Items of organisations inside this scope.
    pub scope: Scope,
    pub category_id: Option<Uuid>,
    pub year: Option<i32>,
    pub attribute: Option<String>,
    pub validity: Option<String>,
    pub doc_number: Option<String>,
    pub published_from: Option<DateTime<Utc>>,
    pub published_to: Option<DateTime<Utc>>,
    /// Newest first rather than best match first.
    pub newest_first: bool,
    pub offset: usize,
    pub limit: usize,
    /// Count the matches per category, organisation and year.
    pub facets: bool,
}

/// A search of the knowledge base.
#[derive(Debug, Clone)]
pub struct EntryQuery {
    /// The words to find (at least one searchable word).
    pub q: String,
    pub organization_id: Option<Uuid>,
    /// Entries of organisations inside this scope.
    pub scope: Scope,
    pub state: Option<String>,
    /// Only entries valid on this day (no start or end date: valid from or to any day).
    pub valid_on: Option<NaiveDate>,
    pub offset: usize,
    pub limit: usize,
}

/// A search of the service matters the public finds.
#[derive(Debug, Clone)]
pub struct MatterQuery {
    /// The words to find (at least one searchable word).
    pub q: String,
    pub organization_id: Option<Uuid>,
    /// Matters of organisations inside this scope.
    pub scope: Scope,
    pub matter_type: Option<String>,
    pub service_object: Option<String>,
    /// Whether the matter can be applied for online (the depths of `APPLY_ONLINE`).
    pub online: Option<bool>,
    pub entered_hall: Option<bool>,
    pub window_id: Option<Uuid>,
    pub offset: usize,
    pub limit: usize,
}

/// Counts of the matching documents per value, exact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetCounts {
    pub category: Vec<(String, u64)>,
    pub org: Vec<(String, u64)>,
    pub year: Vec<(i64, u64)>,
}

/// What a search found: the page's item ids in order, the facets when asked for, and the
/// means of highlighting the query's words in the page's texts.
pub struct Found {
    pub ids: Vec<Uuid>,
    pub facets: Option<FacetCounts>,
    pub highlighter: Highlighter,
}

/// Marks the query's words with `<em>` in a document's texts (HTML-escaped otherwise).
/// Every occurrence of a word is marked, inside longer words too: the words a search
/// matched are found in the text itself, without segmenting it again.
#[derive(Debug, Clone, Default)]
pub struct Highlighter {
    /// Longest first, so that a longer word is marked rather than a word inside it.
    words: Vec<String>,
}

impl Highlighter {
    fn new(words: &[(usize, String)]) -> Self {
        let mut words: Vec<String> = words.iter().map(|(_, w)| w.clone()).collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        Self { words }
    }

    /// The byte ranges of the words' occurrences in `text`, in order, not overlapping.
    fn ranges(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let bytes = text.as_bytes();
        let mut out = vec![];
        let mut i = 0;
        while i < bytes.len() {
            let hit = self.words.iter().find(|w| {
                bytes
                    .get(i..i + w.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(str::as_bytes(w)))
            });
            match hit {
                Some(w) if text.is_char_boundary(i + w.len()) => {
                    out.push(i..i + w.len());
                    i += w.len();
                }
                _ => {
                    i += 1;
                    while i < bytes.len() && !text.is_char_boundary(i) {
                        i += 1;
                    }
                }
            }
        }
        out
    }

    fn mark(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
        let mut out = String::with_capacity(text.len() + ranges.len() * 9);
        let mut at = 0;
        for r in ranges {
            out.push_str(&escape(&text[at..r.start]));
            out.push_str("<em>");
            out.push_str(&escape(&text[r.clone()]));
            out.push_str("</em>");
            at = r.end;
        }
        out.push_str(&escape(&text[at..]));
        out
    }

    /// The whole title, its query words marked.
    pub fn title(&self, title: &str) -> String {
        Self::mark(title, &self.ranges(title))
    }

    /// A fragment of about [`FRAGMENT`] characters of the first text holding a query word
    /// (summary, then body), from a little before the first one; the beginning of the
    /// first text that is not blank when none holds one.
    pub fn fragment(&self, texts: &[&str]) -> String {
        for t in texts {
            let ranges = self.ranges(t);
            if let Some(first) = ranges.first() {
                let start = t[..first.start]
                    .char_indices()
                    .rev()
                    .take(FRAGMENT / 4)
                    .last()
                    .map_or(first.start, |(i, _)| i);
                let end = t[start..]
                    .char_indices()
                    .nth(FRAGMENT)
                    .map_or(t.len(), |(i, _)| start + i);
                let inside: Vec<_> = ranges
                    .into_iter()
                    .filter(|r| r.start >= start && r.end <= end)
                    .map(|r| r.start - start..r.end - start)
                    .collect();
                return Self::mark(&t[start..end], &inside);
            }
        }
        let first = texts.iter().find(|t| !t.trim().is_empty()).copied();
        let first = first.unwrap_or_default();
        let end = first
            .char_indices()
            .nth(FRAGMENT)
            .map_or(first.len(), |(i, _)| i);
        escape(&first[..end])
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn boxed(q: impl Query) -> Box<dyn Query> {
    Box::new(q)
}

fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, boxed(ConstScoreQuery::new(q, 0.0)))
}

fn term(field: Field, value: &str) -> Box<dyn Query> {
    boxed(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

impl Fields {
    /// Every word in the document's texts (scored there), weighted again where found in
    /// the title or the summary; the exact phrase likewise.
    fn words_query(&self, words: &[(usize, String)]) -> Box<dyn Query> {
        let scored = |f: Field, t: &str, weight: Score| -> Box<dyn Query> {
            let q = TermQuery::new(Term::from_field_text(f, t), IndexRecordOption::WithFreqs);
            if weight == 1.0 {
                boxed(q)
            } else {
                boxed(BoostQuery::new(boxed(q), weight))
            }
        };
        let mut seen = std::collections::HashSet::new();
        let mut clauses = vec![];
        for (_, w) in words.iter().filter(|(_, w)| seen.insert(w.as_str())) {
            clauses.push((Occur::Must, scored(self.all, w, 1.0)));
            clauses.push((Occur::Should, scored(self.title, w, TITLE)));
            clauses.push((Occur::Should, scored(self.summary, w, SUMMARY)));
        }
        let pairs = query_pairs(words);
        if !pairs.is_empty() {
            for (f, weight) in [
                (self.title, TITLE),
                (self.summary, SUMMARY),
                (self.all, 1.0),
            ] {
                let phrase = pairs
                    .iter()
                    .map(|p| (Occur::Must, scored(f, p, 1.0)))
                    .collect();
                let phrase = boxed(BooleanQuery::new(phrase));
                clauses.push((Occur::Should, boxed(BoostQuery::new(phrase, weight))));
            }
        }
        boxed(BooleanQuery::new(clauses))
    }

    /// The filters of a matter search as clauses scoring nothing.
    fn matter_filters(&self, q: &MatterQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let mut v = vec![filter(term(self.kind, "matter"))];
        if let Some(o) = q.organization_id {
            v.push(filter(term(self.org, &o.to_string())));
        }
        if let Scope::Subtree(p) = &q.scope {
            v.push(filter(term(self.path, p.as_str())));
        }
        if let Some(t) = &q.matter_type {
            v.push(filter(term(self.matter_type, t)));
        }
        if let Some(o) = &q.service_object {
            v.push(filter(term(self.objects, o)));
        }
        if let Some(online) = q.online {
            let deep = BooleanQuery::new(
                APPLY_ONLINE
                    .iter()
                    .map(|d| (Occur::Should, term(self.online, d.as_str())))
                    .collect(),
            );
            v.push(if online {
                filter(boxed(deep))
            } else {
                (Occur::MustNot, boxed(deep))
            });
        }
        if let Some(h) = q.entered_hall {
            v.push(filter(term(self.hall, if h { "true" } else { "false" })));
        }
        if let Some(w) = q.window_id {
            v.push(filter(term(self.windows, &w.to_string())));
        }
        v
    }

    /// The filters of an entry search as clauses scoring nothing.
    fn entry_filters(&self, q: &EntryQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let mut v = vec![filter(term(self.kind, "knowledge"))];
        if let Some(o) = q.organization_id {
            v.push(filter(term(self.org, &o.to_string())));
        }
        if let Scope::Subtree(p) = &q.scope {
            v.push(filter(term(self.path, p.as_str())));
        }
        if let Some(s) = &q.state {
            v.push(filter(term(self.state, s)));
        }
        if let Some(d) = q.valid_on {
            let at = |f: Field| Term::from_field_i64(f, day(d));
            v.push(filter(boxed(RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(at(self.valid_from)),
            ))));
            v.push(filter(boxed(RangeQuery::new(
                Bound::Included(at(self.valid_to)),
                Bound::Unbounded,
            ))));
        }
        v
    }

    /// The filters of an item search as clauses scoring nothing.
    fn item_filters(&self, q: &ItemQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let mut v = vec![filter(term(self.kind, "item"))];
        if let Some(o) = q.organization_id {
            v.push(filter(term(self.org, &o.to_string())));
        }
        if let Scope::Subtree(p) = &q.scope {
            v.push(filter(term(self.path, p.as_str())));
        }
        if let Some(c) = q.category_id {
            v.push(filter(term(self.category, &c.to_string())));
        }
        if let Some(y) = q.year {
            v.push(filter(boxed(TermQuery::new(
                Term::from_field_i64(self.year, i64::from(y)),
                IndexRecordOption::Basic,
            ))));
        }
        if let Some(a) = &q.attribute {
            v.push(filter(term(self.attribute, a)));
        }
        if let Some(x) = &q.validity {
            v.push(filter(term(self.validity, x)));
        }
        if let Some(d) = &q.doc_number {
            v.push(filter(term(self.doc_number, d)));
        }
        if q.published_from.is_some() || q.published_to.is_some() {
            let at = |t: DateTime<Utc>| Term::from_field_i64(self.published, t.timestamp_micros());
            let from = q
                .published_from
                .map_or(Bound::Unbounded, |t| Bound::Included(at(t)));
            let to = q
                .published_to
                .map_or(Bound::Unbounded, |t| Bound::Excluded(at(t)));
            v.push(filter(boxed(RangeQuery::new(from, to))));
        }
        v
    }
}

/// Which page of the results, in which order, with or without facets.
struct Page {
    offset: usize,
    limit: usize,
    newest_first: bool,
    facets: bool,
}

impl Page {
    fn of(offset: usize, limit: usize, newest_first: bool, facets: bool) -> Self {
        Self {
            offset,
            limit,
            newest_first,
            facets,
        }
    }
}

/// The order of a page: score to a thousandth (0 when newest first), then `order`.
type Rank = (i64, u64);

/// The best `offset + limit` matches by [`Rank`], of which the page is the last `limit`.
/// A match whose score is below the worst kept one is passed over without reading its
/// `order`, so most matches cost their score only.
struct Best {
    keep: usize,
    offset: usize,
    by_score: bool,
}

struct BestInSegment {
    keep: usize,
    by_score: bool,
    segment: u32,
    order: Option<Column<u64>>,
    /// The worst kept on top.
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(Rank, DocId)>>,
}

impl Collector for Best {
    type Fruit = Vec<(Rank, DocAddress)>;
    type Child = BestInSegment;

    fn for_segment(&self, segment: u32, reader: &SegmentReader) -> tantivy::Result<BestInSegment> {
        Ok(BestInSegment {
            keep: self.keep,
            by_score: self.by_score,
            segment,
            order: reader.fast_fields().u64("order").ok(),
            heap: std::collections::BinaryHeap::with_capacity(self.keep + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.by_score
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Rank, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by_key(|a| std::cmp::Reverse(a.0));
        Ok(all
            .into_iter()
            .skip(self.offset)
            .take(self.keep - self.offset)
            .collect())
    }
}

impl SegmentCollector for BestInSegment {
    type Fruit = Vec<(Rank, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let s = if self.by_score {
            (f64::from(score) * 1000.0).round() as i64
        } else {
            0
        };
        if self.heap.len() >= self.keep && self.heap.peek().is_some_and(|w| (w.0).0.0 > s) {
            return;
        }
        let order = self.order.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        self.heap.push(std::cmp::Reverse(((s, order), doc)));
        if self.heap.len() > self.keep {
            self.heap.pop();
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        self.heap
            .into_iter()
            .map(|std::cmp::Reverse((rank, doc))| (rank, DocAddress::new(segment, doc)))
            .collect()
    }
}

/// The ids of documents found.
fn ids_of(searcher: &tantivy::Searcher, found: &[(Rank, DocAddress)]) -> Vec<Uuid> {
    found
        .iter()
        .filter_map(|(_, a)| {
            let ff = searcher.segment_reader(a.segment_ord).fast_fields();
            let hi = ff.u64("id_hi").ok()?.first(a.doc_id)?;
            let lo = ff.u64("id_lo").ok()?.first(a.doc_id)?;
            Some(Uuid::from_u64_pair(hi, lo))
        })
        .collect()
}

// ---------------------------------------------------------------- facets

/// Counts the matches per category, organisation and year.
struct FacetCollector;

struct FacetSegment {
    category: Option<StrColumn>,
    org: Option<StrColumn>,
    year: Option<Column<i64>>,
    by_category: Vec<u64>,
    by_org: Vec<u64>,
    by_year: std::collections::BTreeMap<i64, u64>,
}

fn count_ord(col: &Option<StrColumn>, counts: &mut [u64], doc: DocId) {
    if let Some(ord) = col.as_ref().and_then(|c| c.ords().first(doc))
        && let Some(n) = usize::try_from(ord).ok().and_then(|o| counts.get_mut(o))
    {
        *n += 1;
    }
}

fn harvest_ords(col: &Option<StrColumn>, counts: &[u64]) -> Vec<(String, u64)> {
    let Some(col) = col else { return vec![] };
    let mut out = vec![];
    for (ord, n) in counts.iter().enumerate() {
        let mut s = String::new();
        if *n > 0 && col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
            out.push((s, *n));
        }
    }
    out
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<FacetSegment> {
        let ff = segment.fast_fields();
        let category = ff.str("category")?;
        let org = ff.str("org")?;
        let size = |c: &Option<StrColumn>| c.as_ref().map_or(0, |c| c.num_terms());
        Ok(FacetSegment {
            by_category: vec![0; size(&category)],
            by_org: vec![0; size(&org)],
            category,
            org,
            year: ff.i64("year").ok(),
            by_year: Default::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        use std::collections::BTreeMap;
        let mut category: BTreeMap<String, u64> = BTreeMap::new();
        let mut org: BTreeMap<String, u64> = BTreeMap::new();
        let mut year: BTreeMap<i64, u64> = BTreeMap::new();
        for f in fruits {
            for (k, n) in f.category {
                *category.entry(k).or_default() += n;
            }
            for (k, n) in f.org {
                *org.entry(k).or_default() += n;
            }
            for (k, n) in f.year {
                *year.entry(k).or_default() += n;
            }
        }
        Ok(FacetCounts {
            category: category.into_iter().collect(),
            org: org.into_iter().collect(),
            year: year.into_iter().collect(),
        })
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        count_ord(&self.category, &mut self.by_category, doc);
        count_ord(&self.org, &mut self.by_org, doc);
        if let Some(y) = self.year.as_ref().and_then(|c| c.first(doc)) {
            *self.by_year.entry(y).or_default() += 1;
        }
    }

    fn harvest(self) -> FacetCounts {
        FacetCounts {
            category: harvest_ords(&self.category, &self.by_category),
            org: harvest_ords(&self.org, &self.by_org),
            year: self.by_year.into_iter().collect(),
        }
    }
}

// ---------------------------------------------------------------- the engine

struct Open {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    reference: Reference,
}

/// Answers given at one position of the feed: the same question asked again before the
/// index changes gets the same answer without searching. Any change applied to the index
/// moves the position, and the answers of the old one are dropped.
#[derive(Default)]
struct Answers {
    position: i64,
    by_question: std::collections::HashMap<String, (Vec<Uuid>, Option<FacetCounts>)>,
}

/// The index and where it stands in the feed.
pub struct SearchEngine {
    /// Answers kept at most (`ZHENGWU_SEARCH_CACHE`); none when 0.
    cache: usize,
    answers: Mutex<Answers>,
    /// Where the index is kept; in memory (rebuilt at each start) when `None`.
    dir: Option<PathBuf>,
    open: tokio::sync::OnceCell<Open>,
    /// The feed position the index holds; -1 before it is built.
    position: AtomicI64,
    /// One catch-up at a time.
    updating: tokio::sync::Mutex<()>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    database: Uuid,
    position: i64,
}

impl SearchEngine {
    /// An engine keeping up to `cache` answers of the current position.
    pub fn new(dir: Option<PathBuf>, cache: usize) -> Self {
        Self {
            cache,
            answers: Mutex::new(Answers::default()),
            dir,
            open: tokio::sync::OnceCell::new(),
            position: AtomicI64::new(-1),
            updating: tokio::sync::Mutex::new(()),
        }
    }

    fn open_index(&self) -> Result<Open, DbError> {
        let (schema, fields) = schema();
        let index = match &self.dir {
            None => Index::create_in_ram(schema.clone()),
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(search_error)?;
                let existing = MmapDirectory::open(dir)
                    .map_err(search_error)
                    .and_then(|d| Index::exists(&d).map_err(search_error))?;
                let reusable = existing
                    && Index::open_in_dir(dir)
                        .map(|i| i.schema() == schema)
                        .unwrap_or(false);
                if reusable {
                    Index::open_in_dir(dir).map_err(search_error)?
                } else {
                    if existing {
                        log::warn!(
                            "search index at {}: another schema; rebuilding",
                            dir.display()
                        );
                        std::fs::remove_dir_all(dir).map_err(search_error)?;
                        std::fs::create_dir_all(dir).map_err(search_error)?;
                    }
                    Index::create_in_dir(dir, schema.clone()).map_err(search_error)?
                }
            }
        };
        index.tokenizers().register("zh", Words);
        let writer = index
            .writer_with_num_threads(2, WRITER_MEMORY)
            .map_err(search_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(search_error)?;
        let reference = Reference {
            lengths: REFERENCE_LENGTH
                .iter()
                .filter_map(|(name, l)| schema.get_field(name).ok().map(|f| (f, *l)))
                .collect(),
        };
        Ok(Open {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            reference,
        })
    }

    async fn opened(&self) -> Result<&Open, DbError> {
        self.open
            .get_or_try_init(|| async { self.open_index() })
            .await
    }

    /// Brings the index up to the feed's head as the database shows it now: a search that
    /// follows a committed change sees it. Builds the index first when it holds nothing of
    /// this database.
    pub async fn catch_up(&self, conn: &mut Conn) -> Result<(), DbError> {
        let head = source::head(conn).await?;
        let at = self.position.load(Ordering::Acquire);
        if at >= 0 && !head.unsealed && head.position.unwrap_or(0) <= at {
            return Ok(());
        }
        let _one = self.updating.lock().await;
        let open = self.opened().await?;
        source::seal(conn).await?;
        let mut at = self.position.load(Ordering::Acquire);
        let database = source::identity(conn).await?;
        if at < 0 {
            at = self.recorded_position(open, database)?.unwrap_or(-1);
        }
        if at < 0 {
            at = self.build(open, conn, database).await?;
        }
        loop {
            let changes = source::changes(conn, at, CHANGE_BATCH).await?;
            let Some(last) = changes.last().map(|c| c.position) else {
                break;
            };
            let of = |kind: &str| -> Vec<Uuid> {
                changes
                    .iter()
                    .filter(|c| c.doc_kind == kind)
                    .map(|c| c.doc_id)
                    .collect()
            };
            let (items, entries, matters) = (of("item"), of("knowledge"), of("matter"));
            let mut docs: Vec<TantivyDocument> = vec![];
            for d in source::items(conn, &items).await? {
                docs.push(item_document(&open.fields, &d));
            }
            for d in source::entries(conn, &entries).await? {
                docs.push(entry_document(&open.fields, &d));
            }
            for d in source::matters(conn, &matters).await? {
                docs.push(matter_document(&open.fields, &d));
            }
            {
                let writer = open.writer.lock().map_err(search_error)?;
                let keys = items
                    .iter()
                    .map(|id| key("item", *id))
                    .chain(entries.iter().map(|id| key("knowledge", *id)))
                    .chain(matters.iter().map(|id| key("matter", *id)));
                for k in keys {
                    writer.delete_term(Term::from_field_text(open.fields.key, &k));
                }
                for d in docs {
                    writer.add_document(d).map_err(search_error)?;
                }
            }
            self.commit(open, database, last)?;
            at = last;
            self.position.store(at, Ordering::Release);
        }
        self.position.store(at, Ordering::Release);
        Ok(())
    }

    /// The position an index on disk holds, when it was built from this database with
    /// this schema.
    fn recorded_position(&self, open: &Open, database: Uuid) -> Result<Option<i64>, DbError> {
        let metas = open.index.load_metas().map_err(search_error)?;
        let payload: Option<Payload> = metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok());
        Ok(payload
            .filter(|p| p.schema == SCHEMA_VERSION && p.database == database)
            .map(|p| p.position))
    }

    /// Indexes every published document anew; returns the feed position it holds (changes
    /// after it are applied next, some perhaps a second time, which changes nothing).
    async fn build(&self, open: &Open, conn: &mut Conn, database: Uuid) -> Result<i64, DbError> {
        let start = std::time::Instant::now();
        let from = source::head(conn).await?.position.unwrap_or(0);
        {
            let writer = open.writer.lock().map_err(search_error)?;
            // The build ends with one segment: a search then looks each word up once. No
            // merge may start on its own meanwhile (it would take segments from that one).
            writer.set_merge_policy(Box::new(NoMergePolicy));
            writer.delete_all_documents().map_err(search_error)?;
        }
        let mut count = 0usize;
        let mut after = None;
        loop {
            let docs = source::all_items(conn, after, BUILD_BATCH).await?;
            let Some(last) = docs.last().map(|d| d.item_id) else {
                break;
            };
            count += docs.len();
            self.add(open, docs.iter().map(|d| item_document(&open.fields, d)))?;
            after = Some(last);
        }
        let mut after = None;
        loop {
            let docs = source::all_entries(conn, after, BUILD_BATCH).await?;
            let Some(last) = docs.last().map(|d| d.id) else {
                break;
            };
            count += docs.len();
            self.add(open, docs.iter().map(|d| entry_document(&open.fields, d)))?;
            after = Some(last);
        }
        let mut after = None;
        loop {
            let docs = source::all_matters(conn, after, BUILD_BATCH).await?;
            let Some(last) = docs.last().map(|d| d.id) else {
                break;
            };
            count += docs.len();
            self.add(open, docs.iter().map(|d| matter_document(&open.fields, d)))?;
            after = Some(last);
        }
        self.commit(open, database, from)?;
        let segments = open.index.searchable_segment_ids().map_err(search_error)?;
        if segments.len() > 1 {
            let merging = open.writer.lock().map_err(search_error)?.merge(&segments);
            if let Err(e) = merging.wait() {
                log::warn!("search index: the segments were not merged into one: {e}");
            }
            open.reader.reload().map_err(search_error)?;
        }
        open.writer
            .lock()
            .map_err(search_error)?
            .set_merge_policy(Box::new(LogMergePolicy::default()));
        log::info!(
            "search index built: {count} documents in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        Ok(from)
    }

    fn add(&self, open: &Open, docs: impl Iterator<Item = TantivyDocument>) -> Result<(), DbError> {
        let writer = open.writer.lock().map_err(search_error)?;
        for d in docs {
            writer.add_document(d).map_err(search_error)?;
        }
        Ok(())
    }

    fn commit(&self, open: &Open, database: Uuid, position: i64) -> Result<(), DbError> {
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            database,
            position,
        })
        .map_err(search_error)?;
        let mut writer = open.writer.lock().map_err(search_error)?;
        let mut prepared = writer.prepare_commit().map_err(search_error)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(search_error)?;
        open.reader.reload().map_err(search_error)
    }

    /// Searches the published disclosure items. Call [`SearchEngine::catch_up`] first.
    pub async fn items(&self, q: &ItemQuery) -> Result<Found, DbError> {
        let open = self.opened().await?;
        let page = Page::of(q.offset, q.limit, q.newest_first, q.facets);
        let filters = open.fields.item_filters(q);
        self.run(open, &format!("item {q:?}"), &q.q, filters, page, &q.scope)
    }

    /// Searches the knowledge base: best match first, the question above the answer, then
    /// the most recently changed. Call [`SearchEngine::catch_up`] first.
    pub async fn entries(&self, q: &EntryQuery) -> Result<Found, DbError> {
        let open = self.opened().await?;
        let page = Page::of(q.offset, q.limit, false, false);
        let filters = open.fields.entry_filters(q);
        self.run(
            open,
            &format!("knowledge {q:?}"),
            &q.q,
            filters,
            page,
            &q.scope,
        )
    }

    /// Searches the service matters the public finds: best match first (name, then
    /// conditions, then legal basis and materials; an implementation code exactly), then by
    /// id. Call [`SearchEngine::catch_up`] first.
    pub async fn matters(&self, q: &MatterQuery) -> Result<Found, DbError> {
        let open = self.opened().await?;
        let page = Page::of(q.offset, q.limit, false, false);
        let filters = open.fields.matter_filters(q);
        self.run(
            open,
            &format!("matter {q:?}"),
            &q.q,
            filters,
            page,
            &q.scope,
        )
    }

    /// The answer to `question` (the search's every parameter) at the current position.
    fn run(
        &self,
        open: &Open,
        question: &str,
        text: &str,
        filters: Vec<(Occur, Box<dyn Query>)>,
        q: Page,
        scope: &Scope,
    ) -> Result<Found, DbError> {
        let at = self.position.load(Ordering::Acquire);
        let words = query_words(text);
        if self.cache > 0 {
            let answers = self.answers.lock().map_err(search_error)?;
            if answers.position == at
                && let Some((ids, facets)) = answers.by_question.get(question)
            {
                return Ok(Found {
                    ids: ids.clone(),
                    facets: facets.clone(),
                    highlighter: Highlighter::new(&words),
                });
            }
        }
        let found = self.search(open, &words, text, filters, q, scope)?;
        if self.cache > 0 {
            let mut answers = self.answers.lock().map_err(search_error)?;
            if answers.position != at || answers.by_question.len() >= self.cache {
                answers.by_question.clear();
                answers.position = at;
            }
            answers.by_question.insert(
                question.to_owned(),
                (found.ids.clone(), found.facets.clone()),
            );
        }
        Ok(found)
    }

    fn search(
        &self,
        open: &Open,
        words: &[(usize, String)],
        text: &str,
        filters: Vec<(Occur, Box<dyn Query>)>,
        q: Page,
        scope: &Scope,
    ) -> Result<Found, DbError> {
        let f = &open.fields;
        let searcher = open.reader.searcher();
        let none = Found {
            ids: vec![],
            facets: q.facets.then(FacetCounts::default),
            highlighter: Highlighter::default(),
        };
        if words.is_empty() || *scope == Scope::Nothing {
            return Ok(none);
        }
        let words_query = f.words_query(words);
        let number = text.trim().to_lowercase();
        let found: Box<dyn Query> = boxed(BooleanQuery::new(vec![
            (Occur::Should, words_query.box_clone()),
            (
                Occur::Should,
                boxed(BoostQuery::new(term(f.numbers, &number), NUMBER)),
            ),
        ]));
        let mut clauses = vec![(Occur::Must, found)];
        clauses.extend(filters);
        let query = BooleanQuery::new(clauses);
        let top = Best {
            keep: q.offset + q.limit.max(1),
            offset: q.offset,
            by_score: !q.newest_first,
        };
        let (page, facets): (Vec<(Rank, DocAddress)>, Option<FacetCounts>) = if q.facets {
            let (p, c) = searcher
                .search_with_statistics_provider(&query, &(top, FacetCollector), &open.reference)
                .map_err(search_error)?;
            (p, Some(c))
        } else {
            let p = searcher
                .search_with_statistics_provider(&query, &top, &open.reference)
                .map_err(search_error)?;
            (p, None)
        };
        let ids = ids_of(&searcher, &page);
        Ok(Found {
            ids,
            facets,
            highlighter: Highlighter::new(words),
        })
    }

    /// How many documents the index holds.
    pub async fn documents(&self) -> Result<u64, DbError> {
        Ok(self.opened().await?.reader.searcher().num_docs())
    }

    /// Whether the index has been built (searches wait for it otherwise).
    pub fn ready(&self) -> bool {
        self.position.load(Ordering::Acquire) >= 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(usize, String)> {
        let mut w = Words;
        let mut s = w.token_stream(text);
        let mut out = vec![];
        while s.advance() {
            out.push((s.token().position, s.token().text.clone()));
        }
        out
    }

    #[test]
    fn words_sit_at_the_offset_of_their_first_character() {
        let t = tokens("做好政务公开工作");
        assert!(t.contains(&(2, "政务".to_owned())), "{t:?}");
        assert!(t.contains(&(4, "公开".to_owned())), "{t:?}");
        let q = query_words("政务公开");
        assert_eq!(q, vec![(0, "政务".to_owned()), (2, "公开".to_owned())]);
    }

    #[test]
    fn ancestors_end_with_a_slash() {
        let p: Vec<&str> = ancestor_paths("/a/bb/c/").collect();
        assert_eq!(p, vec!["/a/", "/a/bb/", "/a/bb/c/"]);
    }

    #[test]
    fn highlighting_escapes_the_text() {
        assert_eq!(escape("<b>&\""), "&lt;b&gt;&amp;&quot;");
        let h = Highlighter::new(&query_words("政务公开 PDF"));
        assert_eq!(
            h.title("<政务公开>目录.pdf"),
            "&lt;<em>政务</em><em>公开</em>&gt;目录.<em>pdf</em>"
        );
    }

    #[test]
    fn a_fragment_starts_a_little_before_the_first_word() {
        let h = Highlighter::new(&query_words("公开"));
        let long = format!("{}依法公开{}", "前".repeat(100), "后".repeat(100));
        let f = h.fragment(&["摘要没有", &long]);
        let lead = format!("{}依法<em>公开</em>后", "前".repeat(FRAGMENT / 4 - 2));
        assert!(f.starts_with(&lead), "{f}");
        assert_eq!(
            f.replace("<em>", "").replace("</em>", "").chars().count(),
            FRAGMENT
        );
        // No word in any text: the beginning of the first that is not blank.
        assert_eq!(h.fragment(&["  ", "正文"]), "正文");
    }
}

//! PDF as agencies publish it (Word/WPS exports, reports printed to PDF): the text of every page with its
//! position, through hayro (`hayro-interpret` runs each page's drawing instructions; a glyph's Unicode comes
//! from the font's `ToUnicode` map, the predefined CJK `CMaps` or its glyph names). Tables are rebuilt from the
//! page's geometry, not from reading order:
//!
//! - **Ruled tables** (every Word/WPS export draws its table's borders): the borders' horizontal and
//!   vertical segments give the grid; where a border between two grid positions is missing, the positions
//!   are one merged cell (rowspan/colspan); each glyph goes to the cell under it. A table that ends a page
//!   and one of the same columns that starts the next are one table, its repeated header rows dropped.
//! - **Everything else** becomes lines by baseline, runs within a line split at wide gaps (a tab), and
//!   paragraphs from lines (a first-line indent, a short last line or a wide vertical gap ends one, also
//!   across a page break); page numbers are dropped. The result is read as plain text ([`super::text`]),
//!   so a table laid out with spaces instead of borders is still a table when its columns are apart.
//!
//! A file this cannot read with certainty is refused with the reason ([`PdfProblem`]): cut short, damaged
//! beyond repair, encrypted with a password, scanned (pages of images, no text: OCR is out of scope), or
//! fonts without a Unicode mapping.

use hayro_interpret::font::Glyph;
use hayro_interpret::hayro_cmap::BfString;
use hayro_interpret::hayro_syntax::{LoadPdfError, Pdf};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache,
    InterpreterSettings, Paint, PathDrawMode, SoftMask, interpret_page,
};
use kurbo::{Affine, BezPath, PathEl, Point, Rect};

use crate::document::{Document, RawCell, RawTable};
use crate::{AuditError, PdfProblem};

mod grid;

use grid::*;

/// Where the literal string opening at `at` ends (just after its closing parenthesis, or the end of
/// `bytes`): balanced parentheses, backslash escapes.
fn after_literal_string(bytes: &[u8], mut at: usize) -> usize {
    let mut open = 1usize;
    at += 1;
    while at < bytes.len() && open > 0 {
        match bytes[at] {
            b'\\' => at += 1,
            b'(' => open += 1,
            b')' => open -= 1,
            _ => {}
        }
        at += 1;
    }
    at.min(bytes.len())
}

/// How deep arrays and dictionaries nest in a PDF file's objects, outside literal and hex strings, comments
/// and stream data: the PDF crate parses nesting recursively, so a file nesting thousands deep (`[[[[…`, a
/// few kilobytes) overflowed the stack and aborted the process — the server with it (found by the fuzzer).
fn object_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    let starts_keyword = |at: usize, keyword: &[u8]| {
        bytes[at..].starts_with(keyword) && (at == 0 || !bytes[at - 1].is_ascii_alphanumeric())
    };
    while at < bytes.len() {
        match bytes[at] {
            b'%' => {
                while at < bytes.len() && !matches!(bytes[at], b'\r' | b'\n') {
                    at += 1;
                }
            }
            b'(' => {
                at = after_literal_string(bytes, at);
                continue;
            }
            b'<' if bytes.get(at + 1) == Some(&b'<') => {
                depth += 1;
                at += 1;
            }
            b'>' if bytes.get(at + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                at += 1;
            }
            b'<' => {
                // A hex string.
                while at < bytes.len() && bytes[at] != b'>' {
                    at += 1;
                }
            }
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b's' if starts_keyword(at, b"stream")
                && matches!(bytes.get(at + 6), Some(b'\r' | b'\n')) =>
            {
                // Stream data is not objects: on to its end (or the file's).
                let rest = &bytes[at + 6..];
                match rest.windows(9).position(|window| window == b"endstream") {
                    Some(end) => at += 6 + end + 9,
                    None => break,
                }
                continue;
            }
            _ => {}
        }
        deepest = deepest.max(depth);
        at += 1;
    }
    deepest
}

/// The deepest arrays and dictionaries may nest in a file's objects (a report's nest a handful deep; the
/// recursion of a few thousand levels overflows a thread's stack).
const MAX_OBJECT_DEPTH: usize = 128;

/// How deep dictionaries nest in a content stream ("<<" opens, ">>" closes), literal strings skipped.
fn dict_depth(stream: &[u8]) -> usize {
    let (mut depth, mut deepest, mut at) = (0usize, 0usize, 0usize);
    while at < stream.len() {
        match stream[at] {
            b'(' => {
                at = after_literal_string(stream, at);
                continue;
            }
            b'<' if stream.get(at + 1) == Some(&b'<') => {
                depth += 1;
                deepest = deepest.max(depth);
                at += 2;
                continue;
            }
            b'>' if stream.get(at + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                at += 2;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    deepest
}

/// The most pages read: a report has a few dozen; a file of more is not one.
pub(crate) const MAX_PAGES: usize = 500;
/// The most glyphs kept over the whole file (bounded memory on hostile input).
const MAX_GLYPHS: usize = 2_000_000;
/// The most border segments per page, and over the whole file (a report's table page draws a few
/// hundred): linking them is quadratic in a page's count.
const MAX_SEGMENTS: usize = 4_000;
const MAX_FILE_SEGMENTS: usize = 100_000;
/// The deepest dictionaries may nest in a page's content stream. A page draws with dictionaries only as the
/// operands of marked content (BDC, DP) and inline images, one or two deep; the content-stream parser of
/// the PDF crate backtracks on nested dictionaries in time that grows exponentially with the depth, its base
/// depending on what follows them (found by the fuzzer: a 45 KB page nesting ~150 deep took three minutes;
/// a 63 KB page nesting only ~20 deep, 73 seconds).
const MAX_DICT_DEPTH: usize = 6;
/// Below this share of glyphs with a Unicode mapping, the text cannot be trusted.
const MIN_MAPPED: f64 = 0.9;
/// A glyph whose font gives no Unicode: a table cell or a paragraph holding one is not read.
const UNMAPPED: char = '\u{FFFD}';

/// A glyph placed on its page: its text, its baseline origin (x right, y down) and its font size.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    text: String,
    x: f64,
    y: f64,
    size: f64,
}

impl Placed {
    /// The glyph's advance as laid out: full width for CJK and full-width forms, half for the rest.
    fn width(&self) -> f64 {
        let wide = self.text.chars().next().is_some_and(|c| c > '\u{2E7F}');
        if wide { self.size } else { self.size * 0.5 }
    }

    fn right(&self) -> f64 {
        self.x + self.width()
    }

    /// The middle of the glyph's box (the baseline is at its foot).
    fn center(&self) -> Point {
        Point::new(self.x + self.width() / 2.0, self.y - self.size * 0.35)
    }
}

/// An axis-aligned segment of a border: horizontal (`at` is y, from `start` to `end` in x) or vertical.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    at: f64,
    start: f64,
    end: f64,
}

/// What one page draws that matters here.
#[derive(Default)]
struct PageInk {
    glyphs: Vec<Placed>,
    horizontal: Vec<Segment>,
    vertical: Vec<Segment>,
    /// Glyphs whose font gives no Unicode (kept in place as U+FFFD, so that no figure loses a digit
    /// unseen).
    unmapped: usize,
    images: usize,
    /// Glyphs that may still be kept under [`MAX_GLYPHS`].
    budget: usize,
    /// Whether a budget ran out: the page was not read whole.
    cut: bool,
}

/// The shortest segment that can be a border, in points.
const MIN_SEGMENT: f64 = 4.0;
/// How far from axis-aligned a border may be, in points.
const AXIS_TOLERANCE: f64 = 0.8;

impl PageInk {
    fn segment(&mut self, from: Point, to: Point) {
        if self.horizontal.len() + self.vertical.len() >= MAX_SEGMENTS {
            self.cut = true;
            return;
        }
        if (from.y - to.y).abs() <= AXIS_TOLERANCE && (from.x - to.x).abs() >= MIN_SEGMENT {
            let at = (from.y + to.y) / 2.0;
            self.horizontal.push(Segment { at, start: from.x.min(to.x), end: from.x.max(to.x) });
        } else if (from.x - to.x).abs() <= AXIS_TOLERANCE && (from.y - to.y).abs() >= MIN_SEGMENT {
            let at = (from.x + to.x) / 2.0;
            self.vertical.push(Segment { at, start: from.y.min(to.y), end: from.y.max(to.y) });
        }
    }
}

/// The device hayro draws a page on: keeps glyphs with their Unicode text and the straight segments of
/// paths (a border is a stroked line or a thin filled rectangle; both give their long edges).
struct Collector {
    ink: PageInk,
    /// Page space to top-down coordinates.
    flip: Affine,
}

impl<'a> Device<'a> for Collector {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}

    fn set_blend_mode(&mut self, _: BlendMode) {}

    fn draw_path(
        &mut self,
        path: &BezPath,
        transform: Affine,
        paint: &Paint<'a>,
        _: &PathDrawMode,
    ) {
        // A border drawn in white or fully transparent is not seen: not a border.
        if let Paint::Color(color) = paint {
            let [red, green, blue, alpha] = color.to_rgba().to_rgba8();
            if alpha < 26 || (red > 230 && green > 230 && blue > 230) {
                return;
            }
        }
        let transform = self.flip * transform;
        let mut start = Point::ZERO;
        let mut last = Point::ZERO;
        for element in path.elements() {
            match *element {
                PathEl::MoveTo(point) => {
                    start = transform * point;
                    last = start;
                }
                PathEl::LineTo(point) => {
                    let point = transform * point;
                    self.ink.segment(last, point);
                    last = point;
                }
                PathEl::QuadTo(_, point) | PathEl::CurveTo(_, _, point) => last = transform * point,
                PathEl::ClosePath => {
                    self.ink.segment(last, start);
                    last = start;
                }
            }
        }
    }

    fn push_clip_path(&mut self, _: &ClipPath) {}

    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}

    fn draw_glyph(
        &mut self,
        glyph: &Glyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        if self.ink.budget == 0 {
            self.ink.cut = true;
            return;
        }
        self.ink.budget -= 1;
        // hayro's glyph space has 1,000 units to the em: the em's height on the page is the font size.
        let matrix = self.flip * transform * glyph_transform;
        let origin = matrix * Point::ZERO;
        let up = matrix * Point::new(0.0, 1000.0) - origin;
        let along = matrix * Point::new(1000.0, 0.0) - origin;
        let size = up.hypot();
        if !(size.is_finite() && origin.x.is_finite() && origin.y.is_finite()) || size < 1.0 {
            return;
        }
        // Only upright text is read (rotated or mirrored text is a stamp, a watermark or a sideways
        // table, whose order this reader does not rebuild).
        if along.x <= 0.0 || along.y.abs() > along.x * 0.1 || up.y >= 0.0 {
            return;
        }
        let text = match glyph.as_unicode() {
            Some(BfString::Char(c)) => c.to_string(),
            Some(BfString::String(s)) => s,
            None => {
                self.ink.unmapped += 1;
                UNMAPPED.to_string()
            }
        };
        if text.chars().all(char::is_control) {
            return;
        }
        self.ink.glyphs.push(Placed { text, x: origin.x, y: origin.y, size });
    }

    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {
        self.ink.images += 1;
    }

    fn pop_clip_path(&mut self) {}

    fn pop_transparency_group(&mut self) {}
}

/// The stack of the thread a PDF is read on: the PDF crate parses nested objects recursively, and the
/// nesting [`object_depth`] cannot see (inside compressed object streams) gets this much room rather than
/// the caller's (a server's blocking threads have 2 MiB). Only the pages used are committed.
const READER_STACK: usize = 64 << 20;

/// Reads a PDF report into paragraphs and tables, on a thread of its own with a large stack.
pub(crate) fn read(bytes: &[u8]) -> Result<Document, AuditError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("pdf-reader".to_owned())
            .stack_size(READER_STACK)
            .spawn_scoped(scope, || read_here(bytes))
            .map_err(|err| AuditError::Unreadable(format!("no thread to read the PDF on: {err}")))?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn read_here(bytes: &[u8]) -> Result<Document, AuditError> {
    // A file cut short (an interrupted download) has lost its end-of-file marker; repairing it would read
    // the pages that survived and miss the rest of a table, so it is refused.
    if !bytes[bytes.len().saturating_sub(1024)..].windows(5).any(|window| window == b"%%EOF") {
        return Err(AuditError::Pdf(PdfProblem::Truncated));
    }
    if object_depth(bytes) > MAX_OBJECT_DEPTH {
        return Err(AuditError::Pdf(PdfProblem::Damaged));
    }
    let pdf = Pdf::new(bytes.to_vec()).map_err(|err| {
        AuditError::Pdf(match err {
            LoadPdfError::Decryption(_) => PdfProblem::Encrypted,
            LoadPdfError::Invalid => PdfProblem::Damaged,
        })
    })?;
    let pages = pdf.pages();
    if pages.is_empty() {
        return Err(AuditError::Pdf(PdfProblem::NoText));
    }
    if pages.len() > MAX_PAGES {
        return Err(AuditError::Pdf(PdfProblem::TooManyPages(pages.len())));
    }
    let cache = InterpreterCache::new();
    let mut budget = MAX_GLYPHS;
    let mut segments = 0;
    let mut read_pages = Vec::with_capacity(pages.len());
    let (mut mapped, mut unmapped, mut images) = (0usize, 0usize, 0usize);
    for page in pages.iter() {
        let (_, height) = page.render_dimensions();
        // Top-down coordinates of the page as shown (its rotation applied).
        let flip = Affine::new(page.initial_transform(true).as_coeffs());
        let mut context = Context::new(
            Affine::IDENTITY,
            Rect::new(0.0, 0.0, 1.0, 1.0),
            &cache,
            pdf.xref(),
            InterpreterSettings::default(),
        );
        let mut collector = Collector { ink: PageInk { budget, ..PageInk::default() }, flip };
        if page.page_stream().is_some_and(|stream| dict_depth(stream) > MAX_DICT_DEPTH) {
            return Err(AuditError::Pdf(PdfProblem::Damaged));
        }
        interpret_page(page, &mut context, &mut collector);
        let ink = collector.ink;
        budget = ink.budget;
        segments += ink.horizontal.len() + ink.vertical.len();
        if ink.cut || segments > MAX_FILE_SEGMENTS {
            return Err(AuditError::Pdf(PdfProblem::TooLarge));
        }
        mapped += ink.glyphs.len() - ink.unmapped;
        unmapped += ink.unmapped;
        images += ink.images;
        read_pages.push((f64::from(height), ink));
    }
    if mapped == 0 {
        return Err(AuditError::Pdf(if images > 0 {
            PdfProblem::Scanned
        } else {
            PdfProblem::NoText
        }));
    }
    let share = mapped as f64 / (mapped + unmapped).max(1) as f64;
    if share < MIN_MAPPED {
        let percent = ((1.0 - share) * 100.0).round().clamp(0.0, 100.0) as u8;
        return Err(AuditError::Pdf(PdfProblem::Unmapped(percent)));
    }
    Ok(assemble(read_pages))
}

/// Builds the document from the pages' ink: ruled tables first, the rest as text.
fn assemble(pages: Vec<(f64, PageInk)>) -> Document {
    let mut tables: Vec<PageTable> = Vec::new();
    let mut text = String::new();
    let mut lines: Vec<Line> = Vec::new();
    for (index, (height, ink)) in pages.into_iter().enumerate() {
        let grids = grids(&ink.horizontal, &ink.vertical);
        let mut rest = Vec::with_capacity(ink.glyphs.len());
        let mut garbled = Vec::new();
        let mut filled: Vec<(Grid, Vec<Vec<Placed>>)> =
            grids.into_iter().map(|grid| (grid, Vec::new())).collect();
        for glyph in ink.glyphs {
            let center = glyph.center();
            match filled.iter_mut().find(|(grid, _)| grid.contains(center)) {
                Some((grid, cells)) => {
                    let at = grid.region_at(center);
                    if cells.len() < grid.regions.len() {
                        cells.resize(grid.regions.len(), Vec::new());
                    }
                    if let Some(at) = at {
                        cells[at].push(glyph);
                    }
                }
                None => rest.push(glyph),
            }
        }
        for (grid, cells) in filled {
            match grid.table(cells) {
                Ok((table, extents)) => tables.push(PageTable {
                    page: index,
                    top: grid.ys[0],
                    bottom: grid.ys[grid.ys.len() - 1],
                    height,
                    xs: grid.xs.clone(),
                    open_top: grid.open_top,
                    open_bottom: grid.open_bottom,
                    table,
                    extents,
                }),
                Err((glyphs, false)) => rest.extend(glyphs),
                Err((glyphs, true)) => garbled.extend(glyphs),
            }
        }
        let mut page = page_lines(rest, index, height);
        let mut overprinted = page_lines(garbled, index, height);
        for line in &mut overprinted {
            line.plain = true;
        }
        page.extend(overprinted);
        page.sort_by(|a, b| a.y.total_cmp(&b.y));
        lines.extend(page);
    }
    text.push_str(&paragraphs_text(&lines));
    let mut document = super::text::read_text(&text, false);
    // A paragraph with a glyph its font gives no text for may have lost a digit: not read.
    document.paragraphs.retain(|paragraph| !paragraph.contains(UNMAPPED));
    let mut ruled = join_continued(tables);
    ruled.append(&mut document.tables);
    document.tables = ruled;
    document
}

/// A ruled table found on a page, with its column borders, and whether its first or last row is open (a
/// row split by the page break: the page's part of it has no border on that side).
struct PageTable {
    page: usize,
    /// Where it starts and ends on its page, and the page's height.
    top: f64,
    bottom: f64,
    height: f64,
    xs: Vec<f64>,
    open_top: bool,
    open_bottom: bool,
    table: RawTable,
    /// Each cell's left and right border, row by row as in `table`.
    extents: Extents,
}

/// A cell's left and right border on its page.
type Extent = (f64, f64);
/// The cells' borders of a table, row by row.
type Extents = Vec<Vec<Extent>>;

impl PageTable {
    /// Lays the table on the column borders `xs` (its own and more): each cell spans the columns between
    /// its borders.
    fn respan(&mut self, xs: &[f64]) {
        for (row, extents) in self.table.rows.iter_mut().zip(&self.extents) {
            for (cell, (left, right)) in row.iter_mut().zip(extents) {
                let inside = xs.iter().filter(|x| **x > left + SNAP && **x < right - SNAP).count();
                cell.colspan = u16::try_from(inside + 1).unwrap_or(u16::MAX);
            }
        }
        self.xs = xs.to_vec();
    }
}

/// A row's cell texts (spans aside): a header repeated on the next page is the same row of texts.
fn texts(row: &[RawCell]) -> Vec<&str> {
    row.iter().map(|cell| cell.text.as_str()).collect()
}

/// Joins a table that starts a page to the one that ended the page before when their column borders are
/// the same, dropping the header rows the continuation repeats.
fn join_continued(tables: Vec<PageTable>) -> Vec<RawTable> {
    let mut joined: Vec<PageTable> = Vec::new();
    for mut table in tables {
        let first_on_page = !joined.iter().any(|other| other.page == table.page);
        let continues = joined.last().is_some_and(|previous| {
            let same_columns = previous.xs.len() == table.xs.len()
                && previous.xs.iter().zip(&table.xs).all(|(a, b)| (a - b).abs() <= 3.0);
            // A table whose columns differ (a part without the rows that split a column) continues
            // when it repeats the header.
            let same_header = matches!(
                (previous.table.rows.first(), table.table.rows.first()),
                (Some(a), Some(b)) if texts(a) == texts(b) && texts(a).iter().any(|text| !text.is_empty())
            );
            // One that ends its page, the other that starts the next.
            let adjoining =
                previous.bottom >= previous.height * 0.55 && table.top <= table.height * 0.45;
            previous.page + 1 == table.page
                && first_on_page
                && adjoining
                && (same_columns || same_header)
        });
        match joined.last_mut() {
            Some(previous) if continues => {
                if previous.xs.len() != table.xs.len()
                    || previous.xs.iter().zip(&table.xs).any(|(a, b)| (a - b).abs() > 3.0)
                {
                    let union = distinct(previous.xs.iter().chain(&table.xs).copied().collect());
                    previous.respan(&union);
                    table.respan(&union);
                }
                let mut rows: Vec<(Vec<RawCell>, Vec<Extent>)> =
                    table.table.rows.into_iter().zip(table.extents).collect();
                if previous.open_bottom && table.open_top && !rows.is_empty() {
                    // The two parts of a row split by the page break: each cell's text joined.
                    let (first, extents) = rows.remove(0);
                    match previous.table.rows.last_mut() {
                        Some(last) if last.len() == first.len() => {
                            for (cell, rest) in last.iter_mut().zip(first) {
                                cell.text.push_str(&rest.text);
                            }
                        }
                        _ => {
                            previous.table.rows.push(first);
                            previous.extents.push(extents);
                        }
                    }
                } else {
                    // The header rows the continuation repeats.
                    let repeated = previous
                        .table
                        .rows
                        .iter()
                        .zip(&rows)
                        .take_while(|(a, (b, _))| texts(a) == texts(b))
                        .count();
                    rows.drain(..repeated);
                }
                for (row, extents) in rows {
                    previous.table.rows.push(row);
                    previous.extents.push(extents);
                }
                previous.page = table.page;
                previous.bottom = table.bottom;
                previous.height = table.height;
                previous.open_bottom = table.open_bottom;
            }
            _ => joined.push(table),
        }
    }
    joined.into_iter().map(|table| table.table).collect()
}

/// A cell's text: its glyphs in lines (by baseline), each line left to right; a space where a gap is wider
/// than half a character between two non-CJK characters.
fn cell_text(glyphs: Vec<Placed>) -> String {
    let lines = lines_of(glyphs);
    let mut text = String::new();
    for line in lines {
        text.push_str(&line_text(&line.glyphs, false));
    }
    text.trim().to_owned()
}

/// A line of glyphs with its baseline.
struct Line {
    glyphs: Vec<Placed>,
    y: f64,
    page: usize,
    /// Text of a table whose figures overprint each other: prose at most, never a table row.
    plain: bool,
}

impl Line {
    fn left(&self) -> f64 {
        self.glyphs.first().map_or(0.0, |glyph| glyph.x)
    }

    fn right(&self) -> f64 {
        self.glyphs.last().map_or(0.0, Placed::right)
    }

    fn size(&self) -> f64 {
        let total: f64 = self.glyphs.iter().map(|glyph| glyph.size).sum();
        total / self.glyphs.len().max(1) as f64
    }
}

/// Glyphs grouped into lines by baseline (within a third of the font size), top to bottom, each left to
/// right.
fn lines_of(mut glyphs: Vec<Placed>) -> Vec<Line> {
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for glyph in glyphs {
        match lines.last_mut() {
            Some(line) if (glyph.y - line.y).abs() <= glyph.size.min(line.glyphs[0].size) / 3.0 => {
                line.glyphs.push(glyph);
            }
            _ => lines.push(Line { y: glyph.y, glyphs: vec![glyph], page: 0, plain: false }),
        }
    }
    for line in &mut lines {
        line.glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    lines
}

/// A gap this many font sizes wide (a blank character or more, which text set solid never has) splits a
/// line into runs: columns laid out with spaces or tabs.
const RUN_GAP: f64 = 1.0;

/// A line's text; with `tabs`, runs apart by [`RUN_GAP`] are separated by a tab.
fn line_text(glyphs: &[Placed], tabs: bool) -> String {
    let mut text = String::new();
    let mut previous: Option<&Placed> = None;
    for glyph in glyphs {
        if let Some(previous) = previous {
            let gap = glyph.x - previous.right();
            // Overprinted glyphs (bold simulated by drawing twice) are one.
            if gap < -previous.width() * 0.7 && glyph.text == previous.text {
                continue;
            }
            if tabs && gap >= RUN_GAP * glyph.size.max(previous.size) {
                text.push('\t');
            } else if gap > glyph.size * 0.5 {
                let ascii = |placed: &Placed| placed.text.chars().all(|c| c.is_ascii_graphic());
                if ascii(previous) && ascii(glyph) {
                    text.push(' ');
                }
            }
        }
        text.push_str(&glyph.text);
        previous = Some(glyph);
    }
    text
}

/// A page number as printed in a header or footer: `3`, `- 3 -`, `— 3 —`, `第3页`, `第 3 页 共 9 页`, `3/9`.
fn is_page_number(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let core = compact.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '－' | '·'));
    let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
    if digits(core) {
        return true;
    }
    if let Some((page, total)) = core.split_once('/') {
        return digits(page) && digits(total);
    }
    let words = core.replace(['第', '页', '共'], " ");
    let parts: Vec<&str> = words.split_whitespace().collect();
    core.starts_with('第')
        && !parts.is_empty()
        && parts.len() <= 2
        && parts.iter().all(|p| digits(p))
}

/// The page's text lines outside its tables, page numbers dropped.
fn page_lines(glyphs: Vec<Placed>, page: usize, height: f64) -> Vec<Line> {
    let mut lines = lines_of(glyphs);
    for line in &mut lines {
        line.page = page;
    }
    let margin = height * 0.12;
    lines.retain(|line| {
        let in_margin = line.y < margin || line.y > height - margin;
        !(in_margin && is_page_number(&line_text(&line.glyphs, false)))
    });
    lines
}

/// The text of the lines as [`super::text`] reads it: one paragraph a line, a line with runs apart (a
/// table laid out with spaces) as cells between tabs.
fn paragraphs_text(lines: &[Line]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    // The body's left and right edges: the most common line start, the furthest line end.
    let mut starts: Vec<i64> = lines.iter().map(|line| line.left().round() as i64).collect();
    starts.sort_unstable();
    let left = most_common(&starts) as f64;
    let right = lines.iter().map(Line::right).fold(f64::MIN, f64::max);
    // Rows of a table laid out by space: a row with fewer runs than most rows of its table has a blank
    // cell the gaps do not show — which one cannot be told, so the row is left out (its cells absent,
    // never shifted into the wrong columns).
    let tabbed: Vec<Option<String>> = lines
        .iter()
        .map(|line| {
            let text = line_text(&line.glyphs, !line.plain);
            (text.contains('\t') && !text.contains(UNMAPPED)).then_some(text)
        })
        .collect();
    let mut ambiguous = vec![false; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        if tabbed[start].is_none() {
            start += 1;
            continue;
        }
        let end = (start..lines.len()).find(|at| tabbed[*at].is_none()).unwrap_or(lines.len());
        let runs: Vec<usize> = tabbed[start..end]
            .iter()
            .map(|text| text.as_deref().map_or(0, |text| text.matches('\t').count() + 1))
            .collect();
        let mut sorted: Vec<i64> = runs.iter().map(|runs| *runs as i64).collect();
        sorted.sort_unstable();
        let usual = most_common(&sorted) as usize;
        for (offset, count) in runs.iter().enumerate() {
            ambiguous[start + offset] = usual >= 3 && *count > 1 && *count < usual;
        }
        start = end;
    }
    let mut out = String::new();
    let mut previous: Option<&Line> = None;
    let mut open = false;
    for (index, line) in lines.iter().enumerate() {
        let size = line.size();
        if ambiguous[index] {
            out.push_str(if open { "\n" } else { "" });
            open = false;
            previous = None;
            continue;
        }
        if let Some(tabbed) = &tabbed[index] {
            out.push_str(if open { "\n" } else { "" });
            out.push_str(tabbed);
            out.push('\n');
            open = false;
            previous = None;
            continue;
        }
        let text = line_text(&line.glyphs, false);
        let continues = previous.is_some_and(|previous| {
            let same_page = previous.page == line.page;
            let spacing = line.y - previous.y;
            let close = !same_page || (spacing > 0.0 && spacing <= 2.2 * size.max(previous.size()));
            // A line that ends a paragraph ends short; one a line-breaking rule ended early (a quote or
            // a book title kept together) ends within three characters of the edge, and not on a stop.
            let ends_sentence = previous.glyphs.last().is_some_and(|glyph| {
                glyph.text.ends_with(['。', '；', '：', '！', '？', '.', ';', ':'])
            });
            let full = previous.right() >= right - 2.0 * previous.size()
                || (!ends_sentence && previous.right() >= right - 3.5 * previous.size());
            let not_indented = line.left() <= left + size * 0.8;
            close && full && not_indented && (previous.size() - size).abs() <= 1.0
        });
        if continues {
            if let (Some(last), Some(first)) = (out.chars().last(), text.chars().next())
                && last.is_ascii_alphanumeric()
                && first.is_ascii_alphabetic()
            {
                out.push(' ');
            }
        } else if open {
            out.push('\n');
        }
        out.push_str(&text);
        open = true;
        previous = Some(line);
    }
    if open {
        out.push('\n');
    }
    out
}

fn most_common(sorted: &[i64]) -> i64 {
    let mut best = (sorted[0], 0usize);
    let mut run = (sorted[0], 0usize);
    for value in sorted {
        if *value == run.0 {
            run.1 += 1;
        } else {
            run = (*value, 1);
        }
        if run.1 > best.1 {
            best = run;
        }
    }
    best.0
}

#[cfg(test)]
mod tests;

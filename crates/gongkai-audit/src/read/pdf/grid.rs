//! Tables from ruling: the page's horizontal and vertical segments merged, snapped and gathered into grids
//! (one per frame), each grid's rows and columns, and the cells that span them.

use super::*;

/// Positions within this distance are one border.
pub(super) const SNAP: f64 = 2.0;

/// Sorted distinct positions, those within [`SNAP`] of each other merged.
pub(super) fn distinct(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::new();
    for value in values {
        match out.last() {
            Some(last) if value - last <= SNAP => {}
            _ => out.push(value),
        }
    }
    out
}

/// A table's grid: its border positions, which positions are merged into one cell (regions), and the
/// region of each grid position.
pub(super) struct Grid {
    pub(super) xs: Vec<f64>,
    pub(super) ys: Vec<f64>,
    /// Per region: first row, first column, rows, columns.
    pub(super) regions: Vec<(usize, usize, usize, usize)>,
    /// Region index of each grid position, row-major.
    pub(super) at: Vec<usize>,
    /// The first row has no top border (its borders start above the first horizontal one).
    pub(super) open_top: bool,
    /// The last row has no bottom border.
    pub(super) open_bottom: bool,
}

impl Grid {
    pub(super) fn contains(&self, point: Point) -> bool {
        let (Some(x0), Some(x1), Some(y0), Some(y1)) =
            (self.xs.first(), self.xs.last(), self.ys.first(), self.ys.last())
        else {
            return false;
        };
        point.x > *x0 && point.x < *x1 && point.y > *y0 && point.y < *y1
    }

    pub(super) fn region_at(&self, point: Point) -> Option<usize> {
        let column = self.xs.windows(2).position(|pair| point.x > pair[0] && point.x <= pair[1])?;
        let row = self.ys.windows(2).position(|pair| point.y > pair[0] && point.y <= pair[1])?;
        self.at.get(row * (self.xs.len() - 1) + column).copied()
    }

    /// The table, each region a cell with its spans and its glyphs' text. Refused — the glyphs given back
    /// to be read as text, with whether they overprint (then never as a table) — when it has fewer than two rows or two columns with text (a frame or a box
    /// around a paragraph is not a table), when a cell holds runs apart as columns are (a border the grid
    /// does not have), or when text runs over a cell's border: its cells cannot be trusted.
    #[expect(
        clippy::type_complexity,
        reason = "the table and its cells' borders, or the glyphs back"
    )]
    pub(super) fn table(
        &self,
        mut cells: Vec<Vec<Placed>>,
    ) -> Result<(RawTable, Vec<Vec<(f64, f64)>>), (Vec<Placed>, bool)> {
        cells.resize(self.regions.len(), Vec::new());
        let split = cells.iter().any(|glyphs| {
            lines_of(glyphs.clone()).iter().any(|line| line_text(&line.glyphs, true).contains('\t'))
        });
        // Text running over a cell's border (a figure too wide for its column overprints the next
        // one), or a glyph without Unicode: what a cell says cannot be told.
        let overflow = cells.iter().zip(&self.regions).any(|(glyphs, (_, left, _, width))| {
            let (x0, x1) = (self.xs[*left], self.xs[left + width]);
            glyphs.iter().any(|glyph| {
                let slack = glyph.width() * 0.3;
                glyph.x < x0 - slack || glyph.right() > x1 + slack || glyph.text.contains(UNMAPPED)
            })
        });
        let columns = self.xs.len() - 1;
        let rows = self.ys.len() - 1;
        let mut table = RawTable::default();
        let mut extents = Vec::with_capacity(rows);
        let mut rows_with_text = 0;
        let mut columns_with_text = vec![false; columns];
        for row in 0..rows {
            let mut cells_of_row = Vec::new();
            let mut extents_of_row = Vec::new();
            let mut text_in_row = false;
            for (column, column_has_text) in columns_with_text.iter_mut().enumerate() {
                let region = self.at[row * columns + column];
                let (first_row, first_column, height, width) = self.regions[region];
                if first_row != row || first_column != column {
                    continue;
                }
                let text = cell_text(cells[region].clone());
                if !text.is_empty() {
                    text_in_row = true;
                    *column_has_text = true;
                }
                cells_of_row.push(RawCell {
                    text,
                    colspan: u16::try_from(width).unwrap_or(u16::MAX),
                    rowspan: u16::try_from(height).unwrap_or(u16::MAX),
                });
                extents_of_row.push((self.xs[column], self.xs[column + width]));
            }
            if text_in_row {
                rows_with_text += 1;
            }
            table.rows.push(cells_of_row);
            extents.push(extents_of_row);
        }
        let enough =
            rows_with_text >= 2 && columns_with_text.iter().filter(|has| **has).count() >= 2;
        if enough && !split && !overflow {
            Ok((table, extents))
        } else {
            Err((cells.into_iter().flatten().collect(), overflow))
        }
    }
}

/// Whether a border segment at `at` covers `point` along its length.
pub(super) fn covers(segments: &[Segment], at: f64, along: f64) -> bool {
    segments.iter().any(|segment| {
        (segment.at - at).abs() <= SNAP
            && segment.start - SNAP <= along
            && along <= segment.end + SNAP
    })
}

/// Merges segments on one line (positions within [`SNAP`]) that touch or overlap; each merged segment
/// lies at the mean position of its parts.
pub(super) fn merged(mut segments: Vec<Segment>) -> Vec<Segment> {
    segments.sort_by(|a, b| a.at.total_cmp(&b.at));
    let mut out: Vec<Segment> = Vec::new();
    let mut line: Vec<Segment> = Vec::new();
    let flush = |line: &mut Vec<Segment>, out: &mut Vec<Segment>| {
        line.sort_by(|a, b| a.start.total_cmp(&b.start));
        let mut current: Option<(Segment, f64, usize)> = None;
        for segment in line.drain(..) {
            current = match current {
                Some((mut joined, sum, count)) if segment.start <= joined.end + SNAP => {
                    joined.end = joined.end.max(segment.end);
                    Some((joined, sum + segment.at, count + 1))
                }
                Some((joined, sum, count)) => {
                    out.push(Segment { at: sum / count as f64, ..joined });
                    Some((segment, segment.at, 1))
                }
                None => Some((segment, segment.at, 1)),
            };
        }
        if let Some((joined, sum, count)) = current {
            out.push(Segment { at: sum / count as f64, ..joined });
        }
    };
    for segment in segments {
        if line.last().is_some_and(|last| segment.at - last.at > SNAP) {
            flush(&mut line, &mut out);
        }
        line.push(segment);
    }
    flush(&mut line, &mut out);
    out
}

/// The page's ruled tables: the segments are grouped into connected frames, and each frame with at least
/// two rows and two columns of positions is a grid.
pub(super) fn grids(horizontal: &[Segment], vertical: &[Segment]) -> Vec<Grid> {
    let horizontal = merged(horizontal.to_vec());
    let vertical = merged(vertical.to_vec());
    // Connected frames: a horizontal and a vertical segment that meet belong together.
    let count = horizontal.len() + vertical.len();
    let mut parent: Vec<usize> = (0..count).collect();
    pub(super) fn root(parent: &mut [usize], mut node: usize) -> usize {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    }
    for (h_index, h) in horizontal.iter().enumerate() {
        for (v_index, v) in vertical.iter().enumerate() {
            let meets = v.at >= h.start - SNAP
                && v.at <= h.end + SNAP
                && h.at >= v.start - SNAP
                && h.at <= v.end + SNAP;
            if meets {
                let (a, b) =
                    (root(&mut parent, h_index), root(&mut parent, horizontal.len() + v_index));
                parent[a] = b;
            }
        }
    }
    let mut frames: Vec<(usize, Vec<Segment>, Vec<Segment>)> = Vec::new();
    for node in 0..count {
        let frame = root(&mut parent, node);
        let index = match frames.iter().position(|(id, _, _)| *id == frame) {
            Some(index) => index,
            None => {
                frames.push((frame, Vec::new(), Vec::new()));
                frames.len() - 1
            }
        };
        if node < horizontal.len() {
            frames[index].1.push(horizontal[node]);
        } else {
            frames[index].2.push(vertical[node - horizontal.len()]);
        }
    }
    frames
        .into_iter()
        .flat_map(|(_, horizontal, vertical)| split_frame(&horizontal, &vertical))
        .collect()
}

/// The grids of one frame: two tables drawn one right under the other touch and make one frame; where the
/// column borders of one row band and the next have none in common, they are two tables.
pub(super) fn split_frame(horizontal: &[Segment], vertical: &[Segment]) -> Vec<Grid> {
    let ys = distinct(horizontal.iter().map(|segment| segment.at).collect());
    let xs = distinct(vertical.iter().map(|segment| segment.at).collect());
    if ys.len() < 3 || xs.len() < 3 {
        return Vec::new();
    }
    let inner = |band: usize| -> Vec<usize> {
        let middle = (ys[band] + ys[band + 1]) / 2.0;
        (1..xs.len() - 1).filter(|at| covers(vertical, xs[*at], middle)).collect()
    };
    let mut cuts = vec![ys[0] - 2.0 * SNAP - 1.0];
    for band in 0..ys.len().saturating_sub(2) {
        let (this, next) = (inner(band), inner(band + 1));
        if !this.is_empty() && !next.is_empty() && this.iter().all(|at| !next.contains(at)) {
            cuts.push(ys[band + 1]);
        }
    }
    if cuts.len() == 1 {
        return grid(horizontal, vertical).into_iter().collect();
    }
    cuts.push(f64::MAX);
    cuts.windows(2)
        .filter_map(|range| {
            let (top, bottom) = (range[0], range[1]);
            let horizontal: Vec<Segment> = horizontal
                .iter()
                .filter(|segment| segment.at >= top - SNAP && segment.at <= bottom + SNAP)
                .copied()
                .collect();
            let vertical: Vec<Segment> = vertical
                .iter()
                .filter(|segment| segment.end > top + SNAP && segment.start < bottom - SNAP)
                .map(|segment| Segment {
                    start: segment.start.max(top),
                    end: segment.end.min(bottom),
                    ..*segment
                })
                .collect();
            grid(&horizontal, &vertical)
        })
        .collect()
}

/// The grid of one frame, or `None` when it is not a table's.
pub(super) fn grid(horizontal: &[Segment], vertical: &[Segment]) -> Option<Grid> {
    let mut ys = distinct(horizontal.iter().map(|segment| segment.at).collect());
    let xs = distinct(vertical.iter().map(|segment| segment.at).collect());
    // A row split by a page break: the verticals run past the last (or before the first) horizontal
    // border; the page's edge of that row closes it.
    let top = vertical.iter().map(|segment| segment.start).fold(f64::MAX, f64::min);
    let bottom = vertical.iter().map(|segment| segment.end).fold(f64::MIN, f64::max);
    let open_top = ys.first().is_some_and(|first| top < first - 2.0 * SNAP);
    let open_bottom = ys.last().is_some_and(|last| bottom > last + 2.0 * SNAP);
    if open_top {
        ys.insert(0, top);
    }
    if open_bottom {
        ys.push(bottom);
    }
    if ys.len() < 3 || xs.len() < 3 || ys.len() > 2_000 || xs.len() > 64 {
        return None;
    }
    let (rows, columns) = (ys.len() - 1, xs.len() - 1);
    // Flood fill: positions with no border between them are one region.
    let mut at = vec![usize::MAX; rows * columns];
    let mut regions = Vec::new();
    for start in 0..rows * columns {
        if at[start] != usize::MAX {
            continue;
        }
        let region = regions.len();
        let mut stack = vec![start];
        at[start] = region;
        let (mut top, mut left, mut bottom, mut right) = (rows, columns, 0, 0);
        while let Some(position) = stack.pop() {
            let (row, column) = (position / columns, position % columns);
            top = top.min(row);
            left = left.min(column);
            bottom = bottom.max(row);
            right = right.max(column);
            let middle_y = (ys[row] + ys[row + 1]) / 2.0;
            let middle_x = (xs[column] + xs[column + 1]) / 2.0;
            let mut neighbours = Vec::with_capacity(4);
            if column + 1 < columns && !covers(vertical, xs[column + 1], middle_y) {
                neighbours.push(position + 1);
            }
            if column > 0 && !covers(vertical, xs[column], middle_y) {
                neighbours.push(position - 1);
            }
            if row + 1 < rows && !covers(horizontal, ys[row + 1], middle_x) {
                neighbours.push(position + columns);
            }
            if row > 0 && !covers(horizontal, ys[row], middle_x) {
                neighbours.push(position - columns);
            }
            for next in neighbours {
                if at[next] == usize::MAX {
                    at[next] = region;
                    stack.push(next);
                }
            }
        }
        regions.push((top, left, bottom - top + 1, right - left + 1));
    }
    // A region that is not a rectangle is not a merged cell: the frame is not a table grid.
    for (index, (top, left, height, width)) in regions.iter().enumerate() {
        for row in *top..top + height {
            for column in *left..left + width {
                if at[row * columns + column] != index {
                    return None;
                }
            }
        }
    }
    Some(Grid { xs, ys, regions, at, open_top, open_bottom })
}

//! Figure 1 of the report: proactive disclosures by category, as a pie chart with Chinese labels and
//! percentages (the same one-decimal shares as the narrative), in SVG and PNG.

use std::sync::Once;

use gongkai_core::report::text::percentages;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::{FONT_BOLD, FONT_REGULAR, RenderError};

/// Chart size in pixels.
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 600;

const PALETTE: [RGBColor; 8] = [
    RGBColor(0x2b, 0x57, 0x9a),
    RGBColor(0xd9, 0x53, 0x4f),
    RGBColor(0xf0, 0xad, 0x4e),
    RGBColor(0x5c, 0xb8, 0x5c),
    RGBColor(0x8e, 0x6c, 0xc0),
    RGBColor(0x46, 0xb8, 0xda),
    RGBColor(0x99, 0x99, 0x99),
    RGBColor(0xa0, 0x52, 0x2d),
];

/// plotters needs the font registered before any drawing, SVG included.
fn register_fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The fonts are compiled in and known to parse; failure here is a build defect.
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_REGULAR)
            .unwrap_or_else(|_| panic!("embedded regular font does not parse"));
        plotters::style::register_font("sans-serif", FontStyle::Bold, FONT_BOLD)
            .unwrap_or_else(|_| panic!("embedded bold font does not parse"));
    });
}

/// The legend entries: "政策文件 137条 13.8%".
pub fn labels(categories: &[(String, u64)]) -> Vec<String> {
    let counts: Vec<u64> = categories.iter().map(|(_, count)| *count).collect();
    let shares = percentages(&counts, 1);
    categories
        .iter()
        .zip(shares)
        .map(|((name, count), share)| format!("{name} {count}条 {share}%"))
        .collect()
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    categories: &[(String, u64)],
) -> Result<(), RenderError>
where
    DB::ErrorType: 'static,
{
    let chart_error =
        |err: DrawingAreaErrorKind<DB::ErrorType>| RenderError::Chart(err.to_string());
    root.fill(&WHITE).map_err(chart_error)?;
    let area = root
        .titled(title, ("sans-serif", 28).into_font().style(FontStyle::Bold))
        .map_err(chart_error)?;
    let (area_width, area_height) = area.dim_in_pixel();
    if categories.iter().all(|(_, count)| *count == 0) {
        area.draw(&Text::new(
            "本年度无主动公开信息",
            (area_width as i32 / 2 - 120, area_height as i32 / 2),
            ("sans-serif", 24).into_font(),
        ))
        .map_err(chart_error)?;
        return Ok(());
    }
    let sizes: Vec<f64> = categories.iter().map(|(_, count)| *count as f64).collect();
    let colors: Vec<RGBColor> =
        (0..categories.len()).map(|index| PALETTE[index % PALETTE.len()]).collect();
    let labels = labels(categories);
    // The pie on the left without slice labels (small slices' labels would collide); a legend on the right.
    let blank_labels = vec![""; categories.len()];
    let center = (area_width as i32 * 3 / 10, area_height as i32 / 2);
    let radius = f64::from(area_height.min(area_width)) * 0.40;
    let mut pie = Pie::new(&center, &radius, &sizes, &colors, &blank_labels);
    pie.start_angle(-90.0);
    area.draw(&pie).map_err(chart_error)?;
    let legend_x = area_width as i32 * 3 / 5;
    let line_height = 44;
    let top = area_height as i32 / 2 - line_height * categories.len() as i32 / 2;
    for (index, (label, color)) in labels.iter().zip(&colors).enumerate() {
        let y = top + line_height * index as i32;
        area.draw(&Rectangle::new([(legend_x, y), (legend_x + 26, y + 26)], color.filled()))
            .map_err(chart_error)?;
        area.draw(&Text::new(label.clone(), (legend_x + 40, y), ("sans-serif", 26).into_font()))
            .map_err(chart_error)?;
    }
    root.present().map_err(chart_error)?;
    Ok(())
}

/// The chart as an SVG document (text left to the viewer's fonts).
pub fn svg(title: &str, categories: &[(String, u64)]) -> Result<String, RenderError> {
    register_fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw(root, title, categories)?;
    }
    Ok(out)
}

/// The chart as a PNG image (text drawn with the embedded font).
pub fn png(title: &str, categories: &[(String, u64)]) -> Result<Vec<u8>, RenderError> {
    register_fonts();
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        draw(root, title, categories)?;
    }
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(
        encoder,
        &pixels,
        WIDTH,
        HEIGHT,
        image::ExtendedColorType::Rgb8,
    )
    .map_err(|err| RenderError::Chart(err.to_string()))?;
    Ok(out)
}

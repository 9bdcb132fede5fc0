//! Charts as SVG text, drawn on the server: readable before any JavaScript runs, no
//! chart library in the browser, and the same file downloads as the chart's export.
//! Each carries a `<title>` and `<desc>` (screen readers announce them); the page puts
//! the data table next to it. Text and axes use `currentColor`, so a dark theme only
//! sets the text colour.

/// Handling, success, satisfaction: the same colour for a rate everywhere.
pub const COLOURS: [&str; 3] = ["#b4232a", "#1f6feb", "#2e7d32"];

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A stable id for the title element (several charts share a page).
fn id_of(title: &str) -> String {
    let mut h: u32 = 2166136261;
    for b in title.bytes() {
        h = (h ^ b as u32).wrapping_mul(16777619);
    }
    format!("c{h:08x}")
}

fn open(w: u32, h: u32, font: u32, title: &str, desc: &str) -> String {
    let id = id_of(title);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-labelledby=\"{id}-t {id}-d\" font-family=\"system-ui, sans-serif\" font-size=\"{font}\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    )
}

/// Lines over months; values are fractions (0.934 = 93.4 %), gaps where a month has none.
/// `partial`: the last month is still running; its piece of each line is dashed, its point
/// hollow, and the legend says so (a month half done is no fall in the rates).
pub fn line_chart(
    title: &str,
    desc: &str,
    months: &[String],
    series: &[(String, &str, Vec<Option<f64>>)],
    partial: Option<&str>,
) -> String {
    let (w, h) = (960u32, 340u32);
    let (left, right, top, bottom) = (48.0, 12.0, 34.0, 28.0);
    let plot_w = w as f64 - left - right;
    let plot_h = h as f64 - top - bottom;
    let lowest = series
        .iter()
        .flat_map(|(_, _, v)| v.iter().flatten())
        .fold(1.0f64, |a, b| a.min(*b));
    // Start the axis at a round tenth below the lowest value, so changes of a few
    // points are visible; never below 0.
    let y_min = ((lowest - 0.05) * 10.0).floor().clamp(0.0, 9.0) / 10.0;
    let y = |v: f64| top + (1.0 - (v - y_min) / (1.0 - y_min)) * plot_h;
    let n = months.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + i as f64 / n * plot_w;
    let mut out = open(w, h, 13, title, desc);
    // Grid and the vertical axis's labels.
    let mut t = y_min;
    while t <= 1.0001 {
        out.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"currentColor\" stroke-opacity=\"0.15\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"currentColor\" fill-opacity=\"0.75\">{:.0}%</text>",
            left + plot_w,
            y(t),
            y(t),
            left - 6.0,
            y(t) + 4.0,
            t * 100.0
        ));
        t += 0.1;
    }
    // Years along the bottom, at each January.
    for (i, m) in months.iter().enumerate() {
        if m.ends_with("-01") || i == 0 {
            out.push_str(&format!(
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{top}\" y2=\"{1:.1}\" stroke=\"currentColor\" stroke-opacity=\"0.08\"/>\
                 <text x=\"{0:.1}\" y=\"{2:.1}\" fill=\"currentColor\" fill-opacity=\"0.75\">{3}</text>",
                x(i),
                top + plot_h,
                h as f64 - 8.0,
                escape(&m[..4])
            ));
        }
    }
    // Legend.
    let mut lx = left;
    for (name, colour, _) in series {
        out.push_str(&format!(
            "<rect x=\"{lx:.1}\" y=\"10\" width=\"14\" height=\"4\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"16\" fill=\"currentColor\">{}</text>",
            lx + 20.0,
            escape(name)
        ));
        lx += 40.0 + name.chars().count() as f64 * 12.0;
    }
    if let Some(label) = partial {
        out.push_str(&format!(
            "<line x1=\"{lx:.1}\" x2=\"{:.1}\" y1=\"12\" y2=\"12\" stroke=\"currentColor\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{:.1}\" y=\"16\" fill=\"currentColor\" data-partial=\"true\">{}</text>",
            lx + 14.0,
            lx + 20.0,
            escape(label)
        ));
    }
    let last = values_len(series).saturating_sub(1);
    for (name, colour, values) in series {
        let mut d = String::new();
        let mut pen_down = false;
        // The running month is drawn apart, dashed, from the month before it.
        let solid = if partial.is_some() {
            last
        } else {
            values.len()
        };
        for (i, v) in values.iter().enumerate().take(solid) {
            match v {
                Some(v) => {
                    d.push_str(&format!(
                        "{}{:.1} {:.1} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    ));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        out.push_str(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-linejoin=\"round\"><title>{}</title></path>",
            d.trim_end(),
            escape(name)
        ));
        if partial.is_some() && last > 0 {
            if let (Some(Some(a)), Some(Some(b))) = (values.get(last - 1), values.get(last)) {
                out.push_str(&format!(
                    "<path d=\"M{:.1} {:.1} L{:.1} {:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"4 3\" data-partial=\"true\"/>",
                    x(last - 1),
                    y(*a),
                    x(last),
                    y(*b)
                ));
            }
        }
        // The latest value, labelled at the end of the line.
        if let Some((i, v)) = values
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, v)| v.map(|v| (i, v)))
        {
            let hollow = partial.is_some() && i == last;
            out.push_str(&format!(
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\" stroke=\"{colour}\" stroke-width=\"1.5\"/>",
                x(i),
                y(v),
                if hollow { "#fff" } else { colour }
            ));
        }
    }
    out.push_str("</svg>");
    out
}

fn values_len(series: &[(String, &str, Vec<Option<f64>>)]) -> usize {
    series.iter().map(|(_, _, v)| v.len()).max().unwrap_or(0)
}

/// Horizontal bars: (label, value, value as shown), against `max`.
pub fn bar_chart(title: &str, desc: &str, rows: &[(String, f64, String)], max: f64) -> String {
    // Narrow and large-lettered, so it stays legible when a phone scales it down.
    let row_h = 30.0;
    let (w, label_w, value_w) = (520.0, 150.0, 76.0);
    let h = (rows.len().max(1) as f64 * row_h + 8.0).ceil() as u32;
    let bar_w = w - label_w - value_w;
    let mut out = open(w as u32, h, 15, title, desc);
    if rows.is_empty() {
        out.push_str("<text x=\"0\" y=\"18\" fill=\"currentColor\" fill-opacity=\"0.7\">—</text>");
    }
    for (i, (label, value, shown)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let len = if max > 0.0 {
            (value / max).clamp(0.0, 1.0) * bar_w
        } else {
            0.0
        };
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"currentColor\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{len:.1}\" height=\"{:.1}\" rx=\"2\" fill=\"{}\"><title>{}: {}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"currentColor\">{}</text>",
            label_w - 8.0,
            y + 17.0,
            escape(label),
            row_h - 8.0,
            COLOURS[0],
            escape(label),
            escape(shown),
            label_w + len + 6.0,
            y + 17.0,
            escape(shown)
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_well_formed_and_accessible() {
        let months: Vec<String> = ["2025-12", "2026-01", "2026-02"].map(String::from).to_vec();
        let svg = line_chart(
            "三率 <走势>",
            "desc",
            &months,
            &[(
                "处理率".into(),
                COLOURS[0],
                vec![Some(0.9), None, Some(0.95)],
            )],
            None,
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=") && svg.contains("&lt;走势&gt;"));
        // A gap where a month has no data: two separate pieces of line.
        assert_eq!(svg.matches(" M").count() + svg.matches("\"M").count(), 2);
        // The running month: dashed and hollow, named in the legend.
        let series = [(
            "处理率".into(),
            COLOURS[0],
            vec![Some(0.9), Some(0.92), Some(0.1)],
        )];
        let svg = line_chart("t", "d", &months, &series, Some("本月未满"));
        assert_eq!(svg.matches("data-partial=\"true\"").count(), 2, "{svg}");
        assert!(svg.contains("本月未满") && svg.contains("fill=\"#fff\""));
        let bars = bar_chart("t", "d", &[("尧渡镇".into(), 0.5, "50.0%".into())], 1.0);
        assert!(bars.contains("width=\"147.0\""), "{bars}");
    }
}

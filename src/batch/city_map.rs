//! The city map of city.html: an inline SVG of every analysed town's outline (its 镇域, else the
//! box around its data) in one frame — lon/lat (WGS84) scaled by cos(latitude), north up — filled
//! by its ten-ones tally and linked to its report.

use std::fmt::Write as _;

use crate::report::{Lang, esc};
use crate::tenones::Verdict;

use super::table::CityTable;

/// Width of the drawing in SVG units (it scales to the page).
const WIDTH: f64 = 960.0;
const MARGIN: f64 = 12.0;

/// How well a town does: items passed plus half the items partly met, over the items evaluated
/// (0 to 1); None without a ten-ones evaluation.
pub fn tally_score(tally: Option<[usize; 4]>) -> Option<f64> {
    let t = tally?;
    let total: usize = t.iter().sum();
    (total > 0).then(|| (t[0] as f64 + 0.5 * t[1] as f64) / total as f64)
}

/// The fill of a score: the report's fail colour at 0, partly at 0.5, pass at 1.
pub fn score_rgb(score: Option<f64>) -> [u8; 3] {
    let Some(s) = score else {
        return Verdict::NoData.rgb();
    };
    let s = s.clamp(0.0, 1.0);
    let (a, b, f) = if s < 0.5 {
        (Verdict::Fail.rgb(), Verdict::Partly.rgb(), s / 0.5)
    } else {
        (Verdict::Partly.rgb(), Verdict::Pass.rgb(), (s - 0.5) / 0.5)
    };
    let mix = |i: usize| (f64::from(a[i]) + (f64::from(b[i]) - f64::from(a[i])) * f).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// The SVG element, or None when no town has an outline.
pub fn city_svg(table: &CityTable) -> Option<String> {
    let towns: Vec<(&str, &super::facts::TownFacts)> = table
        .rows
        .iter()
        .filter_map(|r| r.outcome.facts().map(|f| (r.name.as_str(), f)))
        .filter(|(_, f)| f.outline.is_some())
        .collect();
    let all = towns
        .iter()
        .filter_map(|(_, f)| f.outline.as_ref())
        .flat_map(|o| o.rings.iter().flatten());
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for [x, y] in all {
        lo = [lo[0].min(*x), lo[1].min(*y)];
        hi = [hi[0].max(*x), hi[1].max(*y)];
    }
    if !(lo[0].is_finite() && hi[0] >= lo[0] && hi[1] >= lo[1]) {
        return None;
    }
    let kx = ((lo[1] + hi[1]) / 2.0).to_radians().cos();
    let span_x = ((hi[0] - lo[0]) * kx).max(1e-9);
    let span_y = (hi[1] - lo[1]).max(1e-9);
    let scale = (WIDTH - 2.0 * MARGIN) / span_x.max(span_y);
    let height = span_y * scale + 2.0 * MARGIN;
    let px = |[x, y]: [f64; 2]| {
        (
            MARGIN + (x - lo[0]) * kx * scale,
            MARGIN + (hi[1] - y) * scale,
        )
    };
    let lang = table.lang;
    let mut s = format!(
        "<svg class=\"citymap\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH:.0} {height:.0}\" role=\"img\" aria-label=\"{}\">\n",
        lang.t(
            "城市地图：各镇按十个一达标情况着色",
            "City map: towns coloured by their ten-ones tally"
        )
    );
    let mut labels = String::new();
    for (name, f) in &towns {
        let Some(o) = &f.outline else { continue };
        let mut d = String::new();
        for ring in &o.rings {
            for (i, p) in ring.iter().enumerate() {
                let (x, y) = px(*p);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        let [r, g, b] = score_rgb(tally_score(f.tally));
        let tally = f.tally.map_or_else(
            || lang.t("未评价", "not evaluated").to_string(),
            |t| {
                Verdict::ALL
                    .iter()
                    .zip(t)
                    .map(|(v, n)| format!("{} {n}", v.label(lang.code())))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        );
        let dash = if o.kind == "extent" {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "<a href=\"{}\"><path d=\"{d}\" fill=\"rgb({r},{g},{b})\" fill-opacity=\"0.85\" stroke=\"#333\" stroke-width=\"0.8\"{dash} data-town=\"{}\"><title>{} ({}): {}</title></path></a>",
            esc(&CityTable::report_link(name)),
            esc(name),
            esc(name),
            esc(&f.display_name),
            esc(&tally)
        );
        // The label at the middle of the outline's box.
        let pts = o.rings.iter().flatten();
        let (mut a, mut z) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for [x, y] in pts {
            a = [a[0].min(*x), a[1].min(*y)];
            z = [z[0].max(*x), z[1].max(*y)];
        }
        let (cx, cy) = px([(a[0] + z[0]) / 2.0, (a[1] + z[1]) / 2.0]);
        let _ = writeln!(
            labels,
            "<text x=\"{cx:.1}\" y=\"{cy:.1}\">{}</text>",
            esc(name)
        );
    }
    let _ = write!(
        s,
        "<g class=\"labels\" font-size=\"{:.0}\" text-anchor=\"middle\" pointer-events=\"none\">\n{labels}</g>\n</svg>",
        (WIDTH / 80.0).clamp(9.0, 14.0)
    );
    Some(s)
}

/// The legend under the map: the colour ramp.
pub fn legend(lang: Lang) -> String {
    let stops: String = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|s| {
            let [r, g, b] = score_rgb(Some(*s));
            format!(
                "<span class=\"swatch\" style=\"background:rgb({r},{g},{b})\"></span>{:.0}% ",
                s * 100.0
            )
        })
        .collect();
    let [r, g, b] = score_rgb(None);
    format!(
        "<p class=\"legend\">{} {stops}<span class=\"swatch\" style=\"background:rgb({r},{g},{b})\"></span>{}</p>",
        lang.t(
            "填色＝（达标项数 + 0.5 × 基本达标项数）÷ 评价项数：",
            "Fill = (items passed + 0.5 × items partly met) ÷ items evaluated:"
        ),
        lang.t(
            "未评价；虚线：无镇域图层，以数据范围代替",
            "not evaluated; dashed: no boundary layer, the data's extent instead"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_colours() {
        assert_eq!(tally_score(None), None);
        assert_eq!(tally_score(Some([10, 0, 0, 0])), Some(1.0));
        assert_eq!(tally_score(Some([2, 4, 4, 0])), Some(0.4));
        assert_eq!(score_rgb(Some(0.0)), Verdict::Fail.rgb());
        assert_eq!(score_rgb(Some(0.5)), Verdict::Partly.rgb());
        assert_eq!(score_rgb(Some(1.0)), Verdict::Pass.rgb());
        assert_eq!(score_rgb(None), Verdict::NoData.rgb());
    }
}

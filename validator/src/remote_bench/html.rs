//! `lanes-bench remote --report FILE.html`: one self-contained page — the
//! summary, landed and sent TPS over time, the confirmation latency
//! distribution, and the node's CPU by stage — as inline SVG drawn here,
//! with the report's JSON embedded (`<script type="application/json"
//! id="report">`) for scripts.
//!
//! Never: reference anything outside the file (no scripts, fonts, styles or
//! images fetched: it must open offline), or put unescaped text in markup.

use super::config::{RemoteReport, TimelinePoint};
use std::fmt::Write as _;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 260.0;
/// Plot area margins: left (axis labels), right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (64.0, 16.0, 16.0, 36.0);

/// The page for `report`.
pub fn render(report: &RemoteReport) -> String {
    let json = serde_json::to_string(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    let mut page = String::with_capacity(32 * 1024);
    let title = format!("lanes-bench remote: {} over {}", name(report), via(report));
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\n<style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(page, "<pre class=\"summary\">{}</pre>", escape(&report.to_string()));
    page.push_str("<h2>Transactions a second</h2>\n");
    page.push_str(&tps_chart(&report.timeline));
    page.push_str("<h2>Confirmation latency</h2>\n");
    page.push_str(&latency_chart(&report.latencies_ms));
    if let Some(cpu) = &report.node_cpu {
        page.push_str(
            "<h2>Where the node's CPU went</h2>\n<table><tr><th>stage</th><th>cores</th><th>share</th></tr>\n",
        );
        let wall = cpu.wall_seconds.max(1e-9);
        let total = cpu.stages.total.max(1e-9);
        for (stage, seconds) in cpu.stages.stages() {
            let share = if stage == "total" { 100.0 } else { 100.0 * seconds / total };
            let _ = writeln!(
                page,
                "<tr><td>{stage}</td><td>{:.2}</td><td><span class=\"bar\" style=\"width:{:.0}px\"></span> {share:.0} %</td></tr>",
                seconds / wall,
                share * 3.0
            );
        }
        page.push_str("</table>\n");
    }
    if let Some(c) = &report.contention {
        let _ = writeln!(
            page,
            "<h2>What serialized the slots</h2>\n<p>Parallelism {:.2} (busy worker time over wall time) over slots {}..={}, {} with transactions (<code>lanesGetContention</code>).</p>",
            c.parallelism, c.start_slot, c.end_slot, c.slots
        );
        if c.accounts.is_empty() {
            page.push_str("<p>No account serialized any transactions.</p>\n");
        } else {
            page.push_str("<table><tr><th>account</th><th>transactions</th><th>writes</th><th>mean wait</th><th>parallelism lost</th></tr>\n");
            for a in &c.accounts {
                let lost = a.lost_parallelism * 100.0;
                let _ = writeln!(
                    page,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{:.2} ms</td><td><span class=\"bar\" style=\"width:{:.0}px\"></span> {lost:.1} %</td></tr>",
                    escape(&a.account),
                    a.transactions,
                    a.write_locked,
                    a.wait_ns as f64 / a.transactions.max(1) as f64 / 1e6,
                    lost * 3.0
                );
            }
            page.push_str("</table>\n");
        }
    }
    // `</` never appears inside the script: JSON escapes nothing there, so do it here.
    let _ = write!(
        page,
        "<script type=\"application/json\" id=\"report\">{}</script>\n</body></html>\n",
        json.replace("</", "<\\/")
    );
    page
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
pre.summary{background:#f6f6f6;padding:1em}svg{background:#fff;border:1px solid #ddd}\
.axis{stroke:#888}.grid{stroke:#eee}.landed{fill:none;stroke:#1f77b4;stroke-width:2}\
.sent{fill:none;stroke:#ff7f0e;stroke-width:1.5;stroke-dasharray:4 3}.hist{fill:#1f77b4}\
text{font-size:12px;fill:#444}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}\
.bar{display:inline-block;height:10px;background:#1f77b4}";

fn tps_chart(points: &[TimelinePoint]) -> String {
    if points.is_empty() {
        return "<p>No timeline: the run ended before its first quarter second.</p>\n".into();
    }
    let t_max = points.iter().map(|p| p.t).fold(0.0, f64::max).max(1e-9);
    let y_max = nice_ceiling(points.iter().map(|p| p.landed_tps.max(p.sent_tps)).fold(0.0, f64::max));
    let mut svg = frame(t_max, y_max, "seconds", "TPS");
    for (class, value) in [("sent", 1usize), ("landed", 0usize)] {
        let coordinates: Vec<String> = points
            .iter()
            .map(|p| {
                let y = if value == 0 { p.landed_tps } else { p.sent_tps };
                let (x, y) = plot(p.t / t_max, y / y_max);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = writeln!(svg, "<polyline class=\"{class}\" points=\"{}\"/>", coordinates.join(" "));
    }
    let _ = writeln!(svg, "<text x=\"{:.0}\" y=\"14\">— landed   - - sent</text>", WIDTH - 170.0);
    svg.push_str("</svg>\n");
    svg
}

/// A histogram of the latencies in 30 bins up to the largest.
fn latency_chart(sorted_ms: &[f64]) -> String {
    let Some(&max) = sorted_ms.last() else {
        return "<p>No latency: no followed transaction was seen landing.</p>\n".into();
    };
    const BINS: usize = 30;
    let x_max = nice_ceiling(max);
    let mut counts = [0u64; BINS];
    for &ms in sorted_ms {
        counts[((ms / x_max * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    let y_max = nice_ceiling(counts.iter().copied().max().unwrap_or(1) as f64);
    let mut svg = frame(x_max, y_max, "milliseconds, send → confirmed", "transactions");
    for (bin, &count) in counts.iter().enumerate() {
        let (x0, y) = plot(bin as f64 / BINS as f64, count as f64 / y_max);
        let (x1, y0) = plot((bin + 1) as f64 / BINS as f64, 0.0);
        let _ = writeln!(
            svg,
            "<rect class=\"hist\" x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            (x1 - x0 - 1.0).max(0.5),
            y0 - y
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// An SVG with axes, five grid lines each way and their labels, left open
/// for the plot.
fn frame(x_max: f64, y_max: f64, x_label: &str, y_label: &str) -> String {
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\n"
    );
    for i in 0..=5 {
        let f = i as f64 / 5.0;
        let (x, y_bottom) = plot(f, 0.0);
        let (x_left, y) = plot(0.0, f);
        let (x_right, y_top) = plot(1.0, 1.0);
        let _ =
            writeln!(svg, "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{y_top:.1}\" x2=\"{x:.1}\" y2=\"{y_bottom:.1}\"/>");
        let _ =
            writeln!(svg, "<line class=\"grid\" x1=\"{x_left:.1}\" y1=\"{y:.1}\" x2=\"{x_right:.1}\" y2=\"{y:.1}\"/>");
        let _ = writeln!(
            svg,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            y_bottom + 14.0,
            label(f * x_max)
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            x_left - 6.0,
            y + 4.0,
            label(f * y_max)
        );
    }
    let (x0, y0) = plot(0.0, 0.0);
    let (x1, y1) = plot(1.0, 1.0);
    let _ = writeln!(svg, "<line class=\"axis\" x1=\"{x0:.1}\" y1=\"{y0:.1}\" x2=\"{x1:.1}\" y2=\"{y0:.1}\"/>");
    let _ = writeln!(svg, "<line class=\"axis\" x1=\"{x0:.1}\" y1=\"{y0:.1}\" x2=\"{x0:.1}\" y2=\"{y1:.1}\"/>");
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        (x0 + x1) / 2.0,
        HEIGHT - 4.0,
        escape(x_label)
    );
    let _ = writeln!(svg, "<text x=\"4\" y=\"12\">{}</text>", escape(y_label));
    svg
}

/// Plot-area fractions (0..1 each way, y up) to SVG coordinates.
fn plot(fx: f64, fy: f64) -> (f64, f64) {
    let (left, right, top, bottom) = MARGIN;
    let x = left + fx.clamp(0.0, 1.0) * (WIDTH - left - right);
    let y = HEIGHT - bottom - fy.clamp(0.0, 1.0) * (HEIGHT - top - bottom);
    (x, y)
}

/// The smallest of 1, 2, 2.5 or 5 × 10^k at or above `v` (an axis maximum).
fn nice_ceiling(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&c| c >= v).unwrap_or(10.0 * magnitude)
}

fn label(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1_000.0)
    } else if v >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn name(report: &RemoteReport) -> String {
    serde_json::to_value(report.workload).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn via(report: &RemoteReport) -> &'static str {
    match report.via {
        super::Via::Udp => "UDP",
        super::Via::Rpc => "JSON-RPC",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round_and_sane() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(18_600.0), 20_000.0);
        assert_eq!(nice_ceiling(2_100.0), 2_500.0);
        assert_eq!(nice_ceiling(100.0), 100.0);
        assert_eq!(escape("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    }
}

//! `towncircle info`: describe data files (format, geometry, features, CRS, encoding, extent,
//! role, categories, warnings), as text or JSON (documented in README.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use towncircle::io::load;
use towncircle::report::info::{InfoSummary, summarise};

use super::InputArgs;

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Files to describe (.shp, .geojson, .gpkg, .osm.pbf, .csv, .xlsx).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    /// Print JSON (documented in README.md) instead of text.
    #[arg(long)]
    json: bool,
    /// How many warnings to print per layer in text output.
    #[arg(long, default_value_t = 8)]
    max_warnings: usize,
}

fn print_info(info: &InfoSummary, max_warnings: usize) {
    for l in &info.layers {
        let table = l
            .table
            .as_deref()
            .map(|t| format!(" [{t}]"))
            .unwrap_or_default();
        println!("{}{table}", l.file);
        println!(
            "  format: {}   role: {}{}",
            l.format,
            match (l.role, l.role_zh) {
                (Some(en), Some(zh)) => format!("{zh} ({en})"),
                _ => "unknown (set it when analysing)".into(),
            },
            l.age_band
                .map(|b| format!("   age band: {b} ({})", b.zh()))
                .unwrap_or_default()
        );
        println!(
            "  geometry: {:?}   features: {}{}",
            l.geometry_type,
            l.feature_count,
            if l.skipped_count > 0 {
                format!("   skipped: {}", l.skipped_count)
            } else {
                String::new()
            }
        );
        let crs = match (&l.crs.code, &l.crs.name) {
            (Some(code), Some(name)) if code != name => format!("{code} {name}"),
            (Some(code), _) => code.clone(),
            _ => "unknown".into(),
        };
        println!(
            "  CRS: {crs} ({}{})",
            l.crs.origin,
            l.crs
                .detail
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        );
        if let Some(e) = &l.encoding {
            println!("  encoding: {e}");
        }
        if let Some([a, b, c, d]) = l.extent_lonlat {
            println!("  extent (lon/lat): {a:.6}, {b:.6} – {c:.6}, {d:.6}");
        }
        if !l.categories.is_empty() || l.unmapped_count > 0 {
            let cats: Vec<String> = l
                .categories
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            println!("  categories: {}", cats.join(", "));
            println!("  unmapped: {}", l.unmapped_count);
            for e in l.unmapped_examples.iter().take(max_warnings) {
                println!("    {e}");
            }
        }
        if let Some(p) = &l.parcels {
            println!("  land use: {}", p.sentence());
            let classes: Vec<String> = p.by_class.iter().map(|(k, v)| format!("{k} {v}")).collect();
            if !classes.is_empty() {
                println!("  land-use classes: {}", classes.join(", "));
            }
        }
        if !l.warnings.is_empty() {
            println!("  warnings: {}", l.warnings.len());
            for w in l.warnings.iter().take(max_warnings) {
                println!("    {w}");
            }
            if l.warnings.len() > max_warnings {
                println!(
                    "    ... {} more (see --json)",
                    l.warnings.len() - max_warnings
                );
            }
        }
        println!();
    }
    println!(
        "working CRS: {} {}",
        info.working_crs, info.working_crs_name
    );
    for f in &info.failures {
        eprintln!("error: {}", f.error);
    }
}

pub fn run(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let options = args.input.load_options()?;
    let ds = load(&args.files, &options);
    let info = summarise(&ds);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        print_info(&info, args.max_warnings);
    }
    Ok(if info.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

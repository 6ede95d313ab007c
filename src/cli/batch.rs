//! `towncircle batch`: every town of a city folder analysed as `analyze` does, and the city
//! table (city.xlsx, city.html, city.json); `batch merge` brings shard outputs together. The
//! work is `towncircle::batch`'s; this file holds the flags, the console and the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use towncircle::batch::city::{CityTable, write_city};
use towncircle::batch::manifest::profile_sha256;
use towncircle::batch::merge::merge_into;
use towncircle::batch::{
    BatchOptions, BatchProgress, Failure, FailureKind, Outcome, Row, Settings, Shard, TownFacts,
    TownSource, discover, run_towns,
};
use towncircle::report::Lang;
use towncircle::tenones::Verdict;

use super::analyze::{Request, analyze_into};

/// Exit code when every town was analysed (or skipped as up to date).
const EXIT_ALL_DONE: u8 = 0;
/// Exit code when at least one town failed; the city outputs are written all the same.
const EXIT_SOME_FAILED: u8 = 1;

#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "Outputs in --out DIR: towns/<name>/ (report.html, results.xlsx, results.gpkg, summary.json as analyze writes them, and batch.json: inputs with SHA-256, settings, outcome), city.xlsx, city.html, city.json.\n\nExit code: 0 every town analysed or up to date; 1 at least one town failed (its row says why; everything else written); 2 the batch could not run (no such folder, no towns, bad flag, city files not writable).\n\nAcross machines: run `towncircle batch CITY --out OUT_i --shard i/n` on machine i, gather the OUT_i folders, then `towncircle batch merge OUT_1 ... OUT_n --out CITY_OUT` (README.md, `towncircle batch`). A city folder called `merge` must be given as ./merge."
)]
pub struct BatchArgs {
    #[command(subcommand)]
    command: Option<BatchCommand>,
    /// The city folder: one folder of data files, or one project file (.towncircle), per town.
    #[arg(value_name = "CITY_DIR", required = true)]
    city: Option<PathBuf>,
    /// The folder for the towns' reports (towns/<name>/) and the city table.
    #[arg(long, value_name = "DIR", required = true)]
    out: Option<PathBuf>,
    /// A shipped standards profile by name or a profile file, for every town (default: the
    /// default profile; a project file's own profile when it names one).
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// One travel mode for every tier of every town: walk, bike, ebike or car.
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// Language of the reports and the city table: zh (default) or en.
    #[arg(long, default_value = "zh", value_name = "zh|en")]
    lang: String,
    /// Towns analysed at once (default: the number of cores). Peak memory grows with it, not
    /// with the number of towns.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Skip towns whose outputs are complete and whose inputs, profile, settings and towncircle
    /// version are those recorded in their batch.json.
    #[arg(long)]
    resume: bool,
    /// Take only share I of N of the towns (sorted by name, every N-th from the I-th), for one
    /// machine of N; bring the outputs together with `batch merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
}

#[derive(Debug, Subcommand)]
enum BatchCommand {
    /// Rebuild city.xlsx, city.html and city.json from the outputs of several `batch --shard`
    /// runs: their towns' folders are brought into --out (hard links where possible).
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// Output folders of `towncircle batch` (one per shard). --out may be one of them.
    #[arg(required = true, value_name = "OUT")]
    outputs: Vec<PathBuf>,
    /// The folder of the merged city.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Language of the city table: zh (default) or en.
    #[arg(long, default_value = "zh", value_name = "zh|en")]
    lang: String,
}

fn parse_lang(text: &str) -> anyhow::Result<Lang> {
    Lang::parse(text).with_context(|| format!("--lang {text}: use zh or en"))
}

pub fn run(args: BatchArgs) -> anyhow::Result<ExitCode> {
    if let Some(BatchCommand::Merge(m)) = args.command {
        return merge(m);
    }
    let (Some(city), Some(out)) = (args.city, args.out) else {
        bail!(
            "usage: towncircle batch CITY_DIR --out DIR (or towncircle batch merge OUT... --out DIR)"
        );
    };
    let lang = parse_lang(&args.lang)?;
    if !city.is_dir() {
        bail!(
            "{}: no such folder (give the city folder holding one folder or .towncircle project file per town)",
            city.display()
        );
    }
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    let all = discover(&city)?;
    if all.is_empty() {
        bail!(
            "{}: no towns found (a town is a folder of data files or a .towncircle project file in it)",
            city.display()
        );
    }
    let total_in_city = all.len();
    let towns = match shard {
        Some(s) => s.select(all),
        None => all,
    };
    let settings = Settings {
        profile: args.profile.clone(),
        mode: args.mode.clone(),
        lang: lang.code().into(),
    };
    let options = BatchOptions {
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .max(1),
        resume: args.resume,
        settings: settings.clone(),
        profile_sha256: profile_sha256(args.profile.as_deref())?,
    };
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    println!(
        "{} town(s){} from {}, {} at a time{}",
        towns.len(),
        shard.map_or(String::new(), |s| format!(
            " (shard {s} of the city's {total_in_city})"
        )),
        city.display(),
        options.jobs.min(towns.len()),
        if args.resume { ", resuming" } else { "" }
    );
    let runner = |town: &TownSource, dir: &Path| -> Result<TownFacts, Failure> {
        let files = [town.path.clone()];
        let req = Request {
            files: &files,
            out: dir,
            profile: args.profile.as_deref(),
            mode: args.mode.as_deref(),
            lang,
            strict: false,
            scenario: None,
            input: None,
            require_roads: true,
        };
        analyze_into(&req, |data, _| TownFacts::from_report(data)).map_err(|e| {
            e.downcast_ref::<Failure>()
                .cloned()
                .unwrap_or_else(|| Failure::new(FailureKind::Analysis, format!("{e:#}")))
        })
    };
    let start = Instant::now();
    let console = Console::new(towns.len() as u64);
    let rows = run_towns(&towns, &out, &options, &runner, &console);
    console.bar.finish_and_clear();
    let mut table = CityTable::new(rows, lang, shard);
    table.settings = Some(settings);
    let written = write_city(&table, &out)?;
    report_end(&table, &written, start.elapsed().as_secs_f64());
    Ok(exit_code(&table))
}

fn exit_code(table: &CityTable) -> ExitCode {
    ExitCode::from(if table.failed() > 0 {
        EXIT_SOME_FAILED
    } else {
        EXIT_ALL_DONE
    })
}

fn report_end(table: &CityTable, written: &[PathBuf], seconds: f64) {
    let skipped = table.rows.iter().filter(|r| r.skipped).count();
    let analysed = table
        .rows
        .iter()
        .filter(|r| !r.skipped && !r.failed())
        .count();
    println!(
        "{} town(s): {analysed} analysed, {skipped} skipped (up to date), {} failed, in {seconds:.1} s",
        table.rows.len(),
        table.failed()
    );
    for r in table.rows.iter().filter(|r| r.failed()) {
        if let Some(f) = r.outcome.failure() {
            println!("!! {}: {}", r.name, f.reason());
        }
    }
    for p in written {
        println!("wrote {}", p.display());
    }
}

fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let lang = parse_lang(&args.lang)?;
    let merged = merge_into(&args.outputs, &args.out)?;
    if merged.rows.is_empty() {
        bail!(
            "no towns in {}: give the --out folders of `towncircle batch` runs",
            args.outputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut table = CityTable::new(merged.rows, lang, None);
    table.settings = merged.settings;
    let written = write_city(&table, &args.out)?;
    println!(
        "merged {} town(s) from {} output folder(s), {} failed",
        table.rows.len(),
        args.outputs.len(),
        table.failed()
    );
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(exit_code(&table))
}

/// The progress bar (towns done / total, ETA, the towns in flight) and one line per town.
struct Console {
    bar: ProgressBar,
    in_flight: Mutex<Vec<String>>,
}

impl Console {
    fn new(total: u64) -> Console {
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template(
            "[{elapsed_precise}] {bar:30} {pos}/{len} towns, ETA {eta}  {wide_msg}",
        ) {
            bar.set_style(style);
        }
        Console {
            bar,
            in_flight: Mutex::new(Vec::new()),
        }
    }

    fn show_in_flight(&self, list: &[String]) {
        self.bar.set_message(list.join(", "));
    }
}

fn tally_text(tally: Option<[usize; 4]>) -> String {
    tally.map_or_else(
        || "ten ones not evaluated".into(),
        |t| {
            Verdict::ALL
                .iter()
                .zip(t)
                .map(|(v, n)| format!("{} {n}", v.en().to_lowercase()))
                .collect::<Vec<_>>()
                .join(", ")
        },
    )
}

impl BatchProgress for Console {
    fn started(&self, town: &TownSource) {
        if let Ok(mut list) = self.in_flight.lock() {
            list.push(town.name.clone());
            self.show_in_flight(&list);
        }
    }

    fn finished(&self, row: &Row) {
        if let Ok(mut list) = self.in_flight.lock() {
            list.retain(|n| *n != row.name);
            self.show_in_flight(&list);
        }
        let line = match (&row.outcome, row.skipped) {
            (_, true) => format!("skipped {} (up to date)", row.name),
            (Outcome::Done { facts }, false) => format!(
                "done {} in {:.1} s: {}{}",
                row.name,
                row.seconds,
                tally_text(facts.tally),
                row.rerun_reason
                    .as_deref()
                    .map_or(String::new(), |w| format!(" (rerun: {w})"))
            ),
            (Outcome::Failed { failure }, false) => {
                format!("FAILED {}: {}", row.name, failure.reason())
            }
        };
        self.bar.suspend(|| println!("{line}"));
        self.bar.inc(1);
    }
}

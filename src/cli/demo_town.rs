//! `towncircle demo-town`: write the synthetic demo town 清溪镇 into a folder.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct DemoTownArgs {
    /// The folder to write into (created when missing).
    #[arg(value_name = "DIR")]
    out: PathBuf,
    /// Random seed; the bundled sample uses the default. Other seeds are placed on an 11 × 11
    /// grid of 12 km cells around it (seed 1 south-west), so that towns of seeds 1..=121 lie side
    /// by side like a city's.
    #[arg(long, default_value_t = towncircle::demo::DEFAULT_SEED)]
    seed: u64,
}

pub fn run(args: DemoTownArgs) -> anyhow::Result<ExitCode> {
    let town = towncircle::demo::generate(args.seed);
    towncircle::demo::write(&town, &args.out)?;
    println!(
        "wrote the synthetic demo town {} (seed {}) to {}",
        towncircle::demo::TOWN_NAME,
        args.seed,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

//! Parses the command line and hands over: a command to the CLI, no
//! command to the desktop app (in a `gui` build).

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ipt_trainer::cli::parse();
    if cli.command.is_some() {
        return ipt_trainer::cli::run(cli);
    }
    start_app(cli)
}

#[cfg(feature = "gui")]
fn start_app(cli: ipt_trainer::cli::Cli) -> ExitCode {
    let guidance = match ipt_trainer::cli::load_guidance(cli.guidance.as_deref()) {
        Ok(g) => g,
        Err(code) => return code,
    };
    ipt_trainer::app::run(ipt_trainer::app::AppOptions {
        guidance,
        guidance_path: cli.guidance,
        extra_scenarios: cli.scenarios,
        drill_plan: cli.drill_plan,
        #[cfg(feature = "dev")]
        autoplay: cli.autoplay,
    })
}

#[cfg(not(feature = "gui"))]
fn start_app(_cli: ipt_trainer::cli::Cli) -> ExitCode {
    ipt_trainer::cli::no_app()
}

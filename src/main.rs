//! Parses the command line and hands over; see `ipt_trainer::cli`.

fn main() -> std::process::ExitCode {
    ipt_trainer::cli::run()
}

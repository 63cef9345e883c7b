use clap::Parser;
use std::process::ExitCode;
use tracegate::check::{self, EXIT_ERROR};
use tracegate::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match check::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("tracegate: error: {error:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

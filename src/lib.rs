//! tracegate: a gate for Terraform and OpenTofu plans that reports every AWS Lambda function
//! whose X-Ray tracing will not be Active (CloudGuard D9.AWS.OPE.07).
//!
//! The entry point is [`run`](fn@run): it judges the inputs of [`RunOptions`] and returns an [`Outcome`],
//! which [`report::write`] turns into any of the formats and [`Outcome::gate`] into the verdict.
//!
//! ```no_run
//! use tracegate::report::{self, Format, Settings};
//! use tracegate::{run, RunOptions};
//!
//! let outcome = run(&RunOptions {
//!     inputs: vec!["plan.json".to_owned()],
//!     ..RunOptions::default()
//! })?;
//! report::write(Format::Sarif, &outcome, &Settings::default(), &mut std::io::stdout())?;
//! println!("gate: {:?}", outcome.gate());
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! The rooms, and what each may import, are drawn in `ARCHITECTURE.md`.

pub mod config;
pub mod finding;
pub mod fix;
pub mod outcome;
pub mod plan;
pub mod report;
pub mod resolve;
pub mod rule;
pub mod run;
pub mod source;
pub mod support;
pub mod suppress;

pub use outcome::{FailOn, Gate, Outcome, UnknownPolicy};
pub use run::{run, RunOptions};

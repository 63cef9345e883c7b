//! tracegate: a gate for Terraform and OpenTofu plans that reports every AWS Lambda function
//! whose X-Ray tracing will not be Active (CloudGuard D9.AWS.OPE.07).

pub mod check;
pub mod cli;
pub mod finding;
pub mod plan;
pub mod report;
pub mod resolve;
pub mod rule;
pub mod source;
pub mod suppress;

//! The request layer: the only reader of the command line's options and of input files. It
//! turns raw option text, request files (`--request`), saved plans (`--plan`) and lesion CSV
//! files into the typed requests the planners in [`crate::plan`] take, and refuses bad input
//! with one line naming the field.

pub mod batch;
pub mod command_file;
pub mod file;
pub mod labels;
pub mod lesion_csv;
pub mod parse;
pub mod register;
pub mod saved_plan;
pub mod session;
pub mod sheet;
pub mod supply;

//! The one integration test binary (one link, faster builds). Each module tests one feature
//! and is named for it; `common` holds the helpers they share.

mod common;

mod architecture;
mod balance;
mod browser;
mod bud;
mod certificate;
mod dilution_exact;
mod formulas;
mod gs1;
mod labels;
mod labels_bedside;
mod ointment;
mod output_agreement;
mod output_files;
mod outputs;
mod preparations;
mod properties;
mod record;
mod register;
mod register_backends;
mod register_commands;
mod reliability;
mod series_batches;
mod session;
mod session_sheet;
mod solution;
mod supply;
mod syringes_and_series;
mod templates;
mod verify;
mod web;
mod web_browser;

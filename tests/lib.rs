//! The one integration test binary (one link, faster builds). Each area has its own module.

mod common;

mod balance;
mod batch;
mod bud;
mod certificate;
mod dilution_exact;
mod dosing;
mod dosing_review;
mod dosing_second_review;
mod formulas;
mod output_agreement;
mod print;
mod properties;
mod register;
mod register_backends;
mod release_regressions;
mod second_review;
mod session_print;
mod sheets;
mod syringes_and_series;
mod verify;

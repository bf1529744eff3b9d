//! The one integration test binary (one link, faster builds). Each area has its own module.

mod common;

mod batch;
mod bud;
mod dosing;
mod dosing_review;
mod dosing_second_review;
mod formulas;
mod print;
mod properties;
mod release_regressions;
mod reliability;
mod second_review;
mod session_print;
mod sheets;
mod verify;

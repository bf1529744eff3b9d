//! The supply request: the amount per application (`--per-application`), applications a day
//! and the length of the course.

use super::parse::{count, per_application};
use crate::cli::SupplyArgs;
use crate::error::{Error, Result};
use crate::plan::supply::{self, Course, SupplyRequest};

/// Reads the supply options.
pub fn supply_request(args: &SupplyArgs) -> Result<SupplyRequest> {
    let per_application = per_application(args.per_application.as_deref().ok_or_else(|| {
        Error::input(
            "--per-application",
            "the amount per application, a mass (`2g`) or fingertip units (`4FTU`)",
            "nothing",
        )
    })?)?;
    let per_day = count(
        "--per-day",
        args.per_day.as_deref().ok_or_else(|| {
            Error::input("--per-day", "the number of applications a day", "nothing")
        })?,
        1,
        24,
        Some("applications a day"),
    )?;
    let course = match (&args.days, &args.months) {
        (Some(d), _) => Course::Days {
            days: count("--days", d, 1, supply::HARD_MAX_DAYS, Some("days"))?,
        },
        (None, Some(m)) => Course::Months {
            months: count("--months", m, 1, 120, Some("months"))?,
        },
        (None, None) => {
            return Err(Error::input(
                "--days",
                "the length of the course (`--days 30` or `--months 6`)",
                "nothing",
            ))
        }
    };
    Ok(SupplyRequest {
        per_application,
        per_day,
        course,
        container: args.container.clone(),
    })
}

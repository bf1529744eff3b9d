//! The lesion CSV file of `stscalc session --lesion-file`: one lesion per row.

use crate::error::{Error, Result};
use crate::plan::session::{Lesion, HARD_MAX_LESIONS};
use crate::quantity::Volume;

/// Reads lesions from CSV text: a header naming the columns (`volume` required; `site`,
/// `size`, `ulceration` and `inflammation` optional, the last two `yes` or `no` as on the seed-000
/// visit sheet; any order), then one lesion per row. Blank lines and lines starting with `#`
/// are skipped; a field may be quoted (`"left elbow, posterior"`, `""` for a quote). A bad row is
/// a one-line error naming the file, its line and its row number.
pub fn lesions_from_csv(file: &str, text: &str) -> Result<Vec<Lesion>> {
    let err = |line: usize, message: String| Error::DataFile {
        file: file.to_string(),
        line: Some(line),
        column: None,
        message,
    };
    // Excel's "CSV UTF-8" starts the file with a byte-order mark: not part of the header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (header_line, header) = rows.next().ok_or_else(|| Error::DataFile {
        file: file.to_string(),
        line: None,
        column: None,
        message: "no header: expected a first line such as `site,size,volume`".into(),
    })?;
    let names = split_csv(header).map_err(|m| err(header_line, format!("header: {m}")))?;
    let col = |name: &str| {
        names
            .iter()
            .position(|n| n.trim().eq_ignore_ascii_case(name))
    };
    let (site, size, volume) = (col("site"), col("size"), col("volume"));
    let (ulceration, inflammation) = (col("ulceration"), col("inflammation"));
    if let Some(bad) = names
        .iter()
        .find(|n| !LESION_COLUMNS.contains(&n.trim().to_ascii_lowercase().as_str()))
    {
        return Err(err(
            header_line,
            format!(
                "header: unknown column `{}`, expected `site`, `size`, `volume`, `ulceration` and `inflammation`",
                bad.trim()
            ),
        ));
    }
    // A repeated column would be read from its first copy only and the other ignored: refuse
    // it rather than guess which one the pharmacist meant.
    for (i, n) in names.iter().enumerate() {
        let n = n.trim();
        if names[..i].iter().any(|m| m.trim().eq_ignore_ascii_case(n)) {
            return Err(err(
                header_line,
                format!("header: column `{n}` is repeated, expected each column once"),
            ));
        }
    }
    let volume = volume.ok_or_else(|| {
        err(
            header_line,
            "header: no `volume` column, expected a header such as `site,size,volume`".into(),
        )
    })?;
    let mut lesions = Vec::new();
    for (row, (line, text)) in rows.enumerate() {
        let row = row + 1;
        let fields = split_csv(text).map_err(|m| err(line, format!("row {row}: {m}")))?;
        if fields.len() != names.len() {
            return Err(err(
                line,
                format!(
                    "row {row}: expected {} fields as in the header, found {}",
                    names.len(),
                    fields.len()
                ),
            ));
        }
        let get = |i: Option<usize>| {
            i.map(|i| fields[i].trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let v: Volume =
            crate::quantity::parse_positive("volume", &fields[volume]).map_err(|e| {
                let detail = match e {
                    Error::Input {
                        expected, found, ..
                    } => format!("`volume` expected {expected}, found {found}"),
                    other => other.to_string(),
                };
                err(line, format!("row {row}: {detail}"))
            })?;
        let yes_no = |i: Option<usize>, name: &str| -> Result<Option<String>> {
            match get(i) {
                None => Ok(None),
                Some(t) => match t.to_ascii_lowercase().as_str() {
                    "yes" | "no" => Ok(Some(t.to_ascii_lowercase())),
                    _ => Err(err(
                        line,
                        format!("row {row}: `{name}` expected `yes`, `no` or nothing, found `{t}`"),
                    )),
                },
            }
        };
        lesions.push(Lesion {
            mass: None,
            site: get(site),
            size: get(size),
            ulceration: yes_no(ulceration, "ulceration")?,
            inflammation: yes_no(inflammation, "inflammation")?,
            volume: v,
        });
        if lesions.len() > HARD_MAX_LESIONS as usize {
            return Err(err(
                line,
                format!("row {row}: more than {HARD_MAX_LESIONS} lesions"),
            ));
        }
    }
    if lesions.is_empty() {
        return Err(Error::DataFile {
            file: file.to_string(),
            line: None,
            column: None,
            message: "no lesions: expected one row per lesion after the header".into(),
        });
    }
    Ok(lesions)
}

/// The columns a lesion file may have.
const LESION_COLUMNS: [&str; 5] = ["site", "size", "volume", "ulceration", "inflammation"];

/// Splits one CSV line into fields, honouring double quotes.
fn split_csv(line: &str) -> std::result::Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() && !was_quoted => {
                field.clear();
                quoted = true;
                was_quoted = true;
            }
            (false, ',') => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            (false, '"') => return Err("a quote in the middle of a field".into()),
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".into());
    }
    fields.push(field);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_order() {
        let l = lesions_from_csv(
            "l.csv",
            "# visit 1\nvolume,site\n0.2 mL,\"left elbow, posterior\"\n\n0.1mL,\"the \"\"big\"\" one\"\n",
        )
        .unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].site.as_deref(), Some("left elbow, posterior"));
        assert_eq!(l[1].site.as_deref(), Some("the \"big\" one"));
        assert_eq!(l[1].size, None);
    }
}

//! HTML sheets through Tera 2: one small [`Renderer`] that registers the number filters, adds the
//! templates (embedded, or a folder given with `--templates DIR`) in one call, and turns Tera's
//! multi-line reports into one-line errors that name the template and the line.
//!
//! Template names end in `.html`, so Tera escapes every value it prints: a patient name such as
//! `<script>` reaches the page as text. Templates never calculate: every number they print comes
//! from the plan already computed, written by the filters below, which call
//! [`crate::quantity`]'s formatting functions.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::Serialize;
use tera::{Context, ErrorKind, Kwargs, State, Tera, Value};

use crate::error::{Error, Result};
use crate::quantity::{format_calculated, format_number, DISPLAY_PLACES};

/// The templates shipped in the binary: (name, contents). A `--templates` folder must hold every
/// one of them (copy them with `stscalc templates DIR`), so that a sheet never mixes a site's
/// layout with the shipped one.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("record.html", include_str!("../../templates/record.html")),
    ("labels.html", include_str!("../../templates/labels.html")),
    (
        "session-sheet.html",
        include_str!("../../templates/session-sheet.html"),
    ),
];

/// The web app's page templates (`stscalc serve`): always the embedded ones (the `--templates`
/// folder is for the printed sheets, which the web app prints as the command line does).
pub const WEB_TEMPLATES: &[(&str, &str)] = &[(
    "web/page.html",
    include_str!("../../templates/web/page.html"),
)];

/// Where the templates came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSource {
    /// The set embedded in the binary.
    Embedded,
    /// A folder given with `--templates`.
    Folder(PathBuf),
}

/// Tera with the project's filters and one set of templates.
pub struct Renderer {
    tera: Tera,
    source: TemplateSource,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Renderer {
    /// The embedded templates, or those of `dir` when given.
    pub fn new(dir: Option<&Path>) -> Result<Renderer> {
        match dir {
            None => Renderer::with_templates(
                TEMPLATES
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.to_string())),
                TemplateSource::Embedded,
            ),
            Some(dir) => Renderer::from_dir(dir),
        }
    }

    /// The web app's page templates ([`WEB_TEMPLATES`]).
    pub fn web() -> Result<Renderer> {
        Renderer::with_templates(
            WEB_TEMPLATES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string())),
            TemplateSource::Embedded,
        )
    }

    /// The templates of a folder: every `*.html` file in it, which must include the whole shipped
    /// set ([`TEMPLATES`]).
    pub fn from_dir(dir: &Path) -> Result<Renderer> {
        let read = std::fs::read_dir(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in read {
            let path = entry
                .map_err(|source| Error::Io {
                    path: dir.to_path_buf(),
                    source,
                })?
                .path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".html") || !path.is_file() {
                continue;
            }
            let text = crate::data::read_text(&path)?;
            files.push((name.to_string(), text));
        }
        files.sort();
        for (name, _) in TEMPLATES {
            if !files.iter().any(|(n, _)| n == name) {
                let all: Vec<String> = TEMPLATES.iter().map(|(n, _)| format!("`{n}`")).collect();
                return Err(Error::Template {
                    template: name.to_string(),
                    line: None,
                    message: format!(
                        "missing from the folder `{}`: expected the whole set ({}); `stscalc templates DIR` writes them",
                        dir.display(),
                        all.join(", ")
                    ),
                });
            }
        }
        Renderer::with_templates(files, TemplateSource::Folder(dir.to_path_buf()))
    }

    fn with_templates(
        templates: impl IntoIterator<Item = (String, String)>,
        source: TemplateSource,
    ) -> Result<Renderer> {
        let mut tera = Tera::new();
        // Only `.html` templates exist, and all of them are escaped (Tera's default, said again
        // here because escaping user text is a requirement, not a default we rely on by luck).
        tera.autoescape_on([".html"]);
        tera.register_filter("quantity", quantity_filter);
        tera.register_filter("number", number_filter);
        tera.register_filter("calculated", calculated_filter);
        tera.register_filter("css_string", css_string_filter);
        let templates: Vec<(String, String)> = templates.into_iter().collect();
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| template_error(&e, &templates))?;
        Ok(Renderer { tera, source })
    }

    /// Where the templates came from.
    pub fn source(&self) -> &TemplateSource {
        &self.source
    }

    /// Renders template `name` with `view` (any plain data) as its context.
    pub fn render<T: Serialize>(&self, name: &str, view: &T) -> Result<String> {
        let context = Context::from_serialize(view).map_err(|e| Error::Template {
            template: name.to_string(),
            line: None,
            message: format!("cannot pass the data to the template: {}", first_line(&e)),
        })?;
        self.tera
            .render(name, &context)
            .map_err(|e| template_error(&e, &[]))
    }
}

/// The first line of an error's text, trimmed.
fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown error")
        .to_string()
}

/// Turns a Tera error into one line naming the template and the line.
///
/// Syntax and rendering errors carry a structured report. Errors found while checking the whole
/// set (an unknown filter, an include of a missing template) come as Tera's text report
/// (`error: MESSAGE` then `--> NAME:LINE:COLUMN`), which is read back here.
fn template_error(e: &tera::Error, templates: &[(String, String)]) -> Error {
    let from_report = |r: &tera::ReportError| Error::Template {
        template: r.filename().to_string(),
        line: Some(r.span().start_line),
        message: r.message().trim().to_string(),
    };
    match e.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let mut err = from_report(r);
            // A rendering error may wrap the cause (e.g. a filter's own error) in `source`.
            if let (Error::Template { message, .. }, Some(cause)) =
                (&mut err, std::error::Error::source(e))
            {
                message.push_str(": ");
                message.push_str(&first_line(&cause));
            }
            err
        }
        ErrorKind::MissingParent { current, parent } => Error::Template {
            template: current.clone(),
            line: line_of(templates, current, parent),
            message: format!("extends `{parent}`, which is not in the set"),
        },
        ErrorKind::TemplateNotFound(name) => Error::Template {
            template: name.clone(),
            line: None,
            message: "not found in the set".into(),
        },
        _ => {
            let text = e.to_string();
            let message = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .map(str::to_string)
                .unwrap_or_else(|| first_line(&text));
            let locus = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("--> "))
                .and_then(|l| {
                    let mut parts = l.rsplitn(3, ':');
                    let _column = parts.next()?;
                    let line = parts.next()?.parse::<usize>().ok()?;
                    Some((parts.next()?.to_string(), line))
                });
            match locus {
                Some((template, line)) => Error::Template {
                    template,
                    line: Some(line),
                    message,
                },
                None => Error::Template {
                    template: "(template set)".into(),
                    line: None,
                    message,
                },
            }
        }
    }
}

/// 1-based line of the first occurrence of `needle` in template `name`, if found.
fn line_of(templates: &[(String, String)], name: &str, needle: &str) -> Option<usize> {
    let (_, text) = templates.iter().find(|(n, _)| n == name)?;
    let at = text.find(needle)?;
    Some(text[..at].matches('\n').count() + 1)
}

/// The exact decimal in a value: a string such as `"0.15"`, an integer, or a serialized
/// quantity (`{"value": "0.15", "unit": "g", ...}`). Floats are refused: they are never exact.
fn decimal_of(v: &Value) -> tera::TeraResult<Decimal> {
    if v.is_map() {
        let inner = v
            .get_from_path("value")
            .ok_or_else(|| tera::Error::message("expected a quantity with a `value`"))?;
        return decimal_of(inner);
    }
    if let Some(s) = v.as_str() {
        return Decimal::from_str_exact(s.trim())
            .map_err(|_| tera::Error::message(format!("expected an exact number, found `{s}`")));
    }
    if let Some(i) = v.as_i128() {
        return Decimal::try_from_i128_with_scale(i, 0)
            .map_err(|_| tera::Error::message(format!("number `{i}` is too large")));
    }
    Err(tera::Error::message(format!(
        "expected an exact number (a quantity, a string or an integer), found {}",
        v.name()
    )))
}

/// The unit of a serialized quantity, if it is one.
fn unit_of(v: &Value) -> Option<String> {
    v.as_map()?;
    v.get_from_path("unit")?.as_str().map(str::to_string)
}

/// Converts `value` in `from` to the unit `to` when that is an exact power-of-ten step
/// (`g` to `mg`, `mL` to `L`...). The conversion lives here, not in the template.
fn convert(value: Decimal, from: &str, to: &str) -> tera::TeraResult<Decimal> {
    let scale = |u: &str| -> Option<(&'static str, Decimal)> {
        let thousand = Decimal::ONE_THOUSAND;
        Some(match u {
            "kg" => ("mass", thousand),
            "g" => ("mass", Decimal::ONE),
            "mg" => ("mass", Decimal::ONE / thousand),
            "mcg" => ("mass", Decimal::ONE / thousand / thousand),
            "L" => ("volume", thousand),
            "mL" => ("volume", Decimal::ONE),
            _ => return None,
        })
    };
    if from == to {
        return Ok(value);
    }
    match (scale(from), scale(to)) {
        (Some((a, f)), Some((b, t))) if a == b => Ok(value * f / t),
        _ => Err(tera::Error::message(format!(
            "cannot write a quantity in `{from}` as `{to}`"
        ))),
    }
}

/// `{{ q | quantity }}` writes a serialized quantity the safe way (`0.5 mL`, `10,000 mg`);
/// `{{ q | quantity(unit="mg") }}` converts it first (mass: mcg, mg, g, kg; volume: mL, L);
/// at most six decimals, or `places` (`quantity(unit="mg", places=2)`), rounded half away from
/// zero and marked `≈` when cut.
fn quantity_filter(v: &Value, kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    let value = decimal_of(v)?;
    let from = unit_of(v).ok_or_else(|| {
        tera::Error::message(format!(
            "`quantity` expects a quantity (with a value and a unit), found {}",
            v.name()
        ))
    })?;
    // Never more digits than people read: a calculated dose (30 mg at 95.56 mg/mL) carries 28
    // of them. Rounded as the text output rounds, and marked `≈` when cut.
    let places = kwargs.get::<u32>("places")?.unwrap_or(DISPLAY_PLACES);
    match kwargs.get::<&str>("unit")? {
        Some(to) => Ok(format_calculated(convert(value, &from, to)?, to, places)),
        None => Ok(format_calculated(value, &from, places)),
    }
}

/// `{{ n | number }}` writes an exact number the safe way (leading zero, no trailing zero,
/// thousands separators).
fn number_filter(v: &Value, _: Kwargs, _: &State) -> tera::TeraResult<String> {
    Ok(format_number(decimal_of(v)?))
}

/// `{{ q | calculated(places=2) }}` writes a quantity that may carry many digits: exact when it
/// has at most `places` decimals, else rounded half away from zero and marked `≈`.
fn calculated_filter(v: &Value, kwargs: Kwargs, _: &State) -> tera::TeraResult<String> {
    let value = decimal_of(v)?;
    let unit = unit_of(v).unwrap_or_default();
    let places: u32 = kwargs.must_get("places")?;
    Ok(format_calculated(value, &unit, places))
}

/// `{{ text | css_string }}` writes text for the inside of a CSS string (`content: "..."`, the
/// running page header): every character but letters, digits, spaces and `.,:-_` becomes a CSS
/// escape (`\00003C`), so user text can neither end the string nor the `<style>` element, and
/// nothing is left for the HTML escaping to turn into entities that CSS would print as written.
fn css_string_filter(v: &Value, _: Kwargs, _: &State) -> tera::TeraResult<String> {
    let text = v.as_str().ok_or_else(|| {
        tera::Error::message(format!("`css_string` expects text, found {}", v.name()))
    })?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, ' ' | '.' | ',' | ':' | '-' | '_') {
            out.push(c);
        } else {
            // The space after the six hex digits ends the escape and is not printed, so a
            // space that follows in the text survives.
            out.push_str(&format!("\\{:06X} ", u32::from(c)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(template: &str, view: &serde_json::Value) -> Result<String> {
        let mut all: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        all.push(("t.html".into(), template.into()));
        Renderer::with_templates(all, TemplateSource::Embedded)?.render("t.html", view)
    }

    #[test]
    fn filters_write_numbers_the_safe_way() {
        let view = serde_json::json!({
            "m": {"value": "0.150", "unit": "g", "text": "0.15 g"},
            "v": {"value": "0.5", "unit": "mL", "text": "0.5 mL"},
            "big": "10000.50",
            "third": {"value": "33.33333333", "unit": "% w/w"},
        });
        let out = render_str(
            "{{ m | quantity }}|{{ m | quantity(unit=\"mg\") }}|{{ v | quantity }}|{{ big | number }}|{{ third | calculated(places=2) }}",
            &view,
        )
        .unwrap();
        assert_eq!(out, "0.15 g|150 mg|0.5 mL|10,000.5|≈ 33.33 % w/w");
    }

    #[test]
    fn css_strings_escape_everything_that_could_end_them() {
        let view = serde_json::json!({"t": "Jane \"O'Neil\" </style> & 1950-02-03 · 5 °C"});
        let out = render_str("{{ t | css_string }}", &view).unwrap();
        assert_eq!(
            out,
            "Jane \\000022 O\\000027 Neil\\000022  \\00003C \\00002F style\\00003E  \\000026  1950-02-03 \\0000B7  5 \\0000B0 C"
        );
    }

    #[test]
    fn user_text_is_escaped() {
        let view = serde_json::json!({"name": "<script>alert(1)</script> & \"x\""});
        let out = render_str("{{ name }}", &view).unwrap();
        assert!(!out.contains("<script>"), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"),
            "{out}"
        );
    }

    #[test]
    fn syntax_errors_name_the_template_and_line() {
        let e = render_str("line 1\nline 2\n{% if %}\n", &serde_json::json!({})).unwrap_err();
        match &e {
            Error::Template { template, line, .. } => {
                assert_eq!(template, "t.html");
                assert_eq!(*line, Some(3));
            }
            other => panic!("{other}"),
        }
        assert_eq!(e.to_string().lines().count(), 1, "{e}");
    }

    #[test]
    fn unknown_filters_name_the_template_and_line() {
        let e = render_str("ok\n\n{{ x | nonsense }}", &serde_json::json!({"x": 1})).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("`t.html`, line 3"), "{text}");
        assert!(text.contains("nonsense"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn rendering_errors_name_the_template_and_line() {
        let e = render_str("a\n{{ missing.field }}", &serde_json::json!({})).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("`t.html`, line 2"), "{text}");
        assert_eq!(text.lines().count(), 1, "{text}");
    }

    #[test]
    fn a_float_is_refused() {
        let e = render_str("{{ x | number }}", &serde_json::json!({"x": 0.1})).unwrap_err();
        assert!(e.to_string().contains("exact number"), "{e}");
    }
}

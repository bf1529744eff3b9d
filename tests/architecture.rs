//! The module rules of the crate docs, checked by reading `src/` as text: which module may import
//! which, no two modules importing each other (directly or round a circle), one writer, no
//! command-line flag in the calculations, and no function over 150 lines.
//!
//! While issue 10 is under way, [`KNOWN`] lists the violations still there. The test fails on a
//! violation not listed *and* on a listed one that is gone, so the list only shrinks; on failure
//! it prints the list as it is now, ready to paste. Done when `KNOWN` is empty.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Violations not fixed yet. Paste the test's output here; delete lines as steps fix them.
const KNOWN: &[&str] = &[];

/// The foundation every layer may use.
/// `gs1` and `barcode` (GS1 element strings and their DataMatrix) depend on nothing but `error`:
/// the formula's product number, the scanned component lots and the labels' symbols use them.
const FOUNDATION: &[&str] = &[
    "error",
    "quantity",
    "data",
    "days",
    "substance",
    "bud",
    "gs1",
    "barcode",
    "fonts",
];

/// What a top-level module may import besides itself (and its own parent or children). `*` is
/// anything. A module not listed fails the test: give it its layer here when you add it.
fn may_import(top: &str) -> Option<Vec<&'static str>> {
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        FOUNDATION.iter().chain(extra).copied().collect()
    };
    Some(match top {
        "error" | "cli" => vec![],
        "quantity" | "data" => vec!["error"],
        // The sink names a file's type the way the bounded readers do (`data::file_type_name`).
        "output" => vec!["error", "data"],
        "days" => vec!["error", "quantity"],
        "substance" | "bud" => vec!["error", "quantity", "data", "days"],
        "formula" => with(&[]),
        "plan" => with(&["formula"]),
        "view" => with(&["formula", "plan"]),
        "request" => with(&["formula", "plan", "cli"]),
        "register" => with(&["formula", "plan"]),
        "render" => with(&["formula", "plan", "view"]),
        // GS1 element strings and their DataMatrix: encoders below every layer.
        "gs1" | "fonts" => vec!["error"],
        "barcode" => vec!["error", "gs1"],
        "commands" | "web" => vec!["*"],
        _ => return None,
    })
}

/// Modules that may write files, standard output or standard error (`main.rs` aside).
const WRITERS: &[&str] = &[
    "output",      // the one sink
    "render::pdf", // the browser's own temporary folder
    "register",    // its database
];

/// What writing looks like in the code.
const WRITE_TOKENS: &[&str] = &[
    "fs::write",
    "File::create",
    "OpenOptions",
    "create_dir",
    ".persist(",
    "persist_noclobber",
    "stdout()",
    "stderr()",
    "print!(",
    "println!(",
    "eprintln!(",
];

/// The calculations, which name request fields, never command-line flags.
const NO_FLAGS: &[&str] = &["plan", "formula"];

/// The longest function allowed, from `fn` to its closing brace.
const MAX_FN_LINES: usize = 150;

#[test]
fn the_module_rules_hold() {
    let sources = sources();
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module.clone()).collect();
    let mut found = BTreeSet::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &sources {
        let from = top(&s.module);
        let Some(allowed) = may_import(from) else {
            found.insert(format!("{from} has no layer in may_import"));
            continue;
        };
        for path in paths(s) {
            let Some(to) = resolve(&path, &modules) else {
                continue;
            };
            if to == s.module {
                continue;
            }
            let to_top = top(&to);
            if to_top != from && !allowed.iter().any(|a| *a == "*" || *a == to_top) {
                found.insert(format!("{} imports {to_top}", s.module));
            }
            edges.entry(s.module.clone()).or_default().insert(to);
        }
    }
    // Circles between top-level modules, and between the files of one module (a module and
    // its own children are one thing: `mod.rs` re-exports, children use `super::`).
    let related =
        |a: &str, b: &str| a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"));
    let mut tops: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, targets) in &edges {
        for b in targets {
            if top(a) != top(b) {
                tops.entry(top(a).to_string())
                    .or_default()
                    .insert(top(b).to_string());
            } else if !related(a.as_str(), b.as_str()) {
                files.entry(a.clone()).or_default().insert(b.clone());
            }
        }
    }
    for circle in circles(&tops).into_iter().chain(circles(&files)) {
        found.insert(format!("circle {}", circle.join(" <-> ")));
    }
    for s in &sources {
        let m = &s.module;
        let writer = WRITERS
            .iter()
            .any(|w| m == w || m.starts_with(&format!("{w}::")));
        if let Some(t) = WRITE_TOKENS.iter().find(|t| !writer && s.code.contains(*t)) {
            found.insert(format!("{m} writes ({t})"));
        }
        for (name, lines) in functions(&s.code) {
            if lines > MAX_FN_LINES {
                eprintln!("{m}::{name}: {lines} lines");
                found.insert(format!("{m}::{name} is over {MAX_FN_LINES} lines"));
            }
        }
    }
    for layer in NO_FLAGS {
        let n: usize = sources
            .iter()
            .filter(|s| top(&s.module) == *layer)
            .map(|s| s.literals.iter().map(|l| flags(l)).sum::<usize>())
            .sum();
        if n > 0 {
            found.insert(format!("{layer} names {n} command-line flags"));
        }
    }

    let known: BTreeSet<String> = KNOWN.iter().map(|k| k.to_string()).collect();
    let new: Vec<&String> = found.difference(&known).collect();
    let gone: Vec<&String> = known.difference(&found).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "module rules broken: {new:#?}\nfixed, delete from KNOWN: {gone:#?}\nKNOWN as it is now:\n{}",
        found
            .iter()
            .map(|f| format!("    {f:?},"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// One source file: its module path, its code with comments and literals blanked (unit tests
/// cut off), and its string literals.
struct Source {
    module: String,
    code: String,
    literals: Vec<String>,
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(&src).unwrap().with_extension("");
        let mut segs: Vec<String> = rel
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        if segs.last().is_some_and(|s| s == "mod") {
            segs.pop();
        }
        // The binaries are not the library.
        if segs.len() == 1 && (segs[0] == "lib" || segs[0] == "main") || segs[0] == "bin" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let text = match text.find("#[cfg(test)]") {
            Some(i) => &text[..i],
            None => &text[..],
        };
        let (code, literals) = strip(text);
        out.push(Source {
            module: segs.join("::"),
            code,
            literals,
        });
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The code with comments, strings and character literals blanked (newlines kept, so braces and
/// line counts stay right), and the strings' contents.
fn strip(text: &str) -> (String, Vec<String>) {
    let c: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut literals = Vec::new();
    let blank = |s: &[char], code: &mut String| {
        code.extend(s.iter().map(|&x| if x == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < c.len() {
        let rest = &c[i..];
        let after_ident = i > 0 && is_ident(c[i - 1]);
        let hashes = rest.iter().skip(1).take_while(|&&x| x == '#').count();
        let end = if rest.starts_with(&['/', '/']) {
            rest.iter().position(|&x| x == '\n').unwrap_or(rest.len())
        } else if rest.starts_with(&['/', '*']) {
            (3..rest.len())
                .find(|&k| rest[k - 1] == '*' && rest[k] == '/')
                .map_or(rest.len(), |k| k + 1)
        } else if rest[0] == 'r' && !after_ident && rest.get(1 + hashes) == Some(&'"') {
            // A raw string r#"..."#: ends at a quote followed by as many #.
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let from = 2 + hashes;
            let k = (from..rest.len())
                .find(|&k| rest[k..].starts_with(&close))
                .unwrap_or(rest.len());
            literals.push(rest[from..k].iter().collect());
            (k + close.len()).min(rest.len())
        } else if rest[0] == '"' {
            let mut k = 1;
            while k < rest.len() && rest[k] != '"' {
                k += if rest[k] == '\\' { 2 } else { 1 };
            }
            literals.push(rest[1..k.min(rest.len())].iter().collect());
            (k + 1).min(rest.len())
        } else if rest[0] == '\'' && rest.get(1) == Some(&'\\') {
            (3..rest.len())
                .find(|&k| rest[k] == '\'')
                .map_or(rest.len(), |k| k + 1)
        } else if rest[0] == '\'' && rest.get(2) == Some(&'\'') {
            3
        } else {
            code.push(rest[0]);
            i += 1;
            continue;
        };
        blank(&rest[..end], &mut code);
        i += end;
    }
    (code, literals)
}

fn ident(c: &[char], i: &mut usize) -> Option<String> {
    let start = *i;
    while *i < c.len() && is_ident(c[*i]) {
        *i += 1;
    }
    (*i > start).then(|| c[start..*i].iter().collect())
}

/// `a::b::c` at `i`, stopping before `::{` or anything else.
fn segments(c: &[char], i: &mut usize) -> Vec<String> {
    let mut segs = Vec::new();
    while let Some(s) = ident(c, i) {
        segs.push(s);
        if c[*i..].starts_with(&[':', ':']) && c.get(*i + 2).is_some_and(|&x| is_ident(x)) {
            *i += 2;
        } else {
            break;
        }
    }
    segs
}

/// Every `crate::` and `super::` path in the code, as module path segments (a `use` group
/// gives one path per item).
fn paths(s: &Source) -> Vec<Vec<String>> {
    let c: Vec<char> = s.code.chars().collect();
    let own: Vec<String> = s.module.split("::").map(str::to_string).collect();
    let at = |i: usize, w: &str| c[i..].iter().take(w.len()).copied().eq(w.chars());
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let boundary = i == 0 || !(is_ident(c[i - 1]) || c[i - 1] == ':');
        let mut base = if boundary && at(i, "crate::") {
            i += 7;
            Vec::new()
        } else if boundary && at(i, "super::") {
            let mut b = own.clone();
            while at(i, "super::") {
                b.pop();
                i += 7;
            }
            b
        } else {
            i += 1;
            continue;
        };
        base.extend(segments(&c, &mut i));
        if !at(i, "::{") {
            out.push(base);
            continue;
        }
        i += 3;
        let (start, mut depth) = (i, 1);
        while i < c.len() && depth > 0 {
            match c[i] {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        // Split the group at its own commas; each item's leading path.
        let inner = &c[start..i.saturating_sub(1)];
        let (mut item_start, mut d) = (0, 0);
        for (k, ch) in inner.iter().copied().chain([',']).enumerate() {
            match ch {
                '{' => d += 1,
                '}' => d -= 1,
                ',' if d == 0 => {
                    let item: Vec<char> = inner[item_start..k]
                        .iter()
                        .copied()
                        .skip_while(|x| x.is_whitespace())
                        .collect();
                    let mut j = 0;
                    let segs = segments(&item, &mut j);
                    let mut p = base.clone();
                    if segs.first().is_some_and(|s| s != "self") {
                        p.extend(segs);
                    }
                    out.push(p);
                    item_start = k + 1;
                }
                _ => {}
            }
        }
    }
    out
}

/// The longest module path that `path` starts with.
fn resolve(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains(m))
}

/// The groups of modules that reach each other through imports (each group a circle).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = graph.keys().chain(graph.values().flatten()).collect();
    let reach = |from: &String| -> BTreeSet<&String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(n) = todo.pop() {
            for m in graph.get(n).into_iter().flatten() {
                if seen.insert(m) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<&String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut groups = BTreeSet::new();
    for n in &nodes {
        if reached[n].contains(n) {
            let group: Vec<String> = nodes
                .iter()
                .filter(|m| reached[n].contains(**m) && reached[**m].contains(*n))
                .map(|m| m.to_string())
                .collect();
            groups.insert(group);
        }
    }
    groups.into_iter().collect()
}

/// Every function in the code with its length in lines, from `fn` to its closing brace.
fn functions(code: &str) -> Vec<(String, usize)> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 3 < c.len() {
        let boundary = i == 0 || !is_ident(c[i - 1]);
        if !(boundary && c[i..].starts_with(&['f', 'n', ' '])) {
            i += 1;
            continue;
        }
        let start = i;
        i += 3;
        let name = ident(&c, &mut i).unwrap_or_default();
        let Some(open) = (i..c.len()).find(|&k| c[k] == '{' || c[k] == ';') else {
            break;
        };
        if c[open] == ';' {
            continue; // a declaration without a body
        }
        let mut depth = 0;
        let mut close = open;
        for (k, &ch) in c.iter().enumerate().skip(open) {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                close = k;
                break;
            }
        }
        let lines = c[start..=close].iter().filter(|&&x| x == '\n').count() + 1;
        out.push((name, lines));
        i = open + 1; // functions inside functions are measured too
    }
    out
}

/// How many command-line flags (`--name`) a string literal names.
fn flags(literal: &str) -> usize {
    literal
        .match_indices("--")
        .filter(|(k, _)| literal[k + 2..].starts_with(|c: char| c.is_ascii_lowercase()))
        .count()
}

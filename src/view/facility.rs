//! The facility line of a sheet's header, cut into the parts a browser may wrap between and the
//! numbers it must keep whole: a phone or fax number broken over two lines (`555-` / `0100`)
//! is misdialled.

use serde::Serialize;

/// A run of the facility text: printed as it is, and kept on one line when `whole`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextPart {
    /// The text, as given.
    pub text: String,
    /// A number (telephone, fax) that must not be broken across lines.
    pub whole: bool,
}

/// The least digits a run needs to be taken for a number to keep whole: fewer is a house
/// number or a postcode, which may wrap as words do.
const MIN_DIGITS: usize = 5;

/// Characters that may appear inside a written telephone number besides digits:
/// `+1 (555) 010-0100`, `555.0100`, `0044 20 7946 0958`, `555/0100`.
fn in_number(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '+' | '(' | ')' | '-' | '.' | '/' | ' ' | '\u{a0}')
}

/// `text` cut into parts; every run of digits and the signs written inside a telephone number
/// (with at least five digits) is one `whole` part, from its first `+`, `(` or digit to its last
/// digit or `)`. The parts joined give `text` back unchanged.
pub fn parts(text: &str) -> Vec<TextPart> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out: Vec<TextPart> = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !(c.is_ascii_digit() || c == '+' || c == '(') {
            i += 1;
            continue;
        }
        // The run of number characters from here, ended at its last digit or `)`.
        let mut j = i;
        let mut end = None;
        let mut digits = 0;
        while j < chars.len() && in_number(chars[j].1) {
            if chars[j].1.is_ascii_digit() {
                digits += 1;
            }
            if chars[j].1.is_ascii_digit() || (chars[j].1 == ')' && digits > 0) {
                end = Some(j);
            }
            j += 1;
        }
        match end {
            Some(e) if digits >= MIN_DIGITS => {
                let stop = chars.get(e + 1).map_or(text.len(), |&(k, _)| k);
                if plain_from < start {
                    out.push(TextPart {
                        text: text[plain_from..start].to_string(),
                        whole: false,
                    });
                }
                out.push(TextPart {
                    text: text[start..stop].to_string(),
                    whole: true,
                });
                plain_from = stop;
                i = e + 1;
            }
            _ => i = j.max(i + 1),
        }
    }
    if plain_from < text.len() {
        out.push(TextPart {
            text: text[plain_from..].to_string(),
            whole: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wholes(text: &str) -> Vec<String> {
        let p = parts(text);
        assert_eq!(
            p.iter().map(|x| x.text.as_str()).collect::<String>(),
            text,
            "the parts give the text back"
        );
        p.into_iter().filter(|x| x.whole).map(|x| x.text).collect()
    }

    #[test]
    fn telephone_numbers_are_kept_whole_and_other_text_is_not() {
        assert_eq!(wholes("Hill Pharmacy, 555-0100"), ["555-0100"]);
        assert_eq!(
            wholes("Hill Pharmacy, 12 Long Street, tel. +1 (555) 010-0100, fax 555.0101"),
            ["+1 (555) 010-0100", "555.0101"]
        );
        assert_eq!(
            wholes("Apotheke, 0049 30 1234 5678 (Mo-Fr)"),
            ["0049 30 1234 5678"]
        );
        // A house number or a short code is not a number to keep whole.
        assert!(wholes("12 Long Street, Springfield").is_empty());
        assert!(wholes("Suite (4B), 221 Baker St").is_empty());
        assert!(wholes("").is_empty());
        assert_eq!(parts("王小明药房 555-0100")[1].text, "555-0100");
    }
}

//! [`InvoicePattern`]: what a host's invoice numbers look like, so the text
//! pass can find them in free remittance text however the payer spaced them.

/// What an invoice number of the host looks like, so that the text pass can
/// find it in free remittance text however the payer spaced it.
///
/// # The pattern language
///
/// A pattern is a sequence of groups, with optional separators between them:
///
/// | written | matches in the text |
/// | --- | --- |
/// | letters and digits, e.g. `SO`, `INV`, `2026` | themselves; letters in either case |
/// | `#` | one ASCII digit |
/// | `#{n}` / `#{m,n}` | `n` / `m` to `n` ASCII digits (`1 ≤ m ≤ n`) |
/// | `@` / `@{n}` / `@{m,n}` | one / `n` / `m` to `n` ASCII letters, either case |
/// | a run of ` `, `-`, `/`, `.`, `_` between two groups | any run of those characters, tabs and line breaks, or none |
///
/// Where the pattern has no separator the text may have none either: `#{4}#{5}`
/// is nine digits in a row. A pattern needs at least one `#` group (a number
/// has digits), may not start or end with a separator, and may describe at
/// most [`InvoicePattern::SLOTS_MAX`] characters (each `#` or `@` a group can
/// take and each letter or digit counts one, each separator one).
///
/// In a text, [`InvoicePattern::find_iter`] reports every non-overlapping
/// match from left to right, each the longest one starting there, and only
/// whole words: the characters just before and after a match are not letters
/// or digits, so `SO-#{4}-#{5}` finds nothing in `XSO-2026-00042` or
/// `SO-2026-000421`.
///
/// ```
/// use ar_reconcile::matching::InvoicePattern;
/// let pattern = InvoicePattern::parse("SO-#{4}-#{5}")?;
/// let text = "paid so 2026 00042, SO-2026-00043 and so2026/00044; not SO-2026-000451";
/// let found: Vec<&str> = pattern.find_iter(text).map(|(_, m)| m).collect();
/// assert_eq!(found, ["so 2026 00042", "SO-2026-00043", "so2026/00044"]);
/// assert!(pattern.accepts("SO 2026 00042"));
/// assert!(!pattern.accepts("SO 26 00042"));
/// assert_eq!(pattern.as_str(), "SO-#{4}-#{5}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A pattern is parsed once; it serializes as the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InvoicePattern {
    source: String,
    /// The pattern as a chain of slots, one character of the text each, run
    /// as a bit-parallel automaton: bit `i` of a state set means "the next
    /// character goes into slot `i`", bit `slots` means "a whole number".
    slots: u32,
    /// Slots that take any ASCII digit, any ASCII letter, a separator.
    digit: u128,
    letter: u128,
    separator: u128,
    /// Slots that take exactly one literal: `0`–`9`, then `A`–`Z`.
    literal: [u128; 36],
    /// Slots that may be left out (the optional part of `#{m,n}`, separators)
    /// and slots that may take several characters (separators).
    optional: u128,
    repeat: u128,
    /// The states before the first character.
    initial: u128,
}

/// Why an invoice number pattern cannot be used. Positions count characters
/// of the pattern from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern is empty.
    #[error("the invoice number pattern is empty")]
    Empty,
    /// A character the pattern language does not know.
    #[error(
        "invoice number pattern: unexpected '{found}' at character {position}; use letters, digits, # and @ with an optional {{n}} or {{m,n}}, and the separators space - / . _"
    )]
    UnexpectedChar {
        /// Where it stands.
        position: usize,
        /// The character.
        found: char,
    },
    /// A separator at the start or end of the pattern: separators only stand
    /// between two groups.
    #[error("invoice number pattern: separator at character {position}; separators stand only between two groups")]
    SeparatorAtEdge {
        /// Where it stands.
        position: usize,
    },
    /// A `{` without its `}`.
    #[error("invoice number pattern: the count opened at character {position} is not closed with '}}'")]
    UnclosedCount {
        /// Where the `{` stands.
        position: usize,
    },
    /// A count that is not `{n}` or `{m,n}` with whole numbers from 1.
    #[error(
        "invoice number pattern: bad count at character {position}; write {{n}} or {{m,n}} with whole numbers from 1"
    )]
    BadCount {
        /// Where the `{` stands.
        position: usize,
    },
    /// A count `{m,n}` with `m` greater than `n`.
    #[error("invoice number pattern: the count at character {position} runs backwards ({min} is more than {max})")]
    CountBackwards {
        /// Where the `{` stands.
        position: usize,
        /// The lower bound written.
        min: usize,
        /// The upper bound written.
        max: usize,
    },
    /// The pattern describes numbers longer than [`InvoicePattern::SLOTS_MAX`].
    #[error("invoice number pattern: at character {position} it describes numbers longer than {limit} characters")]
    TooLong {
        /// Where the limit was passed.
        position: usize,
        /// The limit.
        limit: usize,
    },
    /// No `#` group: an invoice number needs digits.
    #[error("invoice number pattern '{pattern}' has no digit group (#); an invoice number needs digits")]
    NoDigits {
        /// The pattern as given.
        pattern: String,
    },
}

/// The characters that separate groups, in a pattern and in a text.
fn is_pattern_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '/' | '.' | '_')
}

fn is_text_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'/' | b'.' | b'_' | b'\t'..=b'\r')
}

/// A character class a slot takes.
#[derive(Clone, Copy)]
enum Slot {
    Digit,
    Letter,
    Separator,
    /// An index into [`InvoicePattern::literal`].
    Literal(usize),
}

impl TryFrom<String> for InvoicePattern {
    type Error = PatternError;

    fn try_from(source: String) -> Result<Self, PatternError> {
        InvoicePattern::parse(&source)
    }
}

impl From<InvoicePattern> for String {
    fn from(pattern: InvoicePattern) -> String {
        pattern.source
    }
}

impl std::fmt::Display for InvoicePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl std::str::FromStr for InvoicePattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, PatternError> {
        InvoicePattern::parse(s)
    }
}

impl InvoicePattern {
    /// The most characters a pattern may describe: the automaton keeps one
    /// bit per character and one for "done" in a `u128`.
    pub const SLOTS_MAX: usize = 127;

    /// Parses `pattern` (see the type's documentation for the language).
    ///
    /// ```
    /// use ar_reconcile::matching::{InvoicePattern, PatternError};
    /// assert!(InvoicePattern::parse("#{4}/INV/#{1,4}").is_ok());
    /// assert_eq!(InvoicePattern::parse("SO-#{5,3}"), Err(PatternError::CountBackwards { position: 5, min: 5, max: 3 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(pattern: &str) -> Result<InvoicePattern, PatternError> {
        let mut built = InvoicePattern {
            source: pattern.to_owned(),
            slots: 0,
            digit: 0,
            letter: 0,
            separator: 0,
            literal: [0; 36],
            optional: 0,
            repeat: 0,
            initial: 0,
        };
        let mut chars = pattern.chars().enumerate().map(|(i, c)| (i + 1, c)).peekable();
        let mut has_digits = false;
        let mut separator_at = None;
        while let Some((position, c)) = chars.next() {
            if is_pattern_separator(c) {
                if built.slots == 0 {
                    return Err(PatternError::SeparatorAtEdge { position });
                }
                // A run of separators is one separator.
                separator_at.get_or_insert(position);
                continue;
            }
            if separator_at.take().is_some() {
                built.push(Slot::Separator, true, position)?;
            }
            match c {
                '#' | '@' => {
                    let (min, max) = count(&mut chars, position)?;
                    let slot = if c == '#' { Slot::Digit } else { Slot::Letter };
                    has_digits |= c == '#';
                    for n in 0..max {
                        built.push(slot, n >= min, position)?;
                    }
                }
                '0'..='9' => built.push(Slot::Literal(c as usize - '0' as usize), false, position)?,
                'a'..='z' | 'A'..='Z' => {
                    built.push(
                        Slot::Literal(10 + (c.to_ascii_uppercase() as usize - 'A' as usize)),
                        false,
                        position,
                    )?;
                }
                found => return Err(PatternError::UnexpectedChar { position, found }),
            }
        }
        if let Some(position) = separator_at {
            return Err(PatternError::SeparatorAtEdge { position });
        }
        if built.slots == 0 {
            return Err(PatternError::Empty);
        }
        if !has_digits {
            return Err(PatternError::NoDigits { pattern: pattern.to_owned() });
        }
        built.initial = built.closure(1);
        Ok(built)
    }

    /// Appends one slot; `position` is the pattern character it comes from.
    fn push(&mut self, slot: Slot, optional: bool, position: usize) -> Result<(), PatternError> {
        let at = self.slots as usize;
        if at >= Self::SLOTS_MAX {
            return Err(PatternError::TooLong { position, limit: Self::SLOTS_MAX });
        }
        let bit = 1u128 << at;
        match slot {
            Slot::Digit => self.digit |= bit,
            Slot::Letter => self.letter |= bit,
            Slot::Separator => {
                self.separator |= bit;
                self.repeat |= bit;
            }
            Slot::Literal(i) => {
                if let Some(l) = self.literal.get_mut(i) {
                    *l |= bit;
                }
            }
        }
        if optional || matches!(slot, Slot::Separator) {
            self.optional |= bit;
        }
        self.slots += 1;
        Ok(())
    }

    /// The pattern as it was written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether all of `candidate` is a number of this pattern (no word test:
    /// that is for [`InvoicePattern::find_iter`]).
    ///
    /// ```
    /// use ar_reconcile::matching::InvoicePattern;
    /// let pattern = InvoicePattern::parse("RE #{5}-@")?;
    /// assert!(pattern.accepts("re12345 a"));
    /// assert!(!pattern.accepts("RE 12345-A "));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accepts(&self, candidate: &str) -> bool {
        let mut set = self.initial;
        for &b in candidate.as_bytes() {
            set = self.step(set, b);
            if set == 0 {
                return false;
            }
        }
        set & self.done() != 0
    }

    /// Every non-overlapping match in `text`, left to right, as its byte offset
    /// and the text matched (like [`str::match_indices`]); see the type's
    /// documentation for which matches count.
    ///
    /// ```
    /// use ar_reconcile::matching::InvoicePattern;
    /// let pattern = InvoicePattern::parse("#{4}/INV/#{1,4}")?;
    /// let found: Vec<(usize, &str)> = pattern.find_iter("Rg. 2026 inv 0042 vom 3.5.").collect();
    /// assert_eq!(found, [(4, "2026 inv 0042")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn find_iter<'p, 't>(&'p self, text: &'t str) -> impl Iterator<Item = (usize, &'t str)> + use<'p, 't> {
        let mut from = 0;
        std::iter::from_fn(move || {
            let (start, end) = self.next_match(text, from)?;
            from = end;
            Some((start, text.get(start..end)?))
        })
    }

    /// The first match at or after byte `from`, as byte offsets.
    fn next_match(&self, text: &str, from: usize) -> Option<(usize, usize)> {
        let bytes = text.as_bytes();
        let first = self.initial;
        let mut start = from;
        while let Some(&b) = bytes.get(start) {
            // Every byte a slot takes is ASCII, so `start` and any end found
            // lie on char boundaries.
            if self.takes(first, b) != 0
                && word_starts(text, start)
                && let Some(end) = self.longest_at(text, start)
            {
                return Some((start, end));
            }
            start += 1;
        }
        None
    }

    /// The end of the longest match starting at `start` that ends a word.
    fn longest_at(&self, text: &str, start: usize) -> Option<usize> {
        let mut set = self.initial;
        let mut best = None;
        for (at, &b) in text.as_bytes().get(start..)?.iter().enumerate() {
            set = self.step(set, b);
            if set == 0 {
                break;
            }
            let end = start + at + 1;
            if set & self.done() != 0 && word_ends(text, end) {
                best = Some(end);
            }
        }
        best
    }

    /// The states after `b` from the states `set`.
    fn step(&self, set: u128, b: u8) -> u128 {
        let taken = self.takes(set, b);
        self.closure((taken << 1) | (taken & self.repeat))
    }

    /// The slots of `set` that take `b`.
    fn takes(&self, set: u128, b: u8) -> u128 {
        let by_class = if b.is_ascii_digit() {
            self.digit | self.literal.get(usize::from(b - b'0')).copied().unwrap_or(0)
        } else if b.is_ascii_alphabetic() {
            let i = 10 + usize::from(b.to_ascii_uppercase() - b'A');
            self.letter | self.literal.get(i).copied().unwrap_or(0)
        } else if is_text_separator(b) {
            self.separator
        } else {
            0
        };
        set & by_class
    }

    /// `set` with every state reachable from it by leaving optional slots out.
    fn closure(&self, mut set: u128) -> u128 {
        loop {
            let more = set | ((set & self.optional) << 1);
            if more == set {
                return set;
            }
            set = more;
        }
    }

    fn done(&self) -> u128 {
        1u128 << self.slots
    }
}

/// No letter or digit stands just before byte `at` of `text`.
fn word_starts(text: &str, at: usize) -> bool {
    text.get(..at).and_then(|head| head.chars().next_back()).is_none_or(|c| !c.is_alphanumeric())
}

/// No letter or digit stands at byte `at` of `text`.
fn word_ends(text: &str, at: usize) -> bool {
    text.get(at..).and_then(|tail| tail.chars().next()).is_none_or(|c| !c.is_alphanumeric())
}

/// The count after a `#` or `@` at `position`: `(1, 1)` when there is none.
fn count(
    chars: &mut std::iter::Peekable<impl Iterator<Item = (usize, char)>>,
    position: usize,
) -> Result<(usize, usize), PatternError> {
    let Some((open, _)) = chars.next_if(|(_, c)| *c == '{') else { return Ok((1, 1)) };
    let mut bounds = [None::<usize>, None];
    let mut which = 0;
    loop {
        let Some((_, c)) = chars.next() else { return Err(PatternError::UnclosedCount { position: open }) };
        match c {
            '}' => break,
            ',' if which == 0 => which = 1,
            '0'..='9' => {
                let bound = bounds.get_mut(which).ok_or(PatternError::BadCount { position: open })?;
                // Saturating: anything this large is over the limit anyway.
                let digit = c as usize - '0' as usize;
                *bound = Some(bound.unwrap_or(0).saturating_mul(10).saturating_add(digit).min(100_000));
            }
            _ => return Err(PatternError::BadCount { position: open }),
        }
    }
    let (min, max) = match bounds {
        [Some(n), None] if which == 0 => (n, n),
        [Some(m), Some(n)] => (m, n),
        _ => return Err(PatternError::BadCount { position: open }),
    };
    if min == 0 {
        return Err(PatternError::BadCount { position: open });
    }
    if min > max {
        return Err(PatternError::CountBackwards { position: open, min, max });
    }
    if max > InvoicePattern::SLOTS_MAX {
        return Err(PatternError::TooLong { position, limit: InvoicePattern::SLOTS_MAX });
    }
    Ok((min, max))
}

#[cfg(test)]
mod pattern_tests {
    use proptest::prelude::*;

    use super::*;

    /// A pattern as a list of groups, for the oracle below; rendered to text
    /// for [`InvoicePattern::parse`].
    #[derive(Debug, Clone)]
    enum Group {
        Literal(char),
        Digits(usize, usize),
        Letters(usize, usize),
        Separator(&'static str),
    }

    fn render(groups: &[Group]) -> String {
        let mut out = String::new();
        for g in groups {
            match g {
                Group::Literal(c) => out.push(*c),
                Group::Digits(m, n) if m == n && *m == 1 => out.push('#'),
                Group::Digits(m, n) if m == n => out.push_str(&format!("#{{{m}}}")),
                Group::Digits(m, n) => out.push_str(&format!("#{{{m},{n}}}")),
                Group::Letters(m, n) => out.push_str(&format!("@{{{m},{n}}}")),
                Group::Separator(s) => out.push_str(s),
            }
        }
        out
    }

    /// Whether all of `s` is `groups`, by trying every way (exponential, fine
    /// for the short texts here).
    fn whole(groups: &[Group], s: &[u8]) -> bool {
        let Some((g, rest)) = groups.split_first() else { return s.is_empty() };
        let run = |m: usize, n: usize, class: fn(&u8) -> bool| {
            (m..=n.min(s.len())).any(|k| s[..k].iter().all(class) && whole(rest, &s[k..]))
        };
        match g {
            Group::Literal(c) => s.first().is_some_and(|b| b.eq_ignore_ascii_case(&(*c as u8))) && whole(rest, &s[1..]),
            Group::Digits(m, n) => run(*m, *n, u8::is_ascii_digit),
            Group::Letters(m, n) => run(*m, *n, u8::is_ascii_alphabetic),
            Group::Separator(_) => {
                (0..=s.len()).take_while(|&k| k == 0 || is_text_separator(s[k - 1])).any(|k| whole(rest, &s[k..]))
            }
        }
    }

    /// Leftmost-longest whole-word matches by trying every start and end.
    fn naive_find(groups: &[Group], text: &str) -> Vec<(usize, usize)> {
        let alnum_before = |at: usize| text[..at].chars().next_back().is_some_and(char::is_alphanumeric);
        let alnum_at = |at: usize| text[at..].chars().next().is_some_and(char::is_alphanumeric);
        let mut found = Vec::new();
        let mut start = 0;
        while start < text.len() {
            if text.is_char_boundary(start) && !alnum_before(start) {
                let end = (start + 1..=text.len()).rev().find(|&end| {
                    text.is_char_boundary(end) && !alnum_at(end) && whole(groups, &text.as_bytes()[start..end])
                });
                if let Some(end) = end {
                    found.push((start, end));
                    start = end;
                    continue;
                }
            }
            start += 1;
        }
        found
    }

    fn group() -> impl Strategy<Value = Group> {
        prop_oneof![
            3 => prop::sample::select(&['S', 'o', 'A', 'r', 'e', '2', '0', '7'][..]).prop_map(Group::Literal),
            3 => (1usize..4, 0usize..3).prop_map(|(m, extra)| Group::Digits(m, m + extra)),
            1 => (1usize..3, 0usize..2).prop_map(|(m, extra)| Group::Letters(m, m + extra)),
        ]
    }

    /// Groups with a separator or none between each two, at least one digit group.
    fn groups() -> impl Strategy<Value = Vec<Group>> {
        (
            prop::collection::vec(
                (group(), prop::option::of(prop::sample::select(&["-", " ", "/", ". ", "_"][..]))),
                1..5,
            ),
            1usize..4,
        )
            .prop_map(|(parts, digits)| {
                let mut out = vec![Group::Digits(digits, digits)];
                for (g, sep) in parts {
                    if let Some(sep) = sep {
                        out.push(Group::Separator(sep));
                    }
                    out.push(g);
                }
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3_000))]

        /// The bit-parallel scan finds exactly what trying every substring finds.
        #[test]
        fn scan_equals_trying_every_substring(
            groups in groups(),
            text in "([0-9]{1,4}|[soare]{1,2}|[ /._\\-]{1,2}|[\t\n,x]|é|SO-2026-0042){0,10}",
        ) {
            let pattern = InvoicePattern::parse(&render(&groups)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let fast: Vec<(usize, usize)> = pattern.find_iter(&text).map(|(at, m)| (at, at + m.len())).collect();
            prop_assert_eq!(fast, naive_find(&groups, &text));
        }

        #[test]
        fn accepts_equals_the_oracle(groups in groups(), candidate in "([0-9]{1,4}|[soare]{1,2}|[ /._\\-]{1,2}){0,6}") {
            let pattern = InvoicePattern::parse(&render(&groups)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(pattern.accepts(&candidate), whole(&groups, candidate.as_bytes()));
        }
    }

    #[test]
    fn limits() {
        assert!(InvoicePattern::parse(&"#".repeat(127)).is_ok());
        assert_eq!(InvoicePattern::parse(&"#".repeat(128)), Err(PatternError::TooLong { position: 128, limit: 127 }));
        assert_eq!(
            InvoicePattern::parse("#{99999999999999999999}"),
            Err(PatternError::TooLong { position: 1, limit: 127 })
        );
        let long = InvoicePattern::parse(&format!("{}-#", "#".repeat(125))).map_err(|e| e.to_string());
        assert!(long.is_ok_and(|p| p.accepts(&format!("{} 1", "1".repeat(125)))));
    }
}

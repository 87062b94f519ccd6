//! Maps between key paths such as `actions[0].on[1]` and byte ranges of the
//! configuration text, so every finding can name its line and column.
//!
//! The text is parsed a second time with `toml_edit`, which keeps the span
//! of every key and value. The `toml` deserializer that builds the raw
//! structs keeps none of them.

use std::ops::Range;
use toml_edit::{ImDocument, Item, Table, TableLike, Value};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// Splits `actions[0].on[1]` into `actions`, `0`, `on`, `1`.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(open) => (&part[..open], &part[open..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            steps.push(Step::Key(name));
        }
        while let Some(close) = rest.find(']') {
            if let Ok(index) = rest[1..close].parse() {
                steps.push(Step::Index(index));
            }
            rest = &rest[close + 1..];
        }
    }
    steps
}

/// Finds the byte range that `path` names in `text`.
///
/// A key that the file does not write (a missing setting) resolves to the
/// deepest part of the path that it does write, such as the `[github]`
/// header for `github.webhook_secret`. Returns `None` when the text does
/// not parse or writes no part of the path.
pub fn locate(text: &str, path: &str) -> Option<Range<usize>> {
    let document = ImDocument::parse(text).ok()?;
    locate_in_item(document.as_item(), &steps(path), 0, None)
}

fn locate_in_table(table: &Table, steps: &[Step<'_>], from: usize, best: Option<Range<usize>>) -> Option<Range<usize>> {
    let Some(step) = steps.get(from) else { return best };
    let Step::Key(name) = step else { return best };
    let Some((key, item)) = table.get_key_value(name) else { return best };
    let best = key.span().or(best);
    locate_in_item(item, steps, from + 1, best)
}

fn locate_in_item(item: &Item, steps: &[Step<'_>], from: usize, best: Option<Range<usize>>) -> Option<Range<usize>> {
    let Some(step) = steps.get(from) else { return best };
    match (step, item) {
        (Step::Key(name), _) => match item.as_table_like() {
            Some(table) => match table.get_key_value(name) {
                Some((key, value)) => locate_in_item(value, steps, from + 1, key.span().or(best)),
                None => best,
            },
            None => best,
        },
        (Step::Index(index), Item::ArrayOfTables(tables)) => match tables.get(*index) {
            Some(table) => locate_in_table(table, steps, from + 1, table.span().or(best)),
            None => best,
        },
        (Step::Index(_), Item::Value(value)) => locate_in_value(value, steps, from, best),
        _ => best,
    }
}

fn locate_in_value(value: &Value, steps: &[Step<'_>], from: usize, best: Option<Range<usize>>) -> Option<Range<usize>> {
    let Some(step) = steps.get(from) else { return best };
    match (step, value) {
        (Step::Index(index), Value::Array(array)) => match array.get(*index) {
            Some(element) => locate_in_value(element, steps, from + 1, element.span().or(best)),
            None => best,
        },
        (Step::Key(name), Value::InlineTable(table)) => match table.get_key_value(name) {
            Some((key, item)) => locate_in_item(item, steps, from + 1, key.span().or(best)),
            None => best,
        },
        _ => best,
    }
}

/// Names the key path whose key or value covers byte `offset`, choosing
/// the narrowest one, or `None` when the text does not parse or the offset
/// falls outside every key.
pub fn key_at(text: &str, offset: usize) -> Option<String> {
    let document = ImDocument::parse(text).ok()?;
    let mut found: Option<(Range<usize>, String)> = None;
    visit_table(document.as_table(), "", offset, &mut found);
    found.map(|(_, path)| path)
}

fn consider(range: Option<Range<usize>>, path: &str, offset: usize, found: &mut Option<(Range<usize>, String)>) {
    let Some(range) = range else { return };
    // An empty range (such as the end of the file) covers only its own start.
    let covers = range.contains(&offset) || (range.is_empty() && range.start == offset);
    let narrower = found.as_ref().is_none_or(|(best, _)| range.len() <= best.len());
    if covers && narrower {
        *found = Some((range, path.to_owned()));
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn visit_table(table: &dyn TableLike, prefix: &str, offset: usize, found: &mut Option<(Range<usize>, String)>) {
    for (name, item) in table.iter() {
        let path = join(prefix, name);
        let key_span = table.get_key_value(name).and_then(|(key, _)| key.span());
        // A key and its value on one line count as one range, so an error
        // anywhere on `listen = "x"` names `server.listen`.
        let whole = match (&key_span, item.span()) {
            (Some(key), Some(value)) if !item.is_table() && !item.is_array_of_tables() => Some(key.start..value.end),
            _ => None,
        };
        consider(key_span, &path, offset, found);
        consider(whole, &path, offset, found);
        visit_item(item, &path, offset, found);
    }
}

fn visit_item(item: &Item, path: &str, offset: usize, found: &mut Option<(Range<usize>, String)>) {
    match item {
        Item::Table(table) => {
            consider(table.span(), path, offset, found);
            visit_table(table, path, offset, found);
        }
        Item::ArrayOfTables(tables) => {
            for (index, table) in tables.iter().enumerate() {
                let element = format!("{path}[{index}]");
                consider(table.span(), &element, offset, found);
                visit_table(table, &element, offset, found);
            }
        }
        Item::Value(value) => visit_value(value, path, offset, found),
        Item::None => {}
    }
}

fn visit_value(value: &Value, path: &str, offset: usize, found: &mut Option<(Range<usize>, String)>) {
    match value {
        Value::Array(array) => {
            for (index, element) in array.iter().enumerate() {
                let element_path = format!("{path}[{index}]");
                consider(element.span(), &element_path, offset, found);
                visit_value(element, &element_path, offset, found);
            }
        }
        Value::InlineTable(table) => visit_table(table, path, offset, found),
        _ => {}
    }
}

/// Guesses the key path on the line of byte `offset` from the text alone,
/// for syntax errors, where the document does not parse.
///
/// The path is the last table header before that line (with the index of
/// an array of tables) and the bare key the line starts with, if any.
pub fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |newline| offset + newline);
    let line = text[line_start..line_end].trim();

    let mut table = String::new();
    let mut tables_seen: Vec<String> = Vec::new();
    for earlier in text[..line_start].lines().map(str::trim) {
        if let Some(name) = earlier.strip_prefix("[[").and_then(|rest| rest.split_once("]]")).map(|(name, _)| name.trim()) {
            tables_seen.push(name.to_owned());
            let index = tables_seen.iter().filter(|seen| *seen == name).count() - 1;
            table = format!("{name}[{index}]");
        } else if let Some(name) = earlier.strip_prefix('[').and_then(|rest| rest.split_once(']')).map(|(name, _)| name.trim()) {
            table = name.to_owned();
        }
    }
    let bare_key = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    // Without `=`, the first word is probably the key that lacks it.
    let written = line.split_once('=').map_or_else(|| line.split_whitespace().next().unwrap_or_default(), |(key, _)| key.trim());
    let key = Some(written).filter(|key| bare_key(key));
    match key {
        Some(key) => Some(join(&table, key)),
        None if !table.is_empty() && !line.starts_with('[') => Some(table),
        None => None,
    }
}

/// Converts a byte offset to a 1-based line and a 1-based column counted in
/// characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"[server]
listen = "nowhere"

[github]
allow_sha1 = true

[[actions]]
name = "a"
on = ["pull_request.opened", "bogus"]
env = { TOKEN = { env = "X" } }

[[actions]]
name = "b"
"#;

    fn position(path: &str) -> (usize, usize) {
        let range = locate(TEXT, path).unwrap();
        line_column(TEXT, range.start)
    }

    #[test]
    fn locate_plain_key() {
        assert_eq!(position("server.listen"), (2, 1));
    }

    #[test]
    fn locate_missing_key_falls_back_to_section() {
        assert_eq!(position("github.webhook_secret"), (4, 2));
    }

    #[test]
    fn locate_array_element() {
        assert_eq!(position("actions[0].on[1]"), (9, 30));
    }

    #[test]
    fn locate_second_table_of_array() {
        assert_eq!(position("actions[1].name"), (13, 1));
    }

    #[test]
    fn locate_inline_table_key() {
        assert_eq!(position("actions[0].env.TOKEN"), (10, 9));
    }

    #[test]
    fn locate_unwritten_section() {
        assert_eq!(locate(TEXT, "tunnel.region"), None);
    }

    #[test]
    fn key_at_value() {
        let offset = TEXT.find("\"nowhere\"").unwrap();
        assert_eq!(key_at(TEXT, offset).as_deref(), Some("server.listen"));
    }

    #[test]
    fn key_at_array_element() {
        let offset = TEXT.find("\"bogus\"").unwrap();
        assert_eq!(key_at(TEXT, offset).as_deref(), Some("actions[0].on[1]"));
    }

    #[test]
    fn key_at_inline_table() {
        let offset = TEXT.find("env = \"X\"").unwrap();
        assert_eq!(key_at(TEXT, offset).as_deref(), Some("actions[0].env.TOKEN.env"));
    }

    #[test]
    fn key_on_line_of_broken_value() {
        let text = "[server]\nlisten = \"x\"\n[[actions]]\n[[actions]]\nname = 'b\n";
        let offset = text.find("'b").unwrap();
        assert_eq!(key_on_line(text, offset).as_deref(), Some("actions[1].name"));
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("é = 1\nab", 8), (2, 2));
    }
}

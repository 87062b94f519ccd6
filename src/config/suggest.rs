//! Rewrites the deserializer's messages so that they name the fix, such as
//! a "did you mean" for a misspelled key.

/// Rewrites a `toml`/serde error message for the config file.
pub fn explain(message: &str) -> String {
    if let Some(explained) = explain_unknown_field(message) {
        return explained;
    }
    if message.contains("untagged enum RawSecret") || message.contains("untagged enum RawSecretItem") {
        return "invalid secret: expected \"literal\", { env = \"VAR\" }, { file = \"path\" } or a list of those".to_owned();
    }
    if message.starts_with("invalid type: string") && message.contains("expected a sequence") {
        return format!("{message}; this setting takes a list, such as [\"value\"]");
    }
    message.to_owned()
}

/// Turns serde's "unknown field `x`, expected one of `a`, `b`" into a
/// message with the closest allowed key.
fn explain_unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let allowed: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let mut explained = format!("unknown key `{unknown}`");
    if let Some(closest) = closest(unknown, &allowed) {
        explained.push_str(&format!(", did you mean `{closest}`?"));
    }
    if allowed.is_empty() {
        explained.push_str("; this table takes no keys");
    } else {
        explained.push_str(&format!(" Keys allowed here: {}", allowed.join(", ")));
    }
    Some(explained)
}

/// Picks the allowed name closest to `name`: within an edit distance of
/// about a third of its length, or one that starts the other.
pub fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let lowered = name.to_ascii_lowercase();
    let limit = (lowered.chars().count() / 3).max(2);
    let mut best: Option<(usize, &str)> = None;
    for candidate in allowed {
        let distance = edit_distance(&lowered, candidate);
        let shares_start = candidate.len() >= 3 && lowered.len() >= 3 && (lowered.starts_with(candidate) || candidate.starts_with(&lowered));
        if (distance <= limit || shares_start) && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_of_typo() {
        assert_eq!(edit_distance("lisen", "listen"), 1);
    }

    #[test]
    fn closest_of_typo() {
        assert_eq!(closest("webhook_secrt", &["webhook_secret", "token"]), Some("webhook_secret"));
    }

    #[test]
    fn closest_of_longer_name() {
        assert_eq!(closest("listen_addr", &["listen", "data_dir"]), Some("listen"));
    }

    #[test]
    fn closest_of_unrelated_name() {
        assert_eq!(closest("colour", &["listen", "data_dir"]), None);
    }

    #[test]
    fn unknown_field_message() {
        let message = explain("unknown field `filter`, expected one of `server`, `filters`, `tunnel`");
        assert_eq!(message, "unknown key `filter`, did you mean `filters`? Keys allowed here: server, filters, tunnel");
    }

    #[test]
    fn string_for_list_message() {
        let message = explain("invalid type: string \"WIP\", expected a sequence");
        assert!(message.ends_with("this setting takes a list, such as [\"value\"]"), "{message}");
    }
}

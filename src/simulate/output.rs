//! What `simulate` prints: the request line, the status and the JSON
//! response (colored on a terminal), or the request itself for `--print`.

use super::sign::CREDENTIAL_HEADERS;
use console::Style;
use hyper::Uri;
use serde_json::Value;

/// Colors, or none when they are off.
#[derive(Debug, Clone)]
pub struct Palette {
    pub bold: Style,
    pub dim: Style,
    pub key: Style,
    pub string: Style,
    pub literal: Style,
    pub success: Style,
    pub failure: Style,
}

impl Palette {
    pub fn new(enabled: bool) -> Palette {
        let style = |style: Style| style.force_styling(enabled);
        Palette {
            bold: style(Style::new().bold()),
            dim: style(Style::new().dim()),
            key: style(Style::new().blue()),
            string: style(Style::new().green()),
            literal: style(Style::new().yellow()),
            success: style(Style::new().green().bold()),
            failure: style(Style::new().red().bold()),
        }
    }
}

/// Renders the status line: `202 Accepted (3.1 ms)`.
pub fn status_line(palette: &Palette, status: u16, reason: Option<&str>, latency: &str) -> String {
    let text = match reason {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    };
    let style = if (200..300).contains(&status) { &palette.success } else { &palette.failure };
    format!("{} {}", style.apply_to(text), palette.dim.apply_to(format!("({latency})")))
}

/// Renders an response body: JSON pretty-printed and colored, other text as is.
pub fn response_body(palette: &Palette, body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => {
            let mut out = String::new();
            write_json(palette, &value, 0, &mut out);
            out
        }
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

fn write_json(palette: &Palette, value: &Value, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth + 1);
    let closing_indent = "  ".repeat(depth);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (position, (key, item)) in map.iter().enumerate() {
                out.push_str(&indent);
                out.push_str(&palette.key.apply_to(Value::String(key.clone()).to_string()).to_string());
                out.push_str(": ");
                write_json(palette, item, depth + 1, out);
                if position + 1 < map.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&closing_indent);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (position, item) in items.iter().enumerate() {
                out.push_str(&indent);
                write_json(palette, item, depth + 1, out);
                if position + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&closing_indent);
            out.push(']');
        }
        Value::String(_) => out.push_str(&palette.string.apply_to(value.to_string()).to_string()),
        Value::Null => out.push_str(&palette.dim.apply_to("null").to_string()),
        other => out.push_str(&palette.literal.apply_to(other.to_string()).to_string()),
    }
}

/// Replaces the value of headers that carry a secret itself.
pub fn displayed_header_value<'a>(name: &str, value: &'a str, reveal: bool) -> &'a str {
    if !reveal && CREDENTIAL_HEADERS.iter().any(|credential| credential.eq_ignore_ascii_case(name)) {
        "<redacted>"
    } else {
        value
    }
}

/// Renders the HTTP/1.1 request as it goes on the wire.
pub fn raw_request(url: &Uri, headers: &[(String, String)], body: &[u8], reveal: bool) -> String {
    let path = url.path_and_query().map_or("/", |path| path.as_str());
    let host = url.authority().map_or("", |authority| authority.as_str());
    let mut out = format!("POST {path} HTTP/1.1\r\nHost: {host}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {}\r\n", displayed_header_value(name, value, reveal)));
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    out.push_str(&String::from_utf8_lossy(body));
    out.push('\n');
    out
}

/// Renders a curl command line that sends the same request. The body goes
/// through `--data-binary` so that curl sends it byte for byte.
pub fn curl_command(url: &Uri, headers: &[(String, String)], body: &[u8], reveal: bool) -> String {
    let mut lines = vec![format!("curl -sS -X POST {}", shell_quote(&url.to_string()))];
    for (name, value) in headers {
        lines.push(format!("-H {}", shell_quote(&format!("{name}: {}", displayed_header_value(name, value, reveal)))));
    }
    lines.push(format!("--data-binary {}", shell_quote(&String::from_utf8_lossy(body))));
    lines.join(" \\\n  ") + "\n"
}

/// Quotes a word for a POSIX shell in single quotes.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> Vec<(String, String)> {
        vec![
            ("X-Gitlab-Event".to_owned(), "Push Hook".to_owned()),
            ("X-Gitlab-Token".to_owned(), "gl-token".to_owned()),
        ]
    }

    #[test]
    fn raw_request_redacts_token() {
        let url: Uri = "http://127.0.0.1:3000/webhook".parse().unwrap();
        let raw = raw_request(&url, &headers(), b"{}", false);
        assert!(raw.starts_with("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n"), "{raw}");
        assert!(raw.contains("X-Gitlab-Token: <redacted>\r\n"), "{raw}");
        assert!(raw.contains("Content-Length: 2\r\n\r\n{}"), "{raw}");
    }

    #[test]
    fn curl_quotes_single_quotes() {
        let url: Uri = "http://127.0.0.1:3000/webhook".parse().unwrap();
        let command = curl_command(&url, &headers(), br#"{"title":"it's"}"#, true);
        assert!(command.contains(r#"'{"title":"it'\''s"}'"#), "{command}");
        assert!(command.contains("'X-Gitlab-Token: gl-token'"), "{command}");
    }

    #[test]
    fn response_body_without_color_is_pretty_json() {
        let text = response_body(&Palette::new(false), br#"{"status":"queued","n":[1]}"#);
        assert_eq!(text, "{\n  \"status\": \"queued\",\n  \"n\": [\n    1\n  ]\n}");
    }
}

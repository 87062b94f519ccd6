//! `prhook check-config`: load the configuration as `serve` does and report
//! every finding with its file, line, column and key.
//!
//! Exit codes: 0 valid, 1 errors (or warnings with `--deny-warnings`),
//! 2 the file could not be read.

use crate::config::generated::GeneratedSecrets;
use crate::config::locate::line_column;
use crate::config::programs::missing_programs;
use crate::config::{ActionTarget, Config, ConfigSource, Finding, LoadError, Overrides};
use crate::provider::ProviderId;
use crate::serve::ExitError;
use serde::Serialize;
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

/// Options of one `check-config` run.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// `--config` (or `PRHOOK_CONFIG`), before the implicit `prhook.toml`.
    pub config: Option<PathBuf>,
    pub format: ReportFormat,
    /// Count warnings as failures.
    pub deny_warnings: bool,
    /// Color the text report with ANSI escapes.
    pub color: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding placed in the file.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: Option<String>,
    /// 1-based; `None` when the key is not written in the file (a setting
    /// from the environment, or a problem with the whole file).
    pub line: Option<usize>,
    /// 1-based, in characters.
    pub column: Option<usize>,
    pub key: String,
    pub message: String,
}

/// The result of checking one configuration.
#[derive(Debug)]
pub struct Report {
    /// The file checked, or `None` for the built-in defaults.
    pub file: Option<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
    /// The resolved configuration, when it loaded.
    pub config: Option<Config>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|diagnostic| diagnostic.severity == severity).count()
    }

    /// Returns the exit code: 1 for errors, or for warnings when they are denied.
    pub fn exit_code(&self, deny_warnings: bool) -> i32 {
        let failed = self.count(Severity::Error) > 0 || (deny_warnings && self.count(Severity::Warning) > 0);
        i32::from(failed)
    }

    fn file_label(&self) -> String {
        self.file.as_deref().map_or_else(|| "built-in defaults".to_owned(), |path| path.display().to_string())
    }
}

/// Checks the configuration, prints the report to stdout and returns the
/// exit code; a file that cannot be read is an `ExitError` with code 2.
pub fn run_check_config(options: &CheckOptions) -> Result<i32, ExitError> {
    let source = ConfigSource::find(options.config.as_deref());
    let report = check(&source, &|name| std::env::var(name).ok(), std::env::var_os("PATH").as_deref())?;
    let output = match options.format {
        ReportFormat::Text => render_text(&report, options.color, options.deny_warnings),
        ReportFormat::Json => render_json(&report),
    };
    let mut stdout = std::io::stdout().lock();
    // A reader that closed the pipe early (`| head`) has what it wanted.
    let written = stdout.write_all(output.as_bytes()).and_then(|()| stdout.flush());
    if let Err(error) = written {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(ExitError::usage(anyhow::Error::new(error).context("cannot write the report")));
        }
    }
    Ok(report.exit_code(options.deny_warnings))
}

/// Loads `source` through [`Config::from_text`], the code `serve` uses,
/// then checks the `run` programs against `path_variable`.
pub fn check(
    source: &ConfigSource,
    env: &dyn Fn(&str) -> Option<String>,
    path_variable: Option<&std::ffi::OsStr>,
) -> Result<Report, ExitError> {
    let (path, text) = source.read().map_err(ExitError::usage)?;
    let place = |severity: Severity, finding: Finding| place(&text, path.as_deref(), severity, finding);
    let mut diagnostics = Vec::new();
    let config = match Config::from_text(path.as_deref(), &text, &Overrides::default(), env) {
        Ok(config) => {
            let mut programs = missing_programs(&config, path_variable);
            for finding in &mut programs {
                finding.span = crate::config::locate::locate(&text, &finding.key);
            }
            diagnostics.extend(programs.into_iter().map(|finding| place(Severity::Error, finding)));
            diagnostics.extend(config.warnings.iter().cloned().map(|finding| place(Severity::Warning, finding)));
            Some(config)
        }
        Err(LoadError::Invalid { errors, warnings, .. }) => {
            diagnostics.extend(errors.into_iter().map(|finding| place(Severity::Error, finding)));
            diagnostics.extend(warnings.into_iter().map(|finding| place(Severity::Warning, finding)));
            None
        }
        Err(error) => return Err(ExitError::usage(error)),
    };
    // Errors first, each group in file order; findings without a line last.
    diagnostics.sort_by_key(|diagnostic| (diagnostic.severity == Severity::Warning, diagnostic.line.is_none(), diagnostic.line, diagnostic.column));
    Ok(Report { file: path, diagnostics, config })
}

fn place(text: &str, path: Option<&Path>, severity: Severity, finding: Finding) -> Diagnostic {
    let position = finding.span.map(|span| line_column(text, span.start));
    Diagnostic {
        severity,
        file: path.map(|path| path.display().to_string()),
        line: position.map(|(line, _)| line),
        column: position.map(|(_, column)| column),
        key: finding.key,
        message: finding.message,
    }
}

/// ANSI styles, or nothing when color is off.
struct Style {
    enabled: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// Writes `count` with the noun in singular or plural form.
fn count_of(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

/// Renders findings as `file:line:column: severity: key: message` lines,
/// the resolved configuration when it loaded, and a one-line summary.
pub fn render_text(report: &Report, color: bool, deny_warnings: bool) -> String {
    let style = Style { enabled: color };
    let label = report.file_label();
    let mut out = String::new();

    if report.file.is_none() {
        let _ = writeln!(out, "no config file found (no --config, PRHOOK_CONFIG or ./prhook.toml): using the built-in defaults");
    }
    for diagnostic in &report.diagnostics {
        let location = match (diagnostic.line, diagnostic.column) {
            (Some(line), Some(column)) => format!("{label}:{line}:{column}:"),
            _ => format!("{label}:"),
        };
        let severity = match diagnostic.severity {
            Severity::Error => style.paint("1;31", "error:"),
            Severity::Warning => style.paint("1;33", "warning:"),
        };
        let key = if diagnostic.key.is_empty() { String::new() } else { format!("{}: ", style.paint("1", &diagnostic.key)) };
        let _ = writeln!(out, "{} {severity} {key}{}", style.paint("1", &location), diagnostic.message);
    }

    if let Some(config) = &report.config {
        if !report.diagnostics.is_empty() {
            out.push('\n');
        }
        render_summary(&mut out, config, &style);
    }

    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let counts = format!("{}, {}", count_of(errors, "error", "errors"), count_of(warnings, "warning", "warnings"));
    let verdict = if report.exit_code(deny_warnings) == 0 {
        style.paint("1;32", "valid")
    } else if errors == 0 {
        style.paint("1;31", "invalid (warnings are denied)")
    } else {
        style.paint("1;31", "invalid")
    };
    let _ = writeln!(out, "{label}: {counts}: {verdict}");
    out
}

/// Writes the resolved settings that decide what `serve` would do. Secrets
/// are named only as configured or generated, never shown.
fn render_summary(out: &mut String, config: &Config, style: &Style) {
    let _ = writeln!(out, "{}", style.paint("1", "Resolved configuration:"));
    let _ = writeln!(out, "  listen     {}", config.server.listen);
    let _ = writeln!(out, "  data_dir   {}", config.server.data_dir.display());
    let _ = writeln!(out, "  dispatch   {}", if config.server.dispatch { "on" } else { "off (deliveries are stored, no action runs)" });
    let _ = writeln!(out, "  providers");
    for provider in providers(config) {
        let _ = writeln!(out, "    {:<17} {}", provider.0, provider.1);
    }
    let _ = writeln!(out, "  filters    {}", filters_line(config));
    if config.actions.is_empty() {
        let _ = writeln!(out, "  actions    none: deliveries are stored and answered \"ignored\"");
    } else {
        let _ = writeln!(out, "  actions");
        for action in &config.actions {
            let selectors: Vec<String> = action.on.iter().map(ToString::to_string).collect();
            let _ = writeln!(out, "    {:<17} on {}; {}", action.name, selectors.join(", "), target_text(&action.target));
        }
    }
    for section in &config.inactive_sections {
        let _ = writeln!(out, "  note: {section}: parsed, but not active in this version");
    }
}

/// Lists each provider with where its webhook secret comes from.
fn providers(config: &Config) -> Vec<(&'static str, String)> {
    let secrets_file = GeneratedSecrets::path(&config.server.data_dir);
    ProviderId::ALL
        .into_iter()
        .map(|provider| {
            let origin = if config.configured_providers.contains(&provider) {
                "configured in the file".to_owned()
            } else {
                format!("generated secret, kept in {}", secrets_file.display())
            };
            (provider.as_str(), origin)
        })
        .collect()
}

fn filters_line(config: &Config) -> String {
    let filters = &config.filters;
    let mut parts = vec![format!("ignore_drafts = {}", filters.ignore_drafts), format!("ignore_bots = {}", filters.ignore_bots)];
    let lists = [
        ("ignore_pr_authors", filters.ignore_pr_authors.len()),
        ("ignore_pr_title", filters.ignore_pr_title.len()),
        ("ignore_pr_labels", filters.ignore_pr_labels.len()),
        ("ignore_pr_source_branches", filters.ignore_pr_source_branches.len()),
        ("ignore_pr_target_branches", filters.ignore_pr_target_branches.len()),
        ("ignore_repositories", filters.ignore_repositories.len()),
    ];
    for (key, count) in lists {
        if count > 0 {
            parts.push(format!("{key}: {}", count_of(count, "entry", "entries")));
        }
    }
    parts.join(", ")
}

/// Describes the program of a `run` action or the origin of a `forward`
/// URL. Run arguments and URL paths may carry tokens, so neither is shown.
fn target_text(target: &ActionTarget) -> String {
    match target {
        ActionTarget::Run { program, args } => {
            let program = program.literal().unwrap_or("(a placeholder)");
            format!("run {program} with {}", count_of(args.len(), "argument", "arguments"))
        }
        ActionTarget::Forward { url, .. } => match url::Url::parse(url) {
            Ok(parsed) => format!("forward to {}", parsed.origin().ascii_serialization()),
            Err(_) => "forward".to_owned(),
        },
        ActionTarget::Handler(_) => "in-process handler".to_owned(),
    }
}

/// Renders the report as one JSON object: the file, the counts, every
/// finding and, when the configuration loaded, its resolved summary.
pub fn render_json(report: &Report) -> String {
    let resolved = report.config.as_ref().map(|config| {
        let actions: Vec<_> = config
            .actions
            .iter()
            .map(|action| {
                let on: Vec<String> = action.on.iter().map(ToString::to_string).collect();
                json!({"name": action.name, "on": on, "target": target_text(&action.target)})
            })
            .collect();
        let providers: Vec<_> = ProviderId::ALL
            .into_iter()
            .map(|provider| {
                let secret = if config.configured_providers.contains(&provider) { "configured" } else { "generated" };
                json!({"name": provider.as_str(), "secret": secret})
            })
            .collect();
        json!({
            "listen": config.server.listen.to_string(),
            "data_dir": config.server.data_dir.display().to_string(),
            "providers": providers,
            "actions": actions,
        })
    });
    let document = json!({
        "file": report.file.as_deref().map(|path| path.display().to_string()),
        "errors": report.count(Severity::Error),
        "warnings": report.count(Severity::Warning),
        "findings": report.diagnostics,
        "config": resolved,
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_for(text: &str) -> Report {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prhook.toml");
        std::fs::write(&path, text).unwrap();
        check(&ConfigSource::Explicit(path), &|_| None, Some(std::ffi::OsStr::new("/usr/bin:/bin"))).unwrap()
    }

    #[test]
    fn valid_file_exits_zero() {
        let report = report_for("[server]\nlisten = \"127.0.0.1:4000\"\n");
        assert_eq!(report.exit_code(true), 0);
    }

    #[test]
    fn error_has_line_and_column() {
        let report = report_for("[server]\n\nlisten = \"nowhere\"\n");
        let diagnostic = &report.diagnostics[0];
        assert_eq!((diagnostic.line, diagnostic.column), (Some(3), Some(1)));
    }

    #[test]
    fn warning_fails_only_when_denied() {
        let report = report_for("[github]\nwebhook_secret = \"x\"\nallow_sha1 = true\n");
        assert_eq!((report.exit_code(false), report.exit_code(true)), (0, 1));
    }

    #[test]
    fn summary_line_counts_findings() {
        let report = report_for("[github]\nwebhook_secret = \"x\"\nallow_sha1 = true\n");
        let text = render_text(&report, false, false);
        assert!(text.lines().last().unwrap().ends_with(": 0 errors, 1 warning: valid"), "{text}");
    }

    #[test]
    fn summary_hides_secrets() {
        let report = report_for("[github]\nwebhook_secret = \"hunter2-secret\"\n");
        assert!(!render_text(&report, false, false).contains("hunter2"));
    }

    #[test]
    fn color_only_when_enabled() {
        let report = report_for("[server]\nlisten = \"nowhere\"\n");
        assert!(!render_text(&report, false, false).contains('\x1b'));
        assert!(render_text(&report, true, false).contains("\x1b[1;31m"));
    }

    #[test]
    fn missing_file_is_exit_two() {
        let error = check(&ConfigSource::Explicit("/nonexistent/prhook.toml".into()), &|_| None, None).unwrap_err();
        assert_eq!(error.code, 2);
    }
}

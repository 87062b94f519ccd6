//! Checks that each `run` action names a program that can be started.
//!
//! `serve` does not run this check, because the program may be installed
//! after prhook starts; `check-config` reports a missing one as an error.

use super::{ActionTarget, Config, Finding};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Lists the `run` programs that are neither on `path_variable` (the
/// `PATH` value the child inherits) nor an existing executable file.
///
/// A program that contains `/` is a path relative to the action's `cwd`,
/// as the child resolves it. A program written as a placeholder is only
/// known per event and is not checked.
pub fn missing_programs(config: &Config, path_variable: Option<&OsStr>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, action) in config.actions.iter().enumerate() {
        let ActionTarget::Run { program, .. } = &action.target else { continue };
        let Some(program) = program.literal() else { continue };
        let key = format!("actions[{index}].run[0]");
        let message = if program.contains('/') {
            let resolved = action.cwd.join(program);
            match executable(&resolved) {
                Ok(()) => continue,
                Err(problem) => format!("program {program:?} ({}) {problem}", resolved.display()),
            }
        } else {
            if search_path(program, path_variable).is_some() {
                continue;
            }
            format!("program {program:?} not found on PATH; install it or write its path, such as \"./bin/{program}\"")
        };
        findings.push(Finding { key, message, span: None });
    }
    findings
}

/// Finds `program` in the folders of a `PATH` value.
fn search_path(program: &str, path_variable: Option<&OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path_variable?)
        .map(|folder| folder.join(program))
        .find(|candidate| executable(candidate).is_ok())
}

/// Tells why `path` cannot be executed, if it cannot.
fn executable(path: &Path) -> Result<(), &'static str> {
    let metadata = std::fs::metadata(path).map_err(|_| "does not exist")?;
    if !metadata.is_file() {
        return Err("is not a file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o111 == 0 {
            return Err("is not executable; run chmod +x on it");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

    fn config(dir: &Path, program: &str) -> Config {
        let text = format!("[[actions]]\nname = \"a\"\non = [\"*\"]\nrun = [\"{program}\"]");
        Config::from_text(Some(&dir.join("prhook.toml")), &text, &Overrides::default(), &|_| None).unwrap()
    }

    #[test]
    fn program_on_path() {
        let dir = tempfile::tempdir().unwrap();
        let found = missing_programs(&config(dir.path(), "sh"), Some(OsStr::new("/usr/bin:/bin")));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn program_missing_from_path() {
        let dir = tempfile::tempdir().unwrap();
        let found = missing_programs(&config(dir.path(), "no-such-reviewer"), Some(OsStr::new("/usr/bin:/bin")));
        assert_eq!(found[0].key, "actions[0].run[0]");
    }

    #[test]
    fn relative_program_resolves_against_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("hook.sh");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let found = missing_programs(&config(dir.path(), "./hook.sh"), None);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn program_not_executable() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hook.sh"), "#!/bin/sh\n").unwrap();
        let found = missing_programs(&config(dir.path(), "./hook.sh"), None);
        assert!(found[0].message.contains("not executable"), "{}", found[0].message);
    }
}

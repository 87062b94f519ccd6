//! The committed completions and man pages match the clap definitions.

use prhook::generated_docs::{completion_script, man_pages, SHELLS};
use std::path::PathBuf;

const REFRESH: &str = "PRHOOK_UPDATE_GENERATED=1 cargo test --test it generated";

fn check_or_write(path: PathBuf, expected: &[u8]) -> Option<String> {
    if std::env::var_os("PRHOOK_UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, expected).unwrap();
        return None;
    }
    match std::fs::read(&path) {
        Ok(committed) if committed == expected => None,
        Ok(_) => Some(format!("{} is stale", path.display())),
        Err(_) => Some(format!("{} is missing", path.display())),
    }
}

#[test]
fn committed_files_are_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut problems = Vec::new();
    for (shell, file) in SHELLS {
        problems.extend(check_or_write(root.join("completions").join(file), &completion_script(shell)));
    }
    for (file, page) in man_pages() {
        problems.extend(check_or_write(root.join("man").join(file), &page));
    }
    assert!(problems.is_empty(), "{}; refresh them with `{REFRESH}`", problems.join(", "));
}

#[test]
fn completions_command_prints_script() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_prhook")).args(["completions", "bash"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(output.stdout, completion_script(clap_complete::Shell::Bash));
}

//! Bitbucket Server and Data Center payloads: the `pr:*` events,
//! `repo:refs_changed` and `diagnostics:ping`, shaped like Bitbucket 8.
//!
//! The event key fixes the action, so each event takes one `--action`.

use super::{Fixture, TemplateError};
use serde_json::{json, Value};

pub const EVENTS: &[(&str, &[&str])] = &[
    ("pr:opened", &["opened"]),
    ("pr:from_ref_updated", &["synchronized"]),
    ("pr:modified", &["edited"]),
    ("pr:merged", &["merged"]),
    ("pr:declined", &["closed"]),
    ("pr:comment:added", &["commented"]),
    ("repo:refs_changed", &["pushed"]),
    ("diagnostics:ping", &["ping"]),
];

const WEB: &str = "https://bitbucket.northwind.example";
const PROJECT_KEY: &str = "LOG";
const SLUG: &str = "parcel-router";
const PULL_REQUEST_ID: u64 = 42;
const TITLE: &str = "Add a retry budget to the geocoder client";
/// Bitbucket sends times as Unix milliseconds.
const CREATED_MS: u64 = 1_764_770_709_000;
const UPDATED_MS: u64 = 1_764_843_631_000;

pub fn build(event: &str, _action: &str, fixture: &Fixture) -> Result<Value, TemplateError> {
    let payload = match event {
        "diagnostics:ping" => json!({"test": true}),
        "repo:refs_changed" => refs_changed(fixture),
        "pr:opened" | "pr:from_ref_updated" | "pr:modified" | "pr:merged" | "pr:declined" | "pr:comment:added" => {
            pull_request_event(event, fixture)
        }
        _ => return Err(TemplateError::UnknownEvent),
    };
    Ok(payload)
}

fn user(id: u64, name: &str, display_name: &str) -> Value {
    json!({
        "name": name,
        "emailAddress": format!("{name}@northwind.example"),
        "active": true,
        "displayName": display_name,
        "id": id,
        "slug": name,
        "type": "NORMAL",
        "links": {"self": [{"href": format!("{WEB}/users/{name}")}]}
    })
}

fn author() -> Value {
    user(311, "ines.moreau", "Ines Moreau")
}

fn reviewer() -> Value {
    user(527, "tomas.valdez", "Tomas Valdez")
}

fn repository() -> Value {
    json!({
        "slug": SLUG,
        "id": 87,
        "name": SLUG,
        "hierarchyId": "c3d2e1f0a9b8c7d6e5f4",
        "scmId": "git",
        "state": "AVAILABLE",
        "statusMessage": "Available",
        "forkable": true,
        "project": {
            "key": PROJECT_KEY,
            "id": 12,
            "name": "Logistics",
            "description": "Routing and dispatch services",
            "public": false,
            "type": "NORMAL",
            "links": {"self": [{"href": format!("{WEB}/projects/{PROJECT_KEY}")}]}
        },
        "public": false,
        "archived": false,
        "links": {
            "clone": [
                {"href": format!("ssh://git@bitbucket.northwind.example:7999/{}/{SLUG}.git", PROJECT_KEY.to_lowercase()), "name": "ssh"},
                {"href": format!("{WEB}/scm/{}/{SLUG}.git", PROJECT_KEY.to_lowercase()), "name": "http"}
            ],
            "self": [{"href": format!("{WEB}/projects/{PROJECT_KEY}/repos/{SLUG}/browse")}]
        }
    })
}

fn reference(branch: &str, sha: &str) -> Value {
    json!({
        "id": format!("refs/heads/{branch}"),
        "displayId": branch,
        "latestCommit": sha,
        "type": "BRANCH",
        "repository": repository()
    })
}

fn participant(user: Value, role: &str, approved: bool) -> Value {
    json!({
        "user": user,
        "role": role,
        "approved": approved,
        "status": if approved { "APPROVED" } else { "UNAPPROVED" }
    })
}

fn pull_request(state: &str, fixture: &Fixture) -> Value {
    let closed = state != "OPEN";
    let approved = state == "MERGED";
    let mut reviewer_entry = participant(reviewer(), "REVIEWER", approved);
    reviewer_entry["lastReviewedCommit"] = json!(fixture.head_sha);
    let mut object = json!({
        "id": PULL_REQUEST_ID,
        "version": 3,
        "title": TITLE,
        "description": "The geocoder client retried forever on 503. This caps retries per request\nand shares a budget across requests.",
        "state": state,
        "open": !closed,
        "closed": closed,
        "draft": false,
        "createdDate": CREATED_MS,
        "updatedDate": UPDATED_MS,
        "fromRef": reference("feature/retry-budget", &fixture.head_sha),
        "toRef": reference("main", &fixture.base_sha),
        "locked": false,
        "author": participant(author(), "AUTHOR", false),
        "reviewers": [reviewer_entry],
        "participants": [],
        "links": {"self": [{"href": format!("{WEB}/projects/{PROJECT_KEY}/repos/{SLUG}/pull-requests/{PULL_REQUEST_ID}")}]}
    });
    if closed {
        object["closedDate"] = json!(UPDATED_MS);
    }
    if state == "MERGED" {
        object["properties"] = json!({
            "mergeCommit": {"displayId": &fixture.merge_sha[..11], "id": fixture.merge_sha}
        });
    }
    object
}

fn pull_request_event(event: &str, fixture: &Fixture) -> Value {
    let state = match event {
        "pr:merged" => "MERGED",
        "pr:declined" => "DECLINED",
        _ => "OPEN",
    };
    let actor = match event {
        "pr:merged" | "pr:declined" | "pr:comment:added" => reviewer(),
        _ => author(),
    };
    let mut payload = json!({
        "eventKey": event,
        "date": "2026-12-04T10:20:31+0000",
        "actor": actor,
        "pullRequest": pull_request(state, fixture)
    });
    match event {
        "pr:from_ref_updated" => {
            payload["previousFromHash"] = json!(fixture.before_sha);
        }
        "pr:modified" => {
            payload["previousTitle"] = json!("Retry geocoder requests");
            payload["previousDescription"] = payload["pullRequest"]["description"].clone();
            payload["previousTarget"] = json!({
                "id": "refs/heads/main",
                "displayId": "main",
                "type": "BRANCH",
                "latestCommit": fixture.base_sha,
                "latestChangeset": fixture.base_sha
            });
        }
        "pr:comment:added" => {
            payload["comment"] = json!({
                "properties": {"repositoryId": 87},
                "id": 1_042,
                "version": 0,
                "text": "/review --focus=retries",
                "author": reviewer(),
                "createdDate": UPDATED_MS,
                "updatedDate": UPDATED_MS,
                "comments": [],
                "tasks": [],
                "severity": "NORMAL",
                "state": "OPEN",
                "permittedOperations": {"transitionable": true, "editable": true, "deletable": true}
            });
        }
        _ => {}
    }
    payload
}

fn refs_changed(fixture: &Fixture) -> Value {
    json!({
        "eventKey": "repo:refs_changed",
        "date": "2026-12-04T10:20:31+0000",
        "actor": author(),
        "repository": repository(),
        "changes": [{
            "ref": {"id": "refs/heads/main", "displayId": "main", "type": "BRANCH"},
            "refId": "refs/heads/main",
            "fromHash": fixture.before_sha,
            "toHash": fixture.head_sha,
            "type": "UPDATE"
        }],
        "commits": [{
            "id": fixture.head_sha,
            "displayId": &fixture.head_sha[..11],
            "author": {"name": "ines.moreau", "emailAddress": "ines.moreau@northwind.example"},
            "authorTimestamp": UPDATED_MS,
            "committer": {"name": "ines.moreau", "emailAddress": "ines.moreau@northwind.example"},
            "committerTimestamp": UPDATED_MS,
            "message": "Share the retry budget across requests",
            "parents": [{"id": fixture.before_sha, "displayId": &fixture.before_sha[..11]}]
        }],
        "toCommit": {
            "id": fixture.head_sha,
            "displayId": &fixture.head_sha[..11],
            "message": "Share the retry budget across requests",
            "parents": [{"id": fixture.before_sha, "displayId": &fixture.before_sha[..11]}]
        }
    })
}

//! GitLab payloads: `Merge Request Hook`, `Note Hook` on a merge request and
//! `Push Hook`, shaped like the deliveries of GitLab 17.

use super::{Fixture, TemplateError};
use serde_json::{json, Value};

/// `--action` values of each event. Besides GitLab's own `open`, `update`,
/// ... the merge request event takes prhook's action names, which pick the
/// kind of `update` (`update` alone is a push of new commits).
pub const EVENTS: &[(&str, &[&str])] = &[
    (
        "merge_request",
        &[
            "open",
            "opened",
            "reopen",
            "reopened",
            "close",
            "closed",
            "merge",
            "merged",
            "update",
            "synchronized",
            "edited",
            "ready_for_review",
            "converted_to_draft",
            "labeled",
            "unlabeled",
            "updated",
            "approved",
        ],
    ),
    ("note", &["create", "commented", "update", "updated"]),
    ("push", &["pushed"]),
];

/// The `X-Gitlab-Event` header value of each event.
pub fn header_event(event: &str) -> Option<&'static str> {
    match event {
        "merge_request" => Some("Merge Request Hook"),
        "note" => Some("Note Hook"),
        "push" => Some("Push Hook"),
        _ => None,
    }
}

const WEB: &str = "https://gitlab.example.com";
const NAMESPACE: &str = "northwind/platform";
const PROJECT: &str = "parcel-router";
const PROJECT_ID: u64 = 4_182;
const IID: u64 = 42;
const AUTHOR_ID: u64 = 311;
const REVIEWER_ID: u64 = 527;

pub fn build(event: &str, action: &str, fixture: &Fixture) -> Result<Value, TemplateError> {
    match event {
        "merge_request" => Ok(merge_request_event(action, fixture)),
        "note" => Ok(note_event(action, fixture)),
        "push" => Ok(push_event(fixture)),
        _ => Err(TemplateError::UnknownEvent),
    }
}

fn user(id: u64, name: &str, username: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "username": username,
        "avatar_url": format!("{WEB}/uploads/-/system/user/avatar/{id}/avatar.png"),
        "email": "[REDACTED]"
    })
}

fn author() -> Value {
    user(AUTHOR_ID, "Ines Moreau", "ines.moreau")
}

fn reviewer() -> Value {
    user(REVIEWER_ID, "Tomas Valdez", "tomas.valdez")
}

fn project() -> Value {
    let path = format!("{NAMESPACE}/{PROJECT}");
    json!({
        "id": PROJECT_ID,
        "name": "Parcel Router",
        "description": "Plans delivery routes from parcel manifests",
        "web_url": format!("{WEB}/{path}"),
        "avatar_url": null,
        "git_ssh_url": format!("git@gitlab.example.com:{path}.git"),
        "git_http_url": format!("{WEB}/{path}.git"),
        "namespace": "Platform",
        "visibility_level": 10,
        "path_with_namespace": path,
        "default_branch": "main",
        "ci_config_path": "",
        "homepage": format!("{WEB}/{path}"),
        "url": format!("git@gitlab.example.com:{path}.git"),
        "ssh_url": format!("git@gitlab.example.com:{path}.git"),
        "http_url": format!("{WEB}/{path}.git")
    })
}

fn repository() -> Value {
    let path = format!("{NAMESPACE}/{PROJECT}");
    json!({
        "name": "Parcel Router",
        "url": format!("git@gitlab.example.com:{path}.git"),
        "description": "Plans delivery routes from parcel manifests",
        "homepage": format!("{WEB}/{path}")
    })
}

fn label(id: u64, title: &str, color: &str) -> Value {
    json!({
        "id": id,
        "title": title,
        "color": color,
        "project_id": PROJECT_ID,
        "created_at": "2025-04-02 09:12:44 UTC",
        "updated_at": "2025-04-02 09:12:44 UTC",
        "template": false,
        "description": null,
        "type": "ProjectLabel",
        "group_id": null
    })
}

fn enhancement_label() -> Value {
    label(2_051, "enhancement", "#1f75cb")
}

fn backend_label() -> Value {
    label(2_052, "backend", "#6699cc")
}

fn last_commit(fixture: &Fixture) -> Value {
    json!({
        "id": fixture.head_sha,
        "message": "Share the retry budget across requests\n",
        "title": "Share the retry budget across requests",
        "timestamp": "2026-12-04T10:20:31+00:00",
        "url": format!("{WEB}/{NAMESPACE}/{PROJECT}/-/commit/{}", fixture.head_sha),
        "author": {"name": "Ines Moreau", "email": "ines.moreau@northwind.example"}
    })
}

/// The merge request attributes shared by merge request and note hooks.
fn merge_request(state: &str, title: &str, draft: bool, labels: Value, fixture: &Fixture) -> Value {
    let path = format!("{NAMESPACE}/{PROJECT}");
    let state_id = match state {
        "closed" => 2,
        "merged" => 3,
        _ => 1,
    };
    let merged = state == "merged";
    json!({
        "assignee_id": null,
        "author_id": AUTHOR_ID,
        "created_at": "2026-12-03 14:05:09 UTC",
        "description": "The geocoder client retried forever on 503. This caps retries per request\nand shares a budget across requests.\n\nCloses #37",
        "draft": draft,
        "head_pipeline_id": 880_412,
        "id": 99_184,
        "iid": IID,
        "last_edited_at": null,
        "last_edited_by_id": null,
        "merge_commit_sha": if merged { json!(fixture.merge_sha) } else { Value::Null },
        "merge_error": null,
        "merge_params": {"force_remove_source_branch": "1"},
        "merge_status": "can_be_merged",
        "merge_user_id": null,
        "merge_when_pipeline_succeeds": false,
        "milestone_id": null,
        "source_branch": "feature/retry-budget",
        "source_project_id": PROJECT_ID,
        "state_id": state_id,
        "target_branch": "main",
        "target_project_id": PROJECT_ID,
        "time_estimate": 0,
        "title": title,
        "updated_at": "2026-12-04 10:20:31 UTC",
        "updated_by_id": null,
        "prepared_at": "2026-12-03 14:05:12 UTC",
        "assignee_ids": [],
        "blocking_discussions_resolved": true,
        "detailed_merge_status": if merged { "merged" } else { "mergeable" },
        "first_contribution": false,
        "human_time_change": null,
        "human_time_estimate": null,
        "human_total_time_spent": null,
        "labels": labels,
        "last_commit": last_commit(fixture),
        "reviewer_ids": [REVIEWER_ID],
        "source": project(),
        "state": state,
        "target": project(),
        "time_change": 0,
        "total_time_spent": 0,
        "url": format!("{WEB}/{path}/-/merge_requests/{IID}"),
        "work_in_progress": draft
    })
}

const TITLE: &str = "Add a retry budget to the geocoder client";

fn merge_request_event(action: &str, fixture: &Fixture) -> Value {
    let labels = json!([enhancement_label()]);
    let (wire_action, state) = match action {
        "open" | "opened" => ("open", "opened"),
        "reopen" | "reopened" => ("reopen", "opened"),
        "close" | "closed" => ("close", "closed"),
        "merge" | "merged" => ("merge", "merged"),
        "approved" => ("approved", "opened"),
        _ => ("update", "opened"),
    };
    let draft = action == "converted_to_draft";
    let title = if draft { format!("Draft: {TITLE}") } else { TITLE.to_owned() };
    let mut attributes = merge_request(state, &title, draft, labels.clone(), fixture);
    attributes["action"] = json!(wire_action);

    // The acting user: the author opens, pushes and edits; the reviewer
    // approves, merges and closes.
    let actor = match action {
        "close" | "closed" | "merge" | "merged" | "approved" | "updated" | "labeled" | "unlabeled" => reviewer(),
        _ => author(),
    };
    let mut changes = json!({});
    match action {
        "update" | "synchronized" => {
            attributes["oldrev"] = json!(fixture.before_sha);
            changes = json!({
                "updated_at": {"previous": "2026-12-04 09:02:10 UTC", "current": "2026-12-04 10:20:31 UTC"}
            });
        }
        "edited" => {
            changes = json!({
                "title": {"previous": "Retry geocoder requests", "current": TITLE},
                "updated_at": {"previous": "2026-12-04 09:02:10 UTC", "current": "2026-12-04 10:20:31 UTC"}
            });
        }
        "ready_for_review" | "converted_to_draft" => {
            changes = json!({
                "draft": {"previous": !draft, "current": draft},
                "title": {
                    "previous": if draft { TITLE.to_owned() } else { format!("Draft: {TITLE}") },
                    "current": title
                },
                "updated_at": {"previous": "2026-12-04 09:02:10 UTC", "current": "2026-12-04 10:20:31 UTC"}
            });
        }
        "labeled" | "unlabeled" => {
            let with_backend = json!([enhancement_label(), backend_label()]);
            let (previous, current) =
                if action == "labeled" { (labels.clone(), with_backend) } else { (with_backend, labels.clone()) };
            attributes["labels"] = current.clone();
            changes = json!({
                "labels": {"previous": previous, "current": current},
                "updated_at": {"previous": "2026-12-04 09:02:10 UTC", "current": "2026-12-04 10:20:31 UTC"}
            });
        }
        "updated" => {
            changes = json!({
                "reviewers": {"previous": [], "current": [reviewer()]},
                "updated_at": {"previous": "2026-12-04 09:02:10 UTC", "current": "2026-12-04 10:20:31 UTC"}
            });
        }
        "close" | "closed" | "merge" | "merged" => {
            changes = json!({
                "state_id": {"previous": 1, "current": attributes["state_id"].clone()},
                "updated_at": {"previous": "2026-12-04 09:02:10 UTC", "current": "2026-12-04 10:20:31 UTC"}
            });
        }
        _ => {}
    }
    let current_labels = attributes["labels"].clone();
    json!({
        "object_kind": "merge_request",
        "event_type": "merge_request",
        "user": actor,
        "project": project(),
        "object_attributes": attributes,
        "labels": current_labels,
        "changes": changes,
        "repository": repository(),
        "assignees": [],
        "reviewers": [reviewer()]
    })
}

fn note_event(action: &str, fixture: &Fixture) -> Value {
    let path = format!("{NAMESPACE}/{PROJECT}");
    let note_id = 1_904_377;
    let wire_action = if matches!(action, "update" | "updated") { "update" } else { "create" };
    let mut merge_request = merge_request("opened", TITLE, false, json!([enhancement_label()]), fixture);
    if let Some(object) = merge_request.as_object_mut() {
        object.remove("labels");
    }
    json!({
        "object_kind": "note",
        "event_type": "note",
        "user": reviewer(),
        "project_id": PROJECT_ID,
        "project": project(),
        "object_attributes": {
            "attachment": null,
            "author_id": REVIEWER_ID,
            "change_position": null,
            "commit_id": null,
            "created_at": "2026-12-04 10:18:44 UTC",
            "discussion_id": "6f1c0e7b9a2d4c8e5b3a1f0d9c8b7a6e5d4c3b2a",
            "id": note_id,
            "line_code": null,
            "note": "/review --focus=retries",
            "noteable_id": 99_184,
            "noteable_type": "MergeRequest",
            "original_position": null,
            "position": null,
            "project_id": PROJECT_ID,
            "resolved_at": null,
            "resolved_by_id": null,
            "resolved_by_push": null,
            "st_diff": null,
            "system": false,
            "type": null,
            "updated_at": "2026-12-04 10:18:44 UTC",
            "updated_by_id": null,
            "description": "/review --focus=retries",
            "url": format!("{WEB}/{path}/-/merge_requests/{IID}#note_{note_id}"),
            "action": wire_action
        },
        "repository": repository(),
        "merge_request": merge_request
    })
}

fn push_event(fixture: &Fixture) -> Value {
    let path = format!("{NAMESPACE}/{PROJECT}");
    json!({
        "object_kind": "push",
        "event_name": "push",
        "before": fixture.before_sha,
        "after": fixture.head_sha,
        "ref": "refs/heads/main",
        "ref_protected": true,
        "checkout_sha": fixture.head_sha,
        "message": null,
        "user_id": AUTHOR_ID,
        "user_name": "Ines Moreau",
        "user_username": "ines.moreau",
        "user_email": "",
        "user_avatar": format!("{WEB}/uploads/-/system/user/avatar/{AUTHOR_ID}/avatar.png"),
        "project_id": PROJECT_ID,
        "project": project(),
        "commits": [{
            "id": fixture.head_sha,
            "message": "Share the retry budget across requests\n",
            "title": "Share the retry budget across requests",
            "timestamp": "2026-12-04T10:20:31+00:00",
            "url": format!("{WEB}/{path}/-/commit/{}", fixture.head_sha),
            "author": {"name": "Ines Moreau", "email": "ines.moreau@northwind.example"},
            "added": [],
            "modified": ["src/geocoder/client.rs"],
            "removed": []
        }],
        "total_commits_count": 1,
        "push_options": {},
        "repository": {
            "name": "Parcel Router",
            "url": format!("git@gitlab.example.com:{path}.git"),
            "description": "Plans delivery routes from parcel manifests",
            "homepage": format!("{WEB}/{path}"),
            "git_http_url": format!("{WEB}/{path}.git"),
            "git_ssh_url": format!("git@gitlab.example.com:{path}.git"),
            "visibility_level": 10
        }
    })
}

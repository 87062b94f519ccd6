//! GitHub payloads: `pull_request`, `issue_comment`, `pull_request_review`,
//! `pull_request_review_comment`, `ping` and `push`, shaped like the
//! deliveries of github.com (REST API objects with every URL field).

use super::{Fixture, TemplateError};
use serde_json::{json, Value};

pub const EVENTS: &[(&str, &[&str])] = &[
    (
        "pull_request",
        &[
            "opened",
            "reopened",
            "closed",
            "merged",
            "edited",
            "synchronize",
            "synchronized",
            "ready_for_review",
            "converted_to_draft",
            "labeled",
            "unlabeled",
            "assigned",
            "review_requested",
        ],
    ),
    ("issue_comment", &["created", "edited", "deleted"]),
    ("pull_request_review", &["submitted", "edited", "dismissed"]),
    ("pull_request_review_comment", &["created", "edited", "deleted"]),
    ("ping", &["ping"]),
    ("push", &["pushed"]),
];

const API: &str = "https://api.github.com";
const WEB: &str = "https://github.com";
const OWNER: &str = "northwind-labs";
const REPO: &str = "parcel-router";
const REPO_ID: u64 = 718_293_645;
const NUMBER: u64 = 42;

pub fn build(event: &str, action: &str, fixture: &Fixture) -> Result<Value, TemplateError> {
    let payload = match event {
        "pull_request" => pull_request_event(action, fixture),
        "issue_comment" => issue_comment_event(action),
        "pull_request_review" => review_event(action, fixture),
        "pull_request_review_comment" => review_comment_event(action, fixture),
        "ping" => ping_event(),
        "push" => push_event(fixture),
        _ => return Err(TemplateError::UnknownEvent),
    };
    Ok(payload)
}

fn user(login: &str, id: u64) -> Value {
    json!({
        "login": login,
        "id": id,
        "node_id": format!("MDQ6VXNlcj{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": format!("{API}/users/{login}"),
        "html_url": format!("{WEB}/{login}"),
        "followers_url": format!("{API}/users/{login}/followers"),
        "following_url": format!("{API}/users/{login}/following{{/other_user}}"),
        "gists_url": format!("{API}/users/{login}/gists{{/gist_id}}"),
        "starred_url": format!("{API}/users/{login}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{API}/users/{login}/subscriptions"),
        "organizations_url": format!("{API}/users/{login}/orgs"),
        "repos_url": format!("{API}/users/{login}/repos"),
        "events_url": format!("{API}/users/{login}/events{{/privacy}}"),
        "received_events_url": format!("{API}/users/{login}/received_events"),
        "type": "User",
        "user_view_type": "public",
        "site_admin": false
    })
}

fn author() -> Value {
    user("ines-moreau", 4_410_231)
}

fn reviewer() -> Value {
    user("tomas-valdez", 5_520_987)
}

fn organization() -> Value {
    json!({
        "login": OWNER,
        "id": 90_112_233,
        "node_id": "O_kgDOBV8a6Q",
        "url": format!("{API}/orgs/{OWNER}"),
        "repos_url": format!("{API}/orgs/{OWNER}/repos"),
        "events_url": format!("{API}/orgs/{OWNER}/events"),
        "hooks_url": format!("{API}/orgs/{OWNER}/hooks"),
        "issues_url": format!("{API}/orgs/{OWNER}/issues"),
        "members_url": format!("{API}/orgs/{OWNER}/members{{/member}}"),
        "public_members_url": format!("{API}/orgs/{OWNER}/public_members{{/member}}"),
        "avatar_url": "https://avatars.githubusercontent.com/u/90112233?v=4",
        "description": "Routing software for small couriers"
    })
}

/// The organization that owns the repository, as a user object.
fn owner() -> Value {
    let mut owner = user(OWNER, 90_112_233);
    owner["type"] = json!("Organization");
    owner
}

fn repository() -> Value {
    let full = format!("{OWNER}/{REPO}");
    let api = format!("{API}/repos/{full}");
    json!({
        "id": REPO_ID,
        "node_id": "R_kgDOKs5EDQ",
        "name": REPO,
        "full_name": full,
        "private": false,
        "owner": owner(),
        "html_url": format!("{WEB}/{full}"),
        "description": "Plans delivery routes from parcel manifests",
        "fork": false,
        "url": api,
        "forks_url": format!("{api}/forks"),
        "keys_url": format!("{api}/keys{{/key_id}}"),
        "collaborators_url": format!("{api}/collaborators{{/collaborator}}"),
        "teams_url": format!("{api}/teams"),
        "hooks_url": format!("{api}/hooks"),
        "issue_events_url": format!("{api}/issues/events{{/number}}"),
        "events_url": format!("{api}/events"),
        "assignees_url": format!("{api}/assignees{{/user}}"),
        "branches_url": format!("{api}/branches{{/branch}}"),
        "tags_url": format!("{api}/tags"),
        "blobs_url": format!("{api}/git/blobs{{/sha}}"),
        "git_tags_url": format!("{api}/git/tags{{/sha}}"),
        "git_refs_url": format!("{api}/git/refs{{/sha}}"),
        "trees_url": format!("{api}/git/trees{{/sha}}"),
        "statuses_url": format!("{api}/statuses/{{sha}}"),
        "languages_url": format!("{api}/languages"),
        "stargazers_url": format!("{api}/stargazers"),
        "contributors_url": format!("{api}/contributors"),
        "subscribers_url": format!("{api}/subscribers"),
        "subscription_url": format!("{api}/subscription"),
        "commits_url": format!("{api}/commits{{/sha}}"),
        "git_commits_url": format!("{api}/git/commits{{/sha}}"),
        "comments_url": format!("{api}/comments{{/number}}"),
        "issue_comment_url": format!("{api}/issues/comments{{/number}}"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "compare_url": format!("{api}/compare/{{base}}...{{head}}"),
        "merges_url": format!("{api}/merges"),
        "archive_url": format!("{api}/{{archive_format}}{{/ref}}"),
        "downloads_url": format!("{api}/downloads"),
        "issues_url": format!("{api}/issues{{/number}}"),
        "pulls_url": format!("{api}/pulls{{/number}}"),
        "milestones_url": format!("{api}/milestones{{/number}}"),
        "notifications_url": format!("{api}/notifications{{?since,all,participating}}"),
        "labels_url": format!("{api}/labels{{/name}}"),
        "releases_url": format!("{api}/releases{{/id}}"),
        "deployments_url": format!("{api}/deployments"),
        "created_at": "2025-03-11T08:14:52Z",
        "updated_at": "2026-11-30T16:02:11Z",
        "pushed_at": "2026-12-01T09:41:07Z",
        "git_url": format!("git://github.com/{full}.git"),
        "ssh_url": format!("git@github.com:{full}.git"),
        "clone_url": format!("{WEB}/{full}.git"),
        "svn_url": format!("{WEB}/{full}"),
        "homepage": null,
        "size": 2874,
        "stargazers_count": 37,
        "watchers_count": 37,
        "language": "Rust",
        "has_issues": true,
        "has_projects": false,
        "has_downloads": true,
        "has_wiki": false,
        "has_pages": false,
        "has_discussions": false,
        "forks_count": 4,
        "mirror_url": null,
        "archived": false,
        "disabled": false,
        "open_issues_count": 6,
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT", "url": format!("{API}/licenses/mit"), "node_id": "MDc6TGljZW5zZTEz"},
        "allow_forking": true,
        "is_template": false,
        "web_commit_signoff_required": false,
        "topics": ["logistics", "routing"],
        "visibility": "public",
        "forks": 4,
        "open_issues": 6,
        "watchers": 37,
        "default_branch": "main"
    })
}

fn label(name: &str, id: u64, color: &str) -> Value {
    json!({
        "id": id,
        "node_id": format!("LA_kwDOKs5EDc8AAAAB{id}"),
        "url": format!("{API}/repos/{OWNER}/{REPO}/labels/{name}"),
        "name": name,
        "color": color,
        "default": false,
        "description": null
    })
}

fn enhancement_label() -> Value {
    label("enhancement", 6_110_244_101, "a2eeef")
}

/// The pull request object shared by `pull_request`, review and review comment events.
fn pull_request(state: &str, draft: bool, merged: bool, fixture: &Fixture) -> Value {
    let full = format!("{OWNER}/{REPO}");
    let api = format!("{API}/repos/{full}");
    let closed_at = if state == "closed" { json!("2026-12-04T10:20:31Z") } else { Value::Null };
    let merged_at = if merged { json!("2026-12-04T10:20:31Z") } else { Value::Null };
    let merged_by = if merged { reviewer() } else { Value::Null };
    json!({
        "url": format!("{api}/pulls/{NUMBER}"),
        "id": 2_213_874_590u64,
        "node_id": "PR_kwDOKs5EDc6D9b2e",
        "html_url": format!("{WEB}/{full}/pull/{NUMBER}"),
        "diff_url": format!("{WEB}/{full}/pull/{NUMBER}.diff"),
        "patch_url": format!("{WEB}/{full}/pull/{NUMBER}.patch"),
        "issue_url": format!("{api}/issues/{NUMBER}"),
        "number": NUMBER,
        "state": state,
        "locked": false,
        "title": "Add a retry budget to the geocoder client",
        "user": author(),
        "body": "The geocoder client retried forever on 503. This caps retries per request\nand shares a budget across requests.\n\nCloses #37",
        "created_at": "2026-12-03T14:05:09Z",
        "updated_at": "2026-12-04T10:20:31Z",
        "closed_at": closed_at,
        "merged_at": merged_at,
        "merge_commit_sha": fixture.merge_sha,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [reviewer()],
        "requested_teams": [],
        "labels": [enhancement_label()],
        "milestone": null,
        "draft": draft,
        "commits_url": format!("{api}/pulls/{NUMBER}/commits"),
        "review_comments_url": format!("{api}/pulls/{NUMBER}/comments"),
        "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
        "comments_url": format!("{api}/issues/{NUMBER}/comments"),
        "statuses_url": format!("{api}/statuses/{}", fixture.head_sha),
        "head": {
            "label": format!("{OWNER}:feature/retry-budget"),
            "ref": "feature/retry-budget",
            "sha": fixture.head_sha,
            "user": owner(),
            "repo": repository()
        },
        "base": {
            "label": format!("{OWNER}:main"),
            "ref": "main",
            "sha": fixture.base_sha,
            "user": owner(),
            "repo": repository()
        },
        "_links": {
            "self": {"href": format!("{api}/pulls/{NUMBER}")},
            "html": {"href": format!("{WEB}/{full}/pull/{NUMBER}")},
            "issue": {"href": format!("{api}/issues/{NUMBER}")},
            "comments": {"href": format!("{api}/issues/{NUMBER}/comments")},
            "review_comments": {"href": format!("{api}/pulls/{NUMBER}/comments")},
            "review_comment": {"href": format!("{api}/pulls/comments{{/number}}")},
            "commits": {"href": format!("{api}/pulls/{NUMBER}/commits")},
            "statuses": {"href": format!("{api}/statuses/{}", fixture.head_sha)}
        },
        "author_association": "MEMBER",
        "auto_merge": null,
        "active_lock_reason": null,
        "merged": merged,
        "mergeable": if merged { Value::Null } else { json!(true) },
        "rebaseable": if merged { Value::Null } else { json!(true) },
        "mergeable_state": if merged { "unknown" } else { "clean" },
        "merged_by": merged_by,
        "comments": 2,
        "review_comments": 1,
        "maintainer_can_modify": false,
        "commits": 3,
        "additions": 118,
        "deletions": 21,
        "changed_files": 4
    })
}

fn installation_fields(payload: &mut Value) {
    payload["repository"] = repository();
    payload["organization"] = organization();
}

fn pull_request_event(action: &str, fixture: &Fixture) -> Value {
    let (wire_action, state, draft, merged) = match action {
        "merged" => ("closed", "closed", false, true),
        "closed" => ("closed", "closed", false, false),
        "synchronized" | "synchronize" => ("synchronize", "open", false, false),
        "converted_to_draft" => ("converted_to_draft", "open", true, false),
        other => (other, "open", false, false),
    };
    let mut payload = json!({
        "action": wire_action,
        "number": NUMBER,
        "pull_request": pull_request(state, draft, merged, fixture)
    });
    match wire_action {
        "synchronize" => {
            payload["before"] = json!(fixture.before_sha);
            payload["after"] = json!(fixture.head_sha);
        }
        "edited" => {
            payload["changes"] = json!({"title": {"from": "Retry geocoder requests"}});
        }
        "labeled" | "unlabeled" => {
            payload["label"] = enhancement_label();
            if wire_action == "unlabeled" {
                payload["pull_request"]["labels"] = json!([]);
            }
        }
        "assigned" => {
            payload["assignee"] = reviewer();
            payload["pull_request"]["assignee"] = reviewer();
            payload["pull_request"]["assignees"] = json!([reviewer()]);
        }
        "review_requested" => {
            payload["requested_reviewer"] = reviewer();
        }
        _ => {}
    }
    installation_fields(&mut payload);
    let actor = if merged { reviewer() } else { author() };
    payload["sender"] = actor;
    payload
}

/// The issue side of a pull request, as `issue_comment` carries it.
fn issue() -> Value {
    let full = format!("{OWNER}/{REPO}");
    let api = format!("{API}/repos/{full}");
    json!({
        "url": format!("{api}/issues/{NUMBER}"),
        "repository_url": api,
        "labels_url": format!("{api}/issues/{NUMBER}/labels{{/name}}"),
        "comments_url": format!("{api}/issues/{NUMBER}/comments"),
        "events_url": format!("{api}/issues/{NUMBER}/events"),
        "html_url": format!("{WEB}/{full}/pull/{NUMBER}"),
        "id": 2_651_447_803u64,
        "node_id": "PR_kwDOKs5EDc6D9b2e",
        "number": NUMBER,
        "title": "Add a retry budget to the geocoder client",
        "user": author(),
        "labels": [enhancement_label()],
        "state": "open",
        "locked": false,
        "assignee": null,
        "assignees": [],
        "milestone": null,
        "comments": 2,
        "created_at": "2026-12-03T14:05:09Z",
        "updated_at": "2026-12-04T10:18:44Z",
        "closed_at": null,
        "author_association": "MEMBER",
        "type": null,
        "active_lock_reason": null,
        "draft": false,
        "pull_request": {
            "url": format!("{api}/pulls/{NUMBER}"),
            "html_url": format!("{WEB}/{full}/pull/{NUMBER}"),
            "diff_url": format!("{WEB}/{full}/pull/{NUMBER}.diff"),
            "patch_url": format!("{WEB}/{full}/pull/{NUMBER}.patch"),
            "merged_at": null
        },
        "body": "The geocoder client retried forever on 503. This caps retries per request\nand shares a budget across requests.\n\nCloses #37",
        "reactions": reactions(&format!("{api}/issues/{NUMBER}/reactions")),
        "timeline_url": format!("{api}/issues/{NUMBER}/timeline"),
        "performed_via_github_app": null,
        "state_reason": null
    })
}

fn reactions(url: &str) -> Value {
    json!({
        "url": url, "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
        "confused": 0, "heart": 0, "rocket": 0, "eyes": 0
    })
}

fn issue_comment_event(action: &str) -> Value {
    let full = format!("{OWNER}/{REPO}");
    let api = format!("{API}/repos/{full}");
    let comment_id = 2_519_334_870u64;
    let mut payload = json!({
        "action": action,
        "issue": issue(),
        "comment": {
            "url": format!("{api}/issues/comments/{comment_id}"),
            "html_url": format!("{WEB}/{full}/pull/{NUMBER}#issuecomment-{comment_id}"),
            "issue_url": format!("{api}/issues/{NUMBER}"),
            "id": comment_id,
            "node_id": "IC_kwDOKs5EDc6WKp7W",
            "user": reviewer(),
            "created_at": "2026-12-04T10:18:44Z",
            "updated_at": "2026-12-04T10:18:44Z",
            "author_association": "MEMBER",
            "body": "/review --focus=retries",
            "reactions": reactions(&format!("{api}/issues/comments/{comment_id}/reactions")),
            "performed_via_github_app": null
        }
    });
    if action == "edited" {
        payload["changes"] = json!({"body": {"from": "/review"}});
    }
    installation_fields(&mut payload);
    payload["sender"] = reviewer();
    payload
}

fn review_event(action: &str, fixture: &Fixture) -> Value {
    let full = format!("{OWNER}/{REPO}");
    let review_id = 2_480_911_356u64;
    let state = if action == "dismissed" { "dismissed" } else { "changes_requested" };
    let mut payload = json!({
        "action": action,
        "review": {
            "id": review_id,
            "node_id": "PRR_kwDOKs5EDc6T4x9c",
            "user": reviewer(),
            "body": "The budget should reset per minute, not per process start.",
            "commit_id": fixture.head_sha,
            "submitted_at": "2026-12-04T09:57:12Z",
            "state": state,
            "html_url": format!("{WEB}/{full}/pull/{NUMBER}#pullrequestreview-{review_id}"),
            "pull_request_url": format!("{API}/repos/{full}/pulls/{NUMBER}"),
            "author_association": "MEMBER",
            "_links": {
                "html": {"href": format!("{WEB}/{full}/pull/{NUMBER}#pullrequestreview-{review_id}")},
                "pull_request": {"href": format!("{API}/repos/{full}/pulls/{NUMBER}")}
            }
        },
        "pull_request": pull_request("open", false, false, fixture)
    });
    if action == "edited" {
        payload["changes"] = json!({"body": {"from": "The budget should reset."}});
    }
    installation_fields(&mut payload);
    payload["sender"] = reviewer();
    payload
}

fn review_comment_event(action: &str, fixture: &Fixture) -> Value {
    let full = format!("{OWNER}/{REPO}");
    let api = format!("{API}/repos/{full}");
    let comment_id = 1_867_205_449u64;
    let mut payload = json!({
        "action": action,
        "comment": {
            "url": format!("{api}/pulls/comments/{comment_id}"),
            "pull_request_review_id": 2_480_911_356u64,
            "id": comment_id,
            "node_id": "PRRC_kwDOKs5EDc5vSo9J",
            "diff_hunk": "@@ -41,6 +41,12 @@ impl GeocoderClient {\n     pub async fn lookup(&self, address: &str) -> Result<Point> {\n+        let permit = self.budget.acquire()?;",
            "path": "src/geocoder/client.rs",
            "commit_id": fixture.head_sha,
            "original_commit_id": fixture.head_sha,
            "user": reviewer(),
            "body": "What happens when the budget is empty: wait or fail?",
            "created_at": "2026-12-04T09:55:40Z",
            "updated_at": "2026-12-04T09:55:40Z",
            "html_url": format!("{WEB}/{full}/pull/{NUMBER}#discussion_r{comment_id}"),
            "pull_request_url": format!("{api}/pulls/{NUMBER}"),
            "author_association": "MEMBER",
            "_links": {
                "self": {"href": format!("{api}/pulls/comments/{comment_id}")},
                "html": {"href": format!("{WEB}/{full}/pull/{NUMBER}#discussion_r{comment_id}")},
                "pull_request": {"href": format!("{api}/pulls/{NUMBER}")}
            },
            "reactions": reactions(&format!("{api}/pulls/comments/{comment_id}/reactions")),
            "start_line": null,
            "original_start_line": null,
            "start_side": null,
            "line": 44,
            "original_line": 44,
            "side": "RIGHT",
            "original_position": 4,
            "position": 4,
            "subject_type": "line"
        },
        "pull_request": pull_request("open", false, false, fixture)
    });
    if action == "edited" {
        payload["changes"] = json!({"body": {"from": "Wait or fail?"}});
    }
    installation_fields(&mut payload);
    payload["sender"] = reviewer();
    payload
}

fn ping_event() -> Value {
    let hook_id = 501_234_567u64;
    let mut payload = json!({
        "zen": "Keep it logically awesome.",
        "hook_id": hook_id,
        "hook": {
            "type": "Repository",
            "id": hook_id,
            "name": "web",
            "active": true,
            "events": ["pull_request", "issue_comment", "pull_request_review", "pull_request_review_comment", "push"],
            "config": {
                "content_type": "json",
                "insecure_ssl": "0",
                "secret": "********",
                "url": "https://hooks.northwind.example/api/v1/github_webhooks"
            },
            "updated_at": "2026-12-04T08:00:00Z",
            "created_at": "2026-12-04T08:00:00Z",
            "url": format!("{API}/repos/{OWNER}/{REPO}/hooks/{hook_id}"),
            "test_url": format!("{API}/repos/{OWNER}/{REPO}/hooks/{hook_id}/test"),
            "ping_url": format!("{API}/repos/{OWNER}/{REPO}/hooks/{hook_id}/pings"),
            "deliveries_url": format!("{API}/repos/{OWNER}/{REPO}/hooks/{hook_id}/deliveries"),
            "last_response": {"code": null, "status": "unused", "message": null}
        }
    });
    installation_fields(&mut payload);
    payload["sender"] = author();
    payload
}

fn push_event(fixture: &Fixture) -> Value {
    let full = format!("{OWNER}/{REPO}");
    let commit = json!({
        "id": fixture.head_sha,
        "tree_id": fixture.tree_sha,
        "distinct": true,
        "message": "Share the retry budget across requests",
        "timestamp": "2026-12-04T10:20:31Z",
        "url": format!("{WEB}/{full}/commit/{}", fixture.head_sha),
        "author": {"name": "Ines Moreau", "email": "ines.moreau@northwind.example", "username": "ines-moreau"},
        "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
        "added": [],
        "removed": [],
        "modified": ["src/geocoder/client.rs"]
    });
    let mut repository = repository();
    // Push events give the repository's times as Unix seconds.
    repository["created_at"] = json!(1_741_680_892);
    repository["pushed_at"] = json!(1_764_843_631);
    repository["stargazers"] = json!(37);
    repository["master_branch"] = json!("main");
    repository["organization"] = json!(OWNER);
    json!({
        "ref": "refs/heads/main",
        "before": fixture.before_sha,
        "after": fixture.head_sha,
        "repository": repository,
        "pusher": {"name": "ines-moreau", "email": "ines.moreau@northwind.example"},
        "organization": organization(),
        "sender": author(),
        "created": false,
        "deleted": false,
        "forced": false,
        "base_ref": null,
        "compare": format!("{WEB}/{full}/compare/{}...{}", &fixture.before_sha[..12], &fixture.head_sha[..12]),
        "commits": [commit.clone()],
        "head_commit": commit
    })
}

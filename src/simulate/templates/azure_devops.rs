//! Azure DevOps service hook payloads: `git.pullrequest.created`,
//! `git.pullrequest.updated`, `git.pullrequest.merged`,
//! `ms.vss-code.git-pullrequest-comment-event` and `git.push`.
//!
//! The event name and the delivery id are in the body (`eventType`, `id`),
//! so each build carries the delivery's fresh id.

use super::{Fixture, TemplateError};
use serde_json::{json, Value};

/// `--action` values of each event. `git.pullrequest.updated` carries one
/// message for every kind of change, and the action picks the message
/// (`synchronized`: new commits, `edited`: a new title, `updated`: a vote,
/// `reopened`) or the status (`merged`: completed, `closed`: abandoned).
pub const EVENTS: &[(&str, &[&str])] = &[
    ("git.pullrequest.created", &["opened"]),
    ("git.pullrequest.updated", &["synchronized", "edited", "updated", "reopened", "merged", "closed"]),
    ("git.pullrequest.merged", &["merged", "updated"]),
    ("ms.vss-code.git-pullrequest-comment-event", &["commented", "updated"]),
    ("git.push", &["pushed"]),
];

const ORGANIZATION: &str = "northwind";
const PROJECT: &str = "Logistics";
const PROJECT_ID: &str = "5c1e9f2a-3b7d-4e8c-a6f0-2d9b8c7e1a43";
const REPOSITORY: &str = "parcel-router";
const REPOSITORY_ID: &str = "b8e2f6d4-91c3-4a57-8e0b-6f3d2a1c9e75";
const COLLECTION_ID: &str = "e4a7c2d9-6b1f-4380-9d5e-7c2a8f0b3e61";
const PULL_REQUEST_ID: u64 = 42;
const TITLE: &str = "Add a retry budget to the geocoder client";

fn base() -> String {
    format!("https://dev.azure.com/{ORGANIZATION}")
}

fn api() -> String {
    format!("{}/{PROJECT_ID}/_apis/git/repositories/{REPOSITORY_ID}", base())
}

fn web() -> String {
    format!("{}/{PROJECT}/_git/{REPOSITORY}", base())
}

pub fn build(event: &str, action: &str, fixture: &Fixture) -> Result<Value, TemplateError> {
    let (resource, text, resource_version) = match event {
        "git.pullrequest.created" => (pull_request("active", fixture), created_message(), "1.0"),
        "git.pullrequest.updated" => updated(action, fixture),
        "git.pullrequest.merged" => merged(action, fixture),
        "ms.vss-code.git-pullrequest-comment-event" => comment(action, fixture),
        "git.push" => push(fixture),
        _ => return Err(TemplateError::UnknownEvent),
    };
    let (text, html, markdown) = text;
    Ok(json!({
        "subscriptionId": "0d7c5a2e-8f14-4b63-9e2a-c5b1d7f8a093",
        "notificationId": 17,
        "id": fixture.delivery_id,
        "eventType": event,
        "publisherId": "tfs",
        "message": {"text": text, "html": html, "markdown": markdown},
        "detailedMessage": {"text": text, "html": html, "markdown": markdown},
        "resource": resource,
        "resourceVersion": resource_version,
        "resourceContainers": {
            "collection": {"id": COLLECTION_ID, "baseUrl": format!("{}/", base())},
            "account": {"id": "a3f0c9e7-2d4b-4c18-b6a5-9e8d7c6b5a41", "baseUrl": format!("{}/", base())},
            "project": {"id": PROJECT_ID, "baseUrl": format!("{}/", base())}
        },
        "createdDate": "2026-12-04T10:20:33.4417263Z"
    }))
}

type Message = (String, String, String);

/// The message in the three forms Azure DevOps sends, for a sentence of
/// the form "<actor> <verb> pull request 42 (<title>) in parcel-router".
fn message(actor: &str, verb: &str) -> Message {
    let pr_url = format!("{}/pullrequest/{PULL_REQUEST_ID}", web());
    let text = format!("{actor} {verb} pull request {PULL_REQUEST_ID} ({TITLE}) in {REPOSITORY}\r\n{}/", web());
    let html = format!(
        "{actor} {verb} <a href=\"{pr_url}\">pull request {PULL_REQUEST_ID}</a> ({TITLE}) in <a href=\"{}/\">{REPOSITORY}</a>",
        web()
    );
    let markdown =
        format!("{actor} {verb} [pull request {PULL_REQUEST_ID}]({pr_url}) ({TITLE}) in [{REPOSITORY}]({}/)", web());
    (text, html, markdown)
}

fn created_message() -> Message {
    message("Ines Moreau", "created")
}

fn identity(display_name: &str, unique_name: &str, id: &str) -> Value {
    json!({
        "displayName": display_name,
        "url": format!("https://spsprodweu5.vssps.visualstudio.com/A{COLLECTION_ID}/_apis/Identities/{id}"),
        "_links": {"avatar": {"href": format!("{}/_apis/GraphProfile/MemberAvatars/aad.{id}", base())}},
        "id": id,
        "uniqueName": unique_name,
        "imageUrl": format!("{}/_api/_common/identityImage?id={id}", base()),
        "descriptor": format!("aad.{}", id.replace('-', ""))
    })
}

fn author() -> Value {
    identity("Ines Moreau", "ines.moreau@northwind.example", "7a2c9e14-5b3d-4f81-a6c0-e9d8b7f6a512")
}

fn reviewer_identity() -> Value {
    identity("Tomas Valdez", "tomas.valdez@northwind.example", "c4e8a1f2-9d6b-4357-b0e2-a1f9c8d7e643")
}

fn repository() -> Value {
    json!({
        "id": REPOSITORY_ID,
        "name": REPOSITORY,
        "url": api(),
        "project": {
            "id": PROJECT_ID,
            "name": PROJECT,
            "description": "Routing and dispatch services",
            "url": format!("{}/_apis/projects/{PROJECT_ID}", base()),
            "state": "wellFormed",
            "revision": 311,
            "visibility": "private",
            "lastUpdateTime": "2026-10-02T08:41:17.53Z"
        },
        "size": 2_941_382,
        "remoteUrl": format!("https://{ORGANIZATION}@dev.azure.com/{ORGANIZATION}/{PROJECT}/_git/{REPOSITORY}"),
        "sshUrl": format!("git@ssh.dev.azure.com:v3/{ORGANIZATION}/{PROJECT}/{REPOSITORY}"),
        "webUrl": web(),
        "isDisabled": false,
        "isInMaintenance": false
    })
}

fn commit_ref(sha: &str) -> Value {
    json!({"commitId": sha, "url": format!("{}/commits/{sha}", api())})
}

fn reviewer(vote: i64) -> Value {
    let mut reviewer = reviewer_identity();
    let object = reviewer.as_object_mut().expect("an identity is an object");
    object.insert(
        "reviewerUrl".into(),
        json!(format!("{}/pullRequests/{PULL_REQUEST_ID}/reviewers/{}", api(), "c4e8a1f2-9d6b-4357-b0e2-a1f9c8d7e643")),
    );
    object.insert("vote".into(), json!(vote));
    object.insert("hasDeclined".into(), json!(false));
    object.insert("isRequired".into(), json!(true));
    object.insert("isFlagged".into(), json!(false));
    reviewer
}

/// The pull request resource in `status` (`active`, `completed` or `abandoned`).
fn pull_request(status: &str, fixture: &Fixture) -> Value {
    let closed = status != "active";
    let mut resource = json!({
        "repository": repository(),
        "pullRequestId": PULL_REQUEST_ID,
        "codeReviewId": PULL_REQUEST_ID,
        "status": status,
        "createdBy": author(),
        "creationDate": "2026-12-03T14:05:09.2831907Z",
        "title": TITLE,
        "description": "The geocoder client retried forever on 503. This caps retries per request\nand shares a budget across requests.",
        "sourceRefName": "refs/heads/feature/retry-budget",
        "targetRefName": "refs/heads/main",
        "mergeStatus": "succeeded",
        "isDraft": false,
        "mergeId": "1f8e6d4c-2b0a-4938-a7e5-c3d1b9f7e524",
        "lastMergeSourceCommit": commit_ref(&fixture.head_sha),
        "lastMergeTargetCommit": commit_ref(&fixture.base_sha),
        "lastMergeCommit": commit_ref(&fixture.merge_sha),
        "reviewers": [reviewer(if closed { 10 } else { 0 })],
        "labels": [{"id": "3e9a7c51-0d2f-4b86-9a14-e6c5b8d7f320", "name": "enhancement", "active": true}],
        "url": format!("{}/pullRequests/{PULL_REQUEST_ID}", api()),
        "_links": {
            "web": {"href": format!("{}/pullrequest/{PULL_REQUEST_ID}", web())},
            "statuses": {"href": format!("{}/pullRequests/{PULL_REQUEST_ID}/statuses", api())}
        },
        "supportsIterations": true,
        "artifactId": format!("vstfs:///Git/PullRequestId/{PROJECT_ID}%2f{REPOSITORY_ID}%2f{PULL_REQUEST_ID}")
    });
    if closed {
        resource["closedDate"] = json!("2026-12-04T10:20:31.6620184Z");
        resource["closedBy"] = reviewer_identity();
    }
    if status == "completed" {
        resource["completionOptions"] = json!({"mergeStrategy": "squash", "deleteSourceBranch": true});
    }
    resource
}

fn updated(action: &str, fixture: &Fixture) -> (Value, Message, &'static str) {
    match action {
        "merged" => (pull_request("completed", fixture), message("Tomas Valdez", "completed"), "1.0"),
        "closed" => (pull_request("abandoned", fixture), message("Tomas Valdez", "abandoned"), "1.0"),
        "edited" => (pull_request("active", fixture), message("Ines Moreau", "updated the title of"), "1.0"),
        "reopened" => (pull_request("active", fixture), message("Ines Moreau", "reactivated"), "1.0"),
        "updated" => {
            let mut resource = pull_request("active", fixture);
            resource["reviewers"] = json!([reviewer(10)]);
            (resource, message("Tomas Valdez", "approved"), "1.0")
        }
        _ => (pull_request("active", fixture), message("Ines Moreau", "updated the source branch of"), "1.0"),
    }
}

fn merged(action: &str, fixture: &Fixture) -> (Value, Message, &'static str) {
    if action == "updated" {
        // A merge attempt that found conflicts leaves the pull request active.
        let mut resource = pull_request("active", fixture);
        resource["mergeStatus"] = json!("conflicts");
        return (resource, message("Ines Moreau", "tried to merge"), "1.0");
    }
    (pull_request("completed", fixture), message("Tomas Valdez", "completed"), "1.0")
}

fn comment(action: &str, fixture: &Fixture) -> (Value, Message, &'static str) {
    let thread_id = 5;
    let deleted = action == "updated";
    let resource = json!({
        "comment": {
            "id": 1,
            "parentCommentId": 0,
            "author": reviewer_identity(),
            "content": "/review --focus=retries",
            "publishedDate": "2026-12-04T10:18:44.102Z",
            "lastUpdatedDate": "2026-12-04T10:18:44.102Z",
            "lastContentUpdatedDate": "2026-12-04T10:18:44.102Z",
            "isDeleted": deleted,
            "commentType": "text",
            "usersLiked": [],
            "_links": {
                "self": {"href": format!("{}/pullRequests/{PULL_REQUEST_ID}/threads/{thread_id}/comments/1", api())},
                "repository": {"href": api()},
                "threads": {"href": format!("{}/pullRequests/{PULL_REQUEST_ID}/threads/{thread_id}", api())},
                "pullRequests": {"href": format!("{}/pullRequests/{PULL_REQUEST_ID}", api())}
            }
        },
        "pullRequest": pull_request("active", fixture)
    });
    let text = format!(
        "Tomas Valdez has edited a pull request comment\r\n{}/pullrequest/{PULL_REQUEST_ID}?discussionId={thread_id}",
        web()
    );
    let (text, html, markdown) = if deleted {
        (text.clone(), text.clone(), text)
    } else {
        let pr_url = format!("{}/pullrequest/{PULL_REQUEST_ID}", web());
        (
            format!("Tomas Valdez has commented on a pull request\r\n{pr_url}?discussionId={thread_id}\r\n/review --focus=retries"),
            format!("Tomas Valdez has <a href=\"{pr_url}?discussionId={thread_id}\">commented</a> on a pull request"),
            format!("Tomas Valdez has [commented]({pr_url}?discussionId={thread_id}) on a pull request"),
        )
    };
    (resource, (text, html, markdown), "2.0")
}

fn push(fixture: &Fixture) -> (Value, Message, &'static str) {
    let resource = json!({
        "commits": [{
            "commitId": fixture.head_sha,
            "author": {"name": "Ines Moreau", "email": "ines.moreau@northwind.example", "date": "2026-12-04T10:20:31Z"},
            "committer": {"name": "Ines Moreau", "email": "ines.moreau@northwind.example", "date": "2026-12-04T10:20:31Z"},
            "comment": "Share the retry budget across requests",
            "url": format!("{}/commits/{}", api(), fixture.head_sha)
        }],
        "refUpdates": [{
            "name": "refs/heads/main",
            "oldObjectId": fixture.before_sha,
            "newObjectId": fixture.head_sha
        }],
        "repository": repository(),
        "pushedBy": author(),
        "pushId": 1_287,
        "date": "2026-12-04T10:20:32.1803617Z",
        "url": format!("{}/pushes/1287", api()),
        "_links": {
            "self": {"href": format!("{}/pushes/1287", api())},
            "repository": {"href": api()},
            "commits": {"href": format!("{}/pushes/1287/commits", api())},
            "pusher": {"href": format!("https://spsprodweu5.vssps.visualstudio.com/A{COLLECTION_ID}/_apis/Identities/7a2c9e14-5b3d-4f81-a6c0-e9d8b7f6a512")},
            "refs": {"href": format!("{}/refs/heads/main", api())}
        }
    });
    let short = &fixture.head_sha[..8];
    let text = format!("Ines Moreau pushed updates to {REPOSITORY}:main\r\n{}/#version=GBmain", web());
    let html = format!(
        "Ines Moreau pushed updates to <a href=\"{}/\">{REPOSITORY}</a>:<a href=\"{}/#version=GBmain\">main</a>",
        web(),
        web()
    );
    let markdown = format!(
        "Ines Moreau pushed a commit to [{REPOSITORY}]({}/):[main]({}/#version=GBmain).\n* Share the retry budget across requests [{short}]({}/commit/{})",
        web(),
        web(),
        web(),
        fixture.head_sha
    );
    (resource, (text, html, markdown), "1.0")
}

#!/usr/bin/env python3
"""Write the benchmark's GitHub `pull_request` delivery and its signature.

The body follows the shape of GitHub's documented `pull_request` event
(action `labeled`): a pull request with its head and base repositories in
full, the repository, the organization, the sender and the label. It is
about 28 KB, the size of a real delivery for a busy repository, and the
same bytes on every run.

Usage: payload.py OUT_DIR SECRET

Writes OUT_DIR/pull_request.json and OUT_DIR/pull_request.sig, which contains
the `X-Hub-Signature-256` value (`sha256=` and the hex HMAC-SHA256 of the
body keyed with SECRET).
"""

import hashlib
import hmac
import json
import pathlib
import sys

API = "https://api.github.com"
WEB = "https://github.com"
CREATED = "2026-11-30T09:14:07Z"
UPDATED = "2026-12-03T16:42:51Z"


def account(login, number, kind="User"):
    api = f"{API}/users/{login}"
    return {
        "login": login,
        "id": number,
        "node_id": f"MDQ6VXNlcj{number:08d}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{number}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{WEB}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "user_view_type": "public",
        "site_admin": False,
    }


def repository(owner, name, number, fork=False):
    full_name = f"{owner['login']}/{name}"
    api = f"{API}/repos/{full_name}"
    templated = {
        "keys_url": "/keys{/key_id}",
        "collaborators_url": "/collaborators{/collaborator}",
        "issue_events_url": "/issues/events{/number}",
        "assignees_url": "/assignees{/user}",
        "branches_url": "/branches{/branch}",
        "blobs_url": "/git/blobs{/sha}",
        "git_tags_url": "/git/tags{/sha}",
        "git_refs_url": "/git/refs{/sha}",
        "trees_url": "/git/trees{/sha}",
        "statuses_url": "/statuses/{sha}",
        "commits_url": "/commits{/sha}",
        "git_commits_url": "/git/commits{/sha}",
        "comments_url": "/comments{/number}",
        "issue_comment_url": "/issues/comments{/number}",
        "contents_url": "/contents/{+path}",
        "compare_url": "/compare/{base}...{head}",
        "archive_url": "/{archive_format}{/ref}",
        "issues_url": "/issues{/number}",
        "pulls_url": "/pulls{/number}",
        "milestones_url": "/milestones{/number}",
        "notifications_url": "/notifications{?since,all,participating}",
        "labels_url": "/labels{/name}",
        "releases_url": "/releases{/id}",
    }
    plain = [
        "forks", "teams", "hooks", "events", "tags", "languages", "stargazers",
        "contributors", "subscribers", "subscription", "merges", "downloads", "deployments",
    ]
    result = {
        "id": number,
        "node_id": f"R_kgDOH{number:08d}",
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": owner,
        "html_url": f"{WEB}/{full_name}",
        "description": "Review bot and CI glue for the team's services",
        "fork": fork,
        "url": api,
    }
    for key in plain:
        result[f"{key}_url"] = f"{api}/{key}"
    for key, suffix in templated.items():
        result[key] = api + suffix
    result.update({
        "created_at": "2021-03-15T10:21:33Z",
        "updated_at": UPDATED,
        "pushed_at": UPDATED,
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{WEB}/{full_name}.git",
        "svn_url": f"{WEB}/{full_name}",
        "homepage": None,
        "size": 48213,
        "stargazers_count": 1284,
        "watchers_count": 1284,
        "language": "Rust",
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": True,
        "forks_count": 211,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 97,
        "license": {"key": "apache-2.0", "name": "Apache License 2.0", "spdx_id": "Apache-2.0",
                    "url": f"{API}/licenses/apache-2.0", "node_id": "MDc6TGljZW5zZTI="},
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": ["automation", "ci", "code-review", "webhooks"],
        "visibility": "public",
        "forks": 211,
        "open_issues": 97,
        "watchers": 1284,
        "default_branch": "main",
        "allow_squash_merge": True,
        "allow_merge_commit": False,
        "allow_rebase_merge": True,
        "allow_auto_merge": True,
        "delete_branch_on_merge": True,
        "allow_update_branch": True,
        "use_squash_pr_title_as_default": True,
        "squash_merge_commit_message": "PR_BODY",
        "squash_merge_commit_title": "PR_TITLE",
        "merge_commit_message": "PR_TITLE",
        "merge_commit_title": "MERGE_MESSAGE",
    })
    return result


def label(number, name, color, description):
    return {
        "id": number,
        "node_id": f"LA_kwDOH{number:08d}",
        "url": f"{API}/repos/acme-platform/deploy-service/labels/{name}",
        "name": name,
        "color": color,
        "default": False,
        "description": description,
    }


def pull_request_body():
    lines = [
        "## Summary",
        "",
        "Moves the deploy queue from the in-memory channel to the durable job table, so a",
        "restart of the service no longer drops queued deploys.",
        "",
        "## Changes",
    ]
    for index in range(1, 4):
        lines.append(f"- step {index}: move the queue reader for stage {index} to the job table and "
                     f"cover the retry path with a test (`deploy/stage_{index}.rs`)")
    lines += ["", "## Testing", "", "`cargo test --workspace` and a staging deploy of 40 services."]
    return "\n".join(lines)


def pull_request(number, author, reviewer, organization, head_repository, base_repository, labels):
    pull_api = f"{API}/repos/acme-platform/deploy-service/pulls/{number}"
    issue_api = f"{API}/repos/acme-platform/deploy-service/issues/{number}"
    head_sha = "9f2c4e81b07d5a3c6e1f8b2d4a7c9e0f1b3d5a7c"
    base_sha = "3b8e1d0c7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"
    return {
        "url": pull_api,
        "id": 2087654321,
        "node_id": "PR_kwDOHabcdefg4zA6Qx",
        "html_url": f"{WEB}/acme-platform/deploy-service/pull/{number}",
        "diff_url": f"{WEB}/acme-platform/deploy-service/pull/{number}.diff",
        "patch_url": f"{WEB}/acme-platform/deploy-service/pull/{number}.patch",
        "issue_url": issue_api,
        "number": number,
        "state": "open",
        "locked": False,
        "title": "queue: store deploy jobs in the job table",
        "user": author,
        "body": pull_request_body(),
        "created_at": CREATED,
        "updated_at": UPDATED,
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": "6d1a9c3e5b7f2d4a8c0e6b1d3f5a7c9e2b4d6f8a",
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [reviewer],
        "requested_teams": [],
        "labels": labels,
        "milestone": None,
        "draft": False,
        "commits_url": f"{pull_api}/commits",
        "review_comments_url": f"{pull_api}/comments",
        "review_comment_url": f"{API}/repos/acme-platform/deploy-service/pulls/comments{{/number}}",
        "comments_url": f"{issue_api}/comments",
        "statuses_url": f"{API}/repos/acme-platform/deploy-service/statuses/{head_sha}",
        "head": {"label": "mira-okafor:queue-in-job-table", "ref": "queue-in-job-table", "sha": head_sha,
                 "user": author, "repo": head_repository},
        "base": {"label": "acme-platform:main", "ref": "main", "sha": base_sha,
                 "user": organization, "repo": base_repository},
        "_links": {key: {"href": href} for key, href in {
            "self": pull_api,
            "html": f"{WEB}/acme-platform/deploy-service/pull/{number}",
            "issue": issue_api,
            "comments": f"{issue_api}/comments",
            "review_comments": f"{pull_api}/comments",
            "review_comment": f"{API}/repos/acme-platform/deploy-service/pulls/comments{{/number}}",
            "commits": f"{pull_api}/commits",
            "statuses": f"{API}/repos/acme-platform/deploy-service/statuses/{head_sha}",
        }.items()},
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": False,
        "mergeable": True,
        "rebaseable": True,
        "mergeable_state": "clean",
        "merged_by": None,
        "comments": 4,
        "review_comments": 11,
        "maintainer_can_modify": True,
        "commits": 9,
        "additions": 742,
        "deletions": 218,
        "changed_files": 31,
    }


def build():
    organization = account("acme-platform", 81234567, "Organization")
    author = account("mira-okafor", 31415926)
    reviewer = account("tomas-lindqvist", 27182818)
    sender = account("priya-raman", 16180339)
    base_repository = repository(organization, "deploy-service", 412233445)
    head_repository = repository(author, "deploy-service", 512233446, fork=True)
    labels = [
        label(5001, "needs-review", "fbca04", "Waiting for a reviewer"),
        label(5002, "area/queue", "0e8a16", "Deploy queue"),
        label(5003, "size/L", "d93f0b", "Changes 500-999 lines"),
    ]
    number = 1347
    return {
        "action": "labeled",
        "number": number,
        "pull_request": pull_request(number, author, reviewer, organization, head_repository, base_repository, labels),
        "label": labels[2],
        "repository": base_repository,
        "organization": {key: organization[key] for key in ("login", "id", "node_id", "url", "avatar_url")}
        | {"repos_url": f"{API}/orgs/acme-platform/repos", "events_url": f"{API}/orgs/acme-platform/events",
           "hooks_url": f"{API}/orgs/acme-platform/hooks", "issues_url": f"{API}/orgs/acme-platform/issues",
           "members_url": f"{API}/orgs/acme-platform/members{{/member}}",
           "public_members_url": f"{API}/orgs/acme-platform/public_members{{/member}}",
           "description": "Platform engineering"},
        "sender": sender,
    }


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: payload.py OUT_DIR SECRET")
    out_dir = pathlib.Path(sys.argv[1])
    secret = sys.argv[2].encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    body = json.dumps(build(), separators=(",", ":")).encode()
    digest = hmac.new(secret, body, hashlib.sha256).hexdigest()
    (out_dir / "pull_request.json").write_bytes(body)
    (out_dir / "pull_request.sig").write_text(f"sha256={digest}\n")
    print(f"{out_dir / 'pull_request.json'}: {len(body)} bytes")


if __name__ == "__main__":
    main()

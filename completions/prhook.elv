
use builtin;
use str;

set edit:completion:arg-completer[prhook] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'prhook'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'prhook'= {
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Run the webhook receiver until SIGINT or SIGTERM'
            cand completions 'Print the shell completion script (for packaging)'
            cand check-config 'Check the configuration as serve loads it and report each problem with its line'
            cand simulate 'Build a realistic delivery for a provider and event, sign it as the provider would and send it'
            cand verify-signature 'Check a captured delivery''s signature, token or credentials offline'
            cand deliveries 'List, show and replay stored deliveries, also while serve runs'
            cand tunnel 'Expose a local port that is already listening through ngrok or localtunnel'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'prhook;serve'= {
            cand --listen 'Address to listen on, overriding server.listen [default: 127.0.0.1:3000, or server.listen]'
            cand --data-dir 'Directory of the store, lock and generated secrets, overriding server.data_dir [default: .prhook, or server.data_dir]'
            cand --tunnel-service 'Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand --use-tunnel 'Open a tunnel to the listener and print its public webhook URLs'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;completions'= {
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;check-config'= {
            cand --format 'Report format: text for people, json for CI annotations'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand --deny-warnings 'Exit 1 when there are warnings, not only errors'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;simulate'= {
            cand --action 'The event''s action, such as opened, synchronize or merge; the default is the event''s most common one'
            cand --url 'URL to POST to [default: http://<server.listen>/<the provider''s route>]'
            cand --secret 'Secret to sign with (GitLab: the token, or a whsec_ signing token; Azure DevOps: the password)'
            cand --secret-env 'Environment variable that contains the secret'
            cand --username 'Azure DevOps Basic username [default: azure_devops.username, else empty]'
            cand --data-dir 'Data directory whose secrets.toml `serve` generated, overriding server.data_dir'
            cand --set 'Override a payload field by dotted path; the value is read as JSON when it parses, else as text (repeatable)'
            cand --file 'Send this file''s bytes as the body instead of a template'
            cand --print 'Print the request instead of sending it: raw (the HTTP request) or curl (a curl command line)'
            cand --count 'Number of deliveries to send, each with a fresh delivery id'
            cand --concurrency 'Deliveries in flight at once'
            cand --timeout 'Seconds to wait for each response'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand --reveal-secret 'With --print, show X-Gitlab-Token and Authorization values instead of `<redacted>`'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;verify-signature'= {
            cand --provider 'Provider: github, gitlab, azure-devops or bitbucket-server'
            cand --secret 'Secret to check against (GitLab: the token or whsec_ signing token; Azure DevOps: the password)'
            cand --secret-env 'Environment variable that contains the secret'
            cand --username 'Azure DevOps Basic username [default: azure_devops.username, else empty]'
            cand --data-dir 'Data directory whose secrets.toml `serve` generated, overriding server.data_dir'
            cand --signature 'The signature header''s value, put in the provider''s header (GitHub: sha256=… or sha1=…; GitLab: the token or v1,…; Azure DevOps: Basic …; Bitbucket Server: sha256=…)'
            cand --header 'A captured header, as ''Name: value'' (repeatable)'
            cand --headers-file 'File of captured headers, one ''Name: value'' per line; a leading request line is skipped'
            cand --now 'Unix time to check a signing-token timestamp against, for captured deliveries [default: now]'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand --allow-sha1 'Check GitHub''s legacy X-Hub-Signature (HMAC-SHA1) when X-Hub-Signature-256 is absent'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;deliveries'= {
            cand --data-dir 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]'
            cand --format 'Output format'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List stored deliveries, newest first: a header line, then one line each'
            cand show 'Show one delivery: headers, normalized event, jobs and their attempts'
            cand replay 'Queue the actions of stored deliveries again, as new attempts of the same deliveries'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'prhook;deliveries;list'= {
            cand --status 'Only deliveries with this status: queued, running, done, failed or ignored'
            cand --provider 'Only deliveries from this provider: github, gitlab, azure-devops or bitbucket-server'
            cand --repository 'Only deliveries for this repository (its full name, such as acme/rocket)'
            cand --since 'Only deliveries received at or after this RFC 3339 time'
            cand --until 'Only deliveries received before this RFC 3339 time'
            cand --limit 'Maximum number of deliveries to list'
            cand --data-dir 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]'
            cand --format 'Output format'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;deliveries;show'= {
            cand --data-dir 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]'
            cand --format 'Output format'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;deliveries;replay'= {
            cand --status 'Only deliveries with this status: queued, running, done, failed or ignored'
            cand --provider 'Only deliveries from this provider: github, gitlab, azure-devops or bitbucket-server'
            cand --repository 'Only deliveries for this repository (its full name, such as acme/rocket)'
            cand --since 'Only deliveries received at or after this RFC 3339 time'
            cand --until 'Only deliveries received before this RFC 3339 time'
            cand --data-dir 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]'
            cand --format 'Output format'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand --failed 'Replay every failed delivery (the same as --status failed)'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;deliveries;help'= {
            cand list 'List stored deliveries, newest first: a header line, then one line each'
            cand show 'Show one delivery: headers, normalized event, jobs and their attempts'
            cand replay 'Queue the actions of stored deliveries again, as new attempts of the same deliveries'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'prhook;deliveries;help;list'= {
        }
        &'prhook;deliveries;help;show'= {
        }
        &'prhook;deliveries;help;replay'= {
        }
        &'prhook;deliveries;help;help'= {
        }
        &'prhook;tunnel'= {
            cand --service 'Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]'
            cand --port 'Local port to expose [default: the port of server.listen]'
            cand --config 'Configuration file [default: ./prhook.toml when it exists]'
            cand --log-format 'Log line format'
            cand --color 'When to color output; NO_COLOR in the environment means never'
            cand -v 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand --verbose 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
            cand -q 'Less log output (-q warnings and errors only, -qq errors only)'
            cand --quiet 'Less log output (-q warnings and errors only, -qq errors only)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'prhook;help'= {
            cand serve 'Run the webhook receiver until SIGINT or SIGTERM'
            cand completions 'Print the shell completion script (for packaging)'
            cand check-config 'Check the configuration as serve loads it and report each problem with its line'
            cand simulate 'Build a realistic delivery for a provider and event, sign it as the provider would and send it'
            cand verify-signature 'Check a captured delivery''s signature, token or credentials offline'
            cand deliveries 'List, show and replay stored deliveries, also while serve runs'
            cand tunnel 'Expose a local port that is already listening through ngrok or localtunnel'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'prhook;help;serve'= {
        }
        &'prhook;help;completions'= {
        }
        &'prhook;help;check-config'= {
        }
        &'prhook;help;simulate'= {
        }
        &'prhook;help;verify-signature'= {
        }
        &'prhook;help;deliveries'= {
            cand list 'List stored deliveries, newest first: a header line, then one line each'
            cand show 'Show one delivery: headers, normalized event, jobs and their attempts'
            cand replay 'Queue the actions of stored deliveries again, as new attempts of the same deliveries'
        }
        &'prhook;help;deliveries;list'= {
        }
        &'prhook;help;deliveries;show'= {
        }
        &'prhook;help;deliveries;replay'= {
        }
        &'prhook;help;tunnel'= {
        }
        &'prhook;help;help'= {
        }
    ]
    $completions[$command]
}

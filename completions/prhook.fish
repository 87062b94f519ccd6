# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_prhook_global_optspecs
    string join \n config= log-format= v/verbose q/quiet color= h/help V/version
end

function __fish_prhook_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_prhook_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_prhook_using_subcommand
    set -l cmd (__fish_prhook_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c prhook -n "__fish_prhook_needs_command" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_needs_command" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_needs_command" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_needs_command" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_needs_command" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_needs_command" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_needs_command" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "serve" -d 'Run the webhook receiver until SIGINT or SIGTERM'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "completions" -d 'Print the shell completion script (for packaging)'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "check-config" -d 'Check the configuration as serve loads it and report each problem with its line'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "simulate" -d 'Build a realistic delivery for a provider and event, sign it as the provider would and send it'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "verify-signature" -d 'Check a captured delivery\'s signature, token or credentials offline'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "deliveries" -d 'List, show and replay stored deliveries, also while serve runs'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "tunnel" -d 'Expose a local port that is already listening through ngrok or localtunnel'
complete -c prhook -n "__fish_prhook_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c prhook -n "__fish_prhook_using_subcommand serve" -l listen -d 'Address to listen on, overriding server.listen [default: 127.0.0.1:3000, or server.listen]' -r
complete -c prhook -n "__fish_prhook_using_subcommand serve" -l data-dir -d 'Directory of the store, lock and generated secrets, overriding server.data_dir [default: .prhook, or server.data_dir]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand serve" -l tunnel-service -d 'Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]' -r -f -a "ngrok\t''
localtunnel\t''"
complete -c prhook -n "__fish_prhook_using_subcommand serve" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand serve" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand serve" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand serve" -l use-tunnel -d 'Open a tunnel to the listener and print its public webhook URLs'
complete -c prhook -n "__fish_prhook_using_subcommand serve" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand serve" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand serve" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand serve" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand completions" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand completions" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand completions" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand completions" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand completions" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand completions" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand completions" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -l format -d 'Report format: text for people, json for CI annotations' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -l deny-warnings -d 'Exit 1 when there are warnings, not only errors'
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c prhook -n "__fish_prhook_using_subcommand check-config" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l action -d 'The event\'s action, such as opened, synchronize or merge; the default is the event\'s most common one' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l url -d 'URL to POST to [default: http://<server.listen>/<the provider\'s route>]' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l secret -d 'Secret to sign with (GitLab: the token, or a whsec_ signing token; Azure DevOps: the password)' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l secret-env -d 'Environment variable that contains the secret' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l username -d 'Azure DevOps Basic username [default: azure_devops.username, else empty]' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l data-dir -d 'Data directory whose secrets.toml `serve` generated, overriding server.data_dir' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l set -d 'Override a payload field by dotted path; the value is read as JSON when it parses, else as text (repeatable)' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l file -d 'Send this file\'s bytes as the body instead of a template' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l print -d 'Print the request instead of sending it: raw (the HTTP request) or curl (a curl command line)' -r -f -a "raw\t''
curl\t''"
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l count -d 'Number of deliveries to send, each with a fresh delivery id' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l concurrency -d 'Deliveries in flight at once' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l timeout -d 'Seconds to wait for each response' -r
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -l reveal-secret -d 'With --print, show X-Gitlab-Token and Authorization values instead of `<redacted>`'
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand simulate" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l provider -d 'Provider: github, gitlab, azure-devops or bitbucket-server' -r
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l secret -d 'Secret to check against (GitLab: the token or whsec_ signing token; Azure DevOps: the password)' -r
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l secret-env -d 'Environment variable that contains the secret' -r
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l username -d 'Azure DevOps Basic username [default: azure_devops.username, else empty]' -r
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l data-dir -d 'Data directory whose secrets.toml `serve` generated, overriding server.data_dir' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l signature -d 'The signature header\'s value, put in the provider\'s header (GitHub: sha256=… or sha1=…; GitLab: the token or v1,…; Azure DevOps: Basic …; Bitbucket Server: sha256=…)' -r
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l header -d 'A captured header, as \'Name: value\' (repeatable)' -r
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l headers-file -d 'File of captured headers, one \'Name: value\' per line; a leading request line is skipped' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l now -d 'Unix time to check a signing-token timestamp against, for captured deliveries [default: now]' -r
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -l allow-sha1 -d 'Check GitHub\'s legacy X-Hub-Signature (HMAC-SHA1) when X-Hub-Signature-256 is absent'
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand verify-signature" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -l data-dir -d 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -f -a "list" -d 'List stored deliveries, newest first: a header line, then one line each'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -f -a "show" -d 'Show one delivery: headers, normalized event, jobs and their attempts'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -f -a "replay" -d 'Queue the actions of stored deliveries again, as new attempts of the same deliveries'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and not __fish_seen_subcommand_from list show replay help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l status -d 'Only deliveries with this status: queued, running, done, failed or ignored' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l provider -d 'Only deliveries from this provider: github, gitlab, azure-devops or bitbucket-server' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l repository -d 'Only deliveries for this repository (its full name, such as acme/rocket)' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l since -d 'Only deliveries received at or after this RFC 3339 time' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l until -d 'Only deliveries received before this RFC 3339 time' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l limit -d 'Maximum number of deliveries to list' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l data-dir -d 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l data-dir -d 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l status -d 'Only deliveries with this status: queued, running, done, failed or ignored' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l provider -d 'Only deliveries from this provider: github, gitlab, azure-devops or bitbucket-server' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l repository -d 'Only deliveries for this repository (its full name, such as acme/rocket)' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l since -d 'Only deliveries received at or after this RFC 3339 time' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l until -d 'Only deliveries received before this RFC 3339 time' -r
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l data-dir -d 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -l failed -d 'Replay every failed delivery (the same as --status failed)'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from replay" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "list" -d 'List stored deliveries, newest first: a header line, then one line each'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one delivery: headers, normalized event, jobs and their attempts'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "replay" -d 'Queue the actions of stored deliveries again, as new attempts of the same deliveries'
complete -c prhook -n "__fish_prhook_using_subcommand deliveries; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -l service -d 'Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]' -r -f -a "ngrok\t''
localtunnel\t''"
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -l port -d 'Local port to expose [default: the port of server.listen]' -r
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -l config -d 'Configuration file [default: ./prhook.toml when it exists]' -r -F
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -l log-format -d 'Log line format' -r -f -a "text\t''
json\t''"
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -l color -d 'When to color output; NO_COLOR in the environment means never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -s v -l verbose -d 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q'
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -s q -l quiet -d 'Less log output (-q warnings and errors only, -qq errors only)'
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -s h -l help -d 'Print help'
complete -c prhook -n "__fish_prhook_using_subcommand tunnel" -s V -l version -d 'Print version'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "serve" -d 'Run the webhook receiver until SIGINT or SIGTERM'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "completions" -d 'Print the shell completion script (for packaging)'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "check-config" -d 'Check the configuration as serve loads it and report each problem with its line'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "simulate" -d 'Build a realistic delivery for a provider and event, sign it as the provider would and send it'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "verify-signature" -d 'Check a captured delivery\'s signature, token or credentials offline'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "deliveries" -d 'List, show and replay stored deliveries, also while serve runs'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "tunnel" -d 'Expose a local port that is already listening through ngrok or localtunnel'
complete -c prhook -n "__fish_prhook_using_subcommand help; and not __fish_seen_subcommand_from serve completions check-config simulate verify-signature deliveries tunnel help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c prhook -n "__fish_prhook_using_subcommand help; and __fish_seen_subcommand_from deliveries" -f -a "list" -d 'List stored deliveries, newest first: a header line, then one line each'
complete -c prhook -n "__fish_prhook_using_subcommand help; and __fish_seen_subcommand_from deliveries" -f -a "show" -d 'Show one delivery: headers, normalized event, jobs and their attempts'
complete -c prhook -n "__fish_prhook_using_subcommand help; and __fish_seen_subcommand_from deliveries" -f -a "replay" -d 'Queue the actions of stored deliveries again, as new attempts of the same deliveries'


using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'prhook' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'prhook'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'prhook' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the webhook receiver until SIGINT or SIGTERM')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (for packaging)')
            [CompletionResult]::new('check-config', 'check-config', [CompletionResultType]::ParameterValue, 'Check the configuration as serve loads it and report each problem with its line')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Build a realistic delivery for a provider and event, sign it as the provider would and send it')
            [CompletionResult]::new('verify-signature', 'verify-signature', [CompletionResultType]::ParameterValue, 'Check a captured delivery''s signature, token or credentials offline')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'List, show and replay stored deliveries, also while serve runs')
            [CompletionResult]::new('tunnel', 'tunnel', [CompletionResultType]::ParameterValue, 'Expose a local port that is already listening through ngrok or localtunnel')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'prhook;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on, overriding server.listen [default: 127.0.0.1:3000, or server.listen]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the store, lock and generated secrets, overriding server.data_dir [default: .prhook, or server.data_dir]')
            [CompletionResult]::new('--tunnel-service', '--tunnel-service', [CompletionResultType]::ParameterName, 'Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('--use-tunnel', '--use-tunnel', [CompletionResultType]::ParameterName, 'Open a tunnel to the listener and print its public webhook URLs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;check-config' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format: text for people, json for CI annotations')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('--deny-warnings', '--deny-warnings', [CompletionResultType]::ParameterName, 'Exit 1 when there are warnings, not only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;simulate' {
            [CompletionResult]::new('--action', '--action', [CompletionResultType]::ParameterName, 'The event''s action, such as opened, synchronize or merge; the default is the event''s most common one')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'URL to POST to [default: http://<server.listen>/<the provider''s route>]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secret to sign with (GitLab: the token, or a whsec_ signing token; Azure DevOps: the password)')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Environment variable that contains the secret')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Azure DevOps Basic username [default: azure_devops.username, else empty]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory whose secrets.toml `serve` generated, overriding server.data_dir')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Override a payload field by dotted path; the value is read as JSON when it parses, else as text (repeatable)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Send this file''s bytes as the body instead of a template')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Print the request instead of sending it: raw (the HTTP request) or curl (a curl command line)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Number of deliveries to send, each with a fresh delivery id')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Deliveries in flight at once')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each response')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('--reveal-secret', '--reveal-secret', [CompletionResultType]::ParameterName, 'With --print, show X-Gitlab-Token and Authorization values instead of `<redacted>`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;verify-signature' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider: github, gitlab, azure-devops or bitbucket-server')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secret to check against (GitLab: the token or whsec_ signing token; Azure DevOps: the password)')
            [CompletionResult]::new('--secret-env', '--secret-env', [CompletionResultType]::ParameterName, 'Environment variable that contains the secret')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Azure DevOps Basic username [default: azure_devops.username, else empty]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory whose secrets.toml `serve` generated, overriding server.data_dir')
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'The signature header''s value, put in the provider''s header (GitHub: sha256=… or sha1=…; GitLab: the token or v1,…; Azure DevOps: Basic …; Bitbucket Server: sha256=…)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'A captured header, as ''Name: value'' (repeatable)')
            [CompletionResult]::new('--headers-file', '--headers-file', [CompletionResultType]::ParameterName, 'File of captured headers, one ''Name: value'' per line; a leading request line is skipped')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Unix time to check a signing-token timestamp against, for captured deliveries [default: now]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('--allow-sha1', '--allow-sha1', [CompletionResultType]::ParameterName, 'Check GitHub''s legacy X-Hub-Signature (HMAC-SHA1) when X-Hub-Signature-256 is absent')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;deliveries' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List stored deliveries, newest first: a header line, then one line each')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one delivery: headers, normalized event, jobs and their attempts')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Queue the actions of stored deliveries again, as new attempts of the same deliveries')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'prhook;deliveries;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only deliveries with this status: queued, running, done, failed or ignored')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Only deliveries from this provider: github, gitlab, azure-devops or bitbucket-server')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'Only deliveries for this repository (its full name, such as acme/rocket)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deliveries received at or after this RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only deliveries received before this RFC 3339 time')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Maximum number of deliveries to list')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;deliveries;show' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;deliveries;replay' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only deliveries with this status: queued, running, done, failed or ignored')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Only deliveries from this provider: github, gitlab, azure-devops or bitbucket-server')
            [CompletionResult]::new('--repository', '--repository', [CompletionResultType]::ParameterName, 'Only deliveries for this repository (its full name, such as acme/rocket)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only deliveries received at or after this RFC 3339 time')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only deliveries received before this RFC 3339 time')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the store, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('--failed', '--failed', [CompletionResultType]::ParameterName, 'Replay every failed delivery (the same as --status failed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;deliveries;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List stored deliveries, newest first: a header line, then one line each')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one delivery: headers, normalized event, jobs and their attempts')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Queue the actions of stored deliveries again, as new attempts of the same deliveries')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'prhook;deliveries;help;list' {
            break
        }
        'prhook;deliveries;help;show' {
            break
        }
        'prhook;deliveries;help;replay' {
            break
        }
        'prhook;deliveries;help;help' {
            break
        }
        'prhook;tunnel' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Tunnel service, overriding TUNNEL_SERVICE and tunnel.service [default: ngrok]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Local port to expose [default: the port of server.listen]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: ./prhook.toml when it exists]')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Log line format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color output; NO_COLOR in the environment means never')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output (-v debug, -vv trace); RUST_LOG overrides both -v and -q')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Less log output (-q warnings and errors only, -qq errors only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'prhook;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the webhook receiver until SIGINT or SIGTERM')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (for packaging)')
            [CompletionResult]::new('check-config', 'check-config', [CompletionResultType]::ParameterValue, 'Check the configuration as serve loads it and report each problem with its line')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Build a realistic delivery for a provider and event, sign it as the provider would and send it')
            [CompletionResult]::new('verify-signature', 'verify-signature', [CompletionResultType]::ParameterValue, 'Check a captured delivery''s signature, token or credentials offline')
            [CompletionResult]::new('deliveries', 'deliveries', [CompletionResultType]::ParameterValue, 'List, show and replay stored deliveries, also while serve runs')
            [CompletionResult]::new('tunnel', 'tunnel', [CompletionResultType]::ParameterValue, 'Expose a local port that is already listening through ngrok or localtunnel')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'prhook;help;serve' {
            break
        }
        'prhook;help;completions' {
            break
        }
        'prhook;help;check-config' {
            break
        }
        'prhook;help;simulate' {
            break
        }
        'prhook;help;verify-signature' {
            break
        }
        'prhook;help;deliveries' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List stored deliveries, newest first: a header line, then one line each')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one delivery: headers, normalized event, jobs and their attempts')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Queue the actions of stored deliveries again, as new attempts of the same deliveries')
            break
        }
        'prhook;help;deliveries;list' {
            break
        }
        'prhook;help;deliveries;show' {
            break
        }
        'prhook;help;deliveries;replay' {
            break
        }
        'prhook;help;tunnel' {
            break
        }
        'prhook;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}


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
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]')
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
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'prhook;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on, overriding server.listen [env: PRHOOK_LISTEN] [default: 127.0.0.1:3000]')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Directory of the store, lock and generated secrets, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]')
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
        'prhook;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]')
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
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]')
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
        'prhook;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the webhook receiver until SIGINT or SIGTERM')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script (for packaging)')
            [CompletionResult]::new('check-config', 'check-config', [CompletionResultType]::ParameterValue, 'Check the configuration as serve loads it and report each problem with its line')
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
        'prhook;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

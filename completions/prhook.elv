
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
            cand --config 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]'
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
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'prhook;serve'= {
            cand --listen 'Address to listen on, overriding server.listen [env: PRHOOK_LISTEN] [default: 127.0.0.1:3000]'
            cand --data-dir 'Directory of the store, lock and generated secrets, overriding server.data_dir [env: PRHOOK_DATA_DIR] [default: .prhook]'
            cand --config 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]'
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
        &'prhook;completions'= {
            cand --config 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]'
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
            cand --config 'Configuration file [env: PRHOOK_CONFIG] [default: ./prhook.toml when it exists]'
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
        &'prhook;help'= {
            cand serve 'Run the webhook receiver until SIGINT or SIGTERM'
            cand completions 'Print the shell completion script (for packaging)'
            cand check-config 'Check the configuration as serve loads it and report each problem with its line'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'prhook;help;serve'= {
        }
        &'prhook;help;completions'= {
        }
        &'prhook;help;check-config'= {
        }
        &'prhook;help;help'= {
        }
    ]
    $completions[$command]
}

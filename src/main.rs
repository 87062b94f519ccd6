use clap::Parser;
use prhook::cli::{Cli, Command};
use prhook::commands::check_config::{run_check_config, CheckOptions};
use prhook::config::Overrides;
use prhook::serve::{load_config, run_serve, RunOptions};
use prhook::tunnel::command::run_tunnel;
use std::io::IsTerminal;

// A request's allocations are often freed on another runtime thread than
// the one that made them. mimalloc's per-thread heaps handle that more
// cheaply than glibc's arenas, which took 29 % of samples in a profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    prhook::logging::init(cli.log_format, cli.verbose, cli.quiet, cli.color);
    prhook::tls::install_crypto_provider();
    let result = match cli.command {
        Command::Serve(args) => {
            let overrides = Overrides { listen: args.listen, data_dir: args.data_dir, tunnel_service: args.tunnel_service };
            let options = RunOptions { use_tunnel: args.use_tunnel, color: cli.color };
            load_config(cli.config.as_deref(), &overrides).and_then(|config| runtime().block_on(run_serve(config, options))).map(|()| 0)
        }
        Command::Tunnel(args) => {
            let overrides = Overrides { tunnel_service: args.service, ..Overrides::default() };
            load_config(cli.config.as_deref(), &overrides).and_then(|config| runtime().block_on(run_tunnel(config, args.port, cli.color))).map(|()| 0)
        }
        Command::Simulate(args) => prhook::simulate::run_simulate(args, cli.config.as_deref(), cli.color),
        Command::VerifySignature(args) => {
            prhook::verify_signature::run_verify_signature(args, cli.config.as_deref(), cli.color, cli.verbose)
        }
        Command::Completions { shell } => {
            use std::io::Write;
            let script = prhook::generated_docs::completion_script(shell);
            // A closed pipe (`prhook completions bash | head`) is not a failure.
            let _ = std::io::stdout().write_all(&script);
            Ok(0)
        }
        Command::CheckConfig(args) => {
            let options = CheckOptions {
                config: cli.config.clone(),
                format: args.format,
                deny_warnings: args.deny_warnings,
                color: cli.color.enabled(std::io::stdout().is_terminal()),
            };
            // The report is already printed; only the exit code is left.
            run_check_config(&options)
        }
        Command::Deliveries(args) => prhook::deliveries::run_deliveries(cli.config.as_deref(), args).map(|()| 0),
    };
    match result {
        Ok(0) => {}
        Ok(code) => std::process::exit(code),
        Err(error) => {
            eprintln!("prhook: {error}");
            std::process::exit(error.code);
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("the tokio runtime starts")
}


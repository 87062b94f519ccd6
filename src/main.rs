use clap::Parser;
use prhook::cli::{Cli, Command};
use prhook::config::Overrides;
use prhook::serve::{load_config, run_serve, RunOptions};
use prhook::tunnel::command::run_tunnel;

fn main() {
    let cli = Cli::parse();
    prhook::logging::init(cli.log_format, cli.verbose, cli.quiet, cli.color);
    prhook::tunnel::install_crypto_provider();
    let result = match cli.command {
        Command::Serve(args) => {
            let overrides = Overrides { listen: args.listen, data_dir: args.data_dir, tunnel_service: args.tunnel_service };
            let options = RunOptions { use_tunnel: args.use_tunnel, color: cli.color };
            load_config(cli.config.as_deref(), &overrides).and_then(|config| runtime().block_on(run_serve(config, options)))
        }
        Command::Tunnel(args) => {
            let overrides = Overrides { tunnel_service: args.service, ..Overrides::default() };
            load_config(cli.config.as_deref(), &overrides).and_then(|config| runtime().block_on(run_tunnel(config, args.port, cli.color)))
        }
    };
    if let Err(error) = result {
        eprintln!("prhook: {error}");
        std::process::exit(error.code);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("the tokio runtime starts")
}


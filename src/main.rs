use clap::Parser;
use prhook::cli::{Cli, Command};
use prhook::config::Overrides;
use prhook::serve::{load_config, run_serve};

fn main() {
    let cli = Cli::parse();
    prhook::logging::init(cli.log_format, cli.verbose, cli.quiet, cli.color);
    let result = match cli.command {
        Command::Serve(args) => {
            let overrides = Overrides { listen: args.listen, data_dir: args.data_dir };
            load_config(cli.config.as_deref(), &overrides).and_then(|config| runtime().block_on(run_serve(config)))
        }
        Command::Deliveries(args) => prhook::deliveries::run_deliveries(cli.config.as_deref(), args),
    };
    if let Err(error) = result {
        eprintln!("prhook: {error}");
        std::process::exit(error.code);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("the tokio runtime starts")
}

